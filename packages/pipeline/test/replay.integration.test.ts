import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type { ClickHouseClient } from '@clickhouse/client'
import { FairnessPipeline, replay, settingsFrom } from '@fairwatch/pipeline'
import type { RejectedLine } from '@fairwatch/pipeline'
import { generateEvents } from '@fairwatch/simulator'
import { applyMigrations, createStoreClient, eventTotals, storeMigrations } from '@fairwatch/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let client: ClickHouseClient
let dataDir: string

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-replay-'))
  client = createStoreClient({ database: 'replay_test', dataDir }).client
})

afterAll(async () => {
  await client.close()
  rmSync(dataDir, { recursive: true, force: true })
})

// About 4 MB of NDJSON, all predictions: several chunks for each parsing thread.
const events = [...generateEvents({ seed: 5, count: 16_000 })].map((e) => JSON.stringify(e))
// Line number (from 1) → what stands there instead of an event.
const broken = new Map<number, string>([
  [1, '{"kind":"prediction"'],
  [2, ''],
  [7_001, 'not json'],
  [7_002, '   '],
  [12_345, JSON.stringify({ kind: 'outcome', event_id: 'x' })],
  [16_003, '[]'],
])
const lines: string[] = []
for (let number = 1, next = 0; next < events.length || broken.has(number); number += 1) {
  lines.push(broken.get(number) ?? (events[next++] as string))
}
const text = lines.join('\r\n') + '\r\n'

async function run(database: string, parsers: number, pieceBytes: number) {
  await applyMigrations(client, database, storeMigrations)
  const pipeline = new FairnessPipeline({
    client,
    database,
    settings: settingsFrom({ windows: ['1h'] }),
  })
  const bytes = Buffer.from(text)
  const pieces: Buffer[] = []
  for (let at = 0; at < bytes.length; at += pieceBytes) {
    pieces.push(bytes.subarray(at, at + pieceBytes))
  }
  const rejected: RejectedLine[] = []
  const result = await replay({
    pipeline,
    input: pieces,
    parsers,
    batchSize: 5_000,
    onRejected: (line) => rejected.push(line),
  })
  return { ...result, rejected, totals: await eventTotals(client, database) }
}

describe('replay', () => {
  it('numbers refused lines as in the input, across chunks and threads', async () => {
    const { summary, rejected, totals } = await run('replay_numbers', 3, 65_536)

    expect(rejected.map((r) => [r.line, r.rejection.reason])).toEqual([
      [1, 'malformed_json'],
      [7_001, 'malformed_json'],
      [7_002, 'malformed_json'],
      [12_345, 'invalid_field'],
      [16_003, 'not_an_object'],
    ])
    expect(summary.lines).toBe(lines.length)
    expect(summary.rejected).toBe(5)
    expect(summary.predictions + summary.outcomes).toBe(events.length)
    // The simulator repeats some events, as producers do; the store keeps each once.
    const distinct = new Set(
      events.map((e) => (JSON.parse(e) as { prediction_id: string }).prediction_id),
    )
    expect(totals.distinctPredictions).toBe(distinct.size)
    expect(summary.predictions).toBeGreaterThan(distinct.size)
  })

  it('computes the same metrics with one parsing thread as with several', async () => {
    const one = await run('replay_one', 1, 1 << 20)
    const several = await run('replay_several', 2, 10_000)

    const rows = (windows: typeof one.windows) =>
      windows
        .flatMap((w) => w.rows.map((row) => ({ start: w.windowStart, ...row })))
        .map((row) => JSON.stringify(row))
        .sort()
    expect(one.windows.length).toBeGreaterThan(5)
    expect(rows(several.windows)).toEqual(rows(one.windows))
  })
})
