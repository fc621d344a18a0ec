import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { ClickHouseClient } from '@clickhouse/client'
import { checkEvent } from '@fairwatch/contract'
import type { EventRecord, PredictionRecord } from '@fairwatch/contract'
import { createStoreClient, applyMigrations, storeMigrations, writeEvents } from '@fairwatch/store'
import type { RejectedEvent } from '@fairwatch/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { IngestCommitter } from '../src/ingest/ingest-committer.ts'
import type { AcceptedEvent, IngestSink, StoredIdLookup } from '../src/ingest/ingest-sink.ts'

let client: ClickHouseClient
let dataDir: string
const database = 'committer'

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fairwatch-committer-'))
  client = createStoreClient({ database, dataDir }).client
  await applyMigrations(client, database, storeMigrations)
})

afterAll(async () => {
  await client?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function accepted(eventId: string): AcceptedEvent {
  const event = {
    kind: 'prediction',
    event_id: eventId,
    model_id: 'm',
    model_version: 'v1',
    prediction_id: `p-${eventId}`,
    timestamp: '2025-01-01T00:00:00Z',
    prediction: 1,
    attributes: { sex: 'female' },
  }
  const result = checkEvent(event)
  if (!result.ok) throw new Error('fixture event is invalid')
  return { record: result.record, wire: event }
}

function predictionRecord(eventId: string): PredictionRecord {
  const { record } = accepted(eventId)
  if (record.kind !== 'prediction') throw new Error('fixture event is not a prediction')
  return record
}

/** A sink that stores events in the real store, slowly, and records every write. */
function storeSink(writes: EventRecord[][], storedIds?: StoredIdLookup): IngestSink {
  return {
    kind: 'embedded',
    storedIds,
    async write(events: readonly AcceptedEvent[], rejected: readonly RejectedEvent[]) {
      writes.push(events.map((e) => e.record))
      await new Promise((resolve) => setTimeout(resolve, 20))
      const predictions = events.flatMap((e) => (e.record.kind === 'prediction' ? [e.record] : []))
      await writeEvents(client, database, { predictions, outcomes: [], rejected })
    },
    ready: async () => true,
    close: async () => {},
  }
}

describe('IngestCommitter', () => {
  it('stores each event id once however overlapping concurrent writes interleave', async () => {
    const writes: EventRecord[][] = []
    const committer = new IngestCommitter({
      sink: storeSink(writes),
      client,
      database,
      maxEventsPerWrite: 30,
      concurrentWrites: 3,
    })
    const requests = Array.from({ length: 40 }, (_, r) =>
      Array.from({ length: 10 }, (_, i) => accepted(`ov-${(r * 7 + i) % 120}`)),
    )

    const answers = await Promise.all(requests.map((events) => committer.submit(events, [])))

    const acceptedIds = requests.flatMap((events, r) =>
      events.filter((_, i) => answers[r]?.[i]).map((e) => e.record.eventId),
    )
    expect(new Set(acceptedIds).size).toBe(acceptedIds.length)
    expect(new Set(acceptedIds)).toEqual(new Set(requests.flat().map((e) => e.record.eventId)))
    const rows = await client.query({
      query: `SELECT event_id, count() AS n FROM ${database}.predictions
        WHERE event_id LIKE 'ov-%' GROUP BY event_id HAVING n > 1`,
      format: 'JSONEachRow',
    })
    expect(await rows.json()).toEqual([])
    expect(writes.length).toBeGreaterThan(1)
    expect(writes.length).toBeLessThan(requests.length)
  })

  it('fails every request of a failed group write and goes on with later groups', async () => {
    let writes = 0
    const committer = new IngestCommitter({
      sink: {
        kind: 'embedded',
        write: async () => {
          writes += 1
          await new Promise((resolve) => setTimeout(resolve, 10))
          if (writes === 2) throw new Error('store down')
        },
        ready: async () => true,
        close: async () => {},
      },
      client,
      database,
      concurrentWrites: 1,
    })

    // The first request starts a write at once; the next two wait for it and share the second.
    const first = committer.submit([accepted('fail-1')], [])
    const second = committer.submit([accepted('fail-2')], [])
    const third = committer.submit([accepted('fail-3')], [])

    await expect(first).resolves.toEqual([true])
    await expect(second).rejects.toThrow('store down')
    await expect(third).rejects.toThrow('store down')
    await expect(committer.submit([accepted('fail-2')], [])).resolves.toEqual([true])
    expect(writes).toBe(3)
  })

  it('asks the store only about the ids a ready filter says may be stored', async () => {
    const writes: EventRecord[][] = []
    await writeEvents(client, database, {
      predictions: [predictionRecord('known-1'), predictionRecord('known-2')],
      outcomes: [],
    })
    // A filter that has known-1 and nothing else: known-2 is stored, but the filter (wrongly,
    // which a real one never is) calls it new, so the answer shows whether the store was asked.
    const lookup = { ready: true, mayBeStored: (_kind: string, id: string) => id === 'known-1' }
    const committer = new IngestCommitter({ sink: storeSink(writes, lookup), client, database })

    const answer = await committer.submit([accepted('known-1'), accepted('known-2')], [])

    expect(answer).toEqual([false, true])
    expect(writes.flat().map((r) => r.eventId)).toEqual(['known-2'])
  })

  it('asks the store about every id while the filter is not ready', async () => {
    const writes: EventRecord[][] = []
    await writeEvents(client, database, {
      predictions: [predictionRecord('unready-1')],
      outcomes: [],
    })
    const lookup = { ready: false, mayBeStored: () => false }
    const committer = new IngestCommitter({ sink: storeSink(writes, lookup), client, database })

    const answer = await committer.submit([accepted('unready-1'), accepted('unready-2')], [])

    expect(answer).toEqual([false, true])
  })
})
