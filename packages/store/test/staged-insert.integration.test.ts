import { mkdtempSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type { ClickHouseClient } from '@clickhouse/client'
import type { PredictionRecord } from '@fairwatch/contract'
import {
  applyMigrations,
  createStoreClient,
  queryWindowCells,
  storeMigrations,
  windowsOfPredictions,
  writeEvents,
} from '@fairwatch/store'
import type { WindowCell } from '@fairwatch/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createStagedFile, createStagedInsert } from '../src/staged-insert.ts'

let client: ClickHouseClient
let database = 'staged_insert_test'
let databases = 0

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-store-'))
  client = createStoreClient({ database, dataDir }).client
})

afterAll(async () => {
  await client.close()
})

async function freshDatabase(): Promise<string> {
  databases += 1
  database = `staged_insert_test_${databases}`
  await applyMigrations(client, database, storeMigrations)
  return database
}

function prediction(id: number, overrides: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    kind: 'prediction',
    eventId: `e-${id}`,
    modelId: 'credit',
    modelVersion: '1.0',
    predictionId: `p-${id}`,
    eventTime: Date.parse('2026-03-01T10:00:00.000Z') + id,
    decision: 1,
    score: null,
    attributes: { sex: 'female' },
    ...overrides,
  }
}

async function rows<T>(query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' })
  return result.json<T>()
}

describe('inserts into the embedded engine', () => {
  it('keeps text with tabs, newlines, quotes and backslashes exactly', async () => {
    const db = await freshDatabase()
    const awkward = 'a\tb\nc\'d\\e\r\0f "g" {h}'

    await writeEvents(client, db, {
      predictions: [
        prediction(1, { predictionId: awkward, modelVersion: awkward, attributes: { k: awkward } }),
      ],
      outcomes: [],
    })

    const stored = await rows<{
      prediction_id: string
      model_version: string
      attribute_set: string
    }>(`SELECT prediction_id, model_version, attribute_set FROM ${db}.predictions`)
    expect(stored).toEqual([
      {
        prediction_id: awkward,
        model_version: awkward,
        attribute_set: JSON.stringify({ k: awkward }),
      },
    ])
  })

  it('stores every column of every kind of event as it was given', async () => {
    const db = await freshDatabase()
    const long = 'é'.repeat(100) + '😀'.repeat(30)
    const predictions = [
      prediction(1, { eventTime: Date.parse('0001-01-01T00:00:00.000Z'), score: 0 }),
      prediction(2, { eventTime: Date.parse('9999-12-31T23:59:59.999Z'), score: 1, decision: 0 }),
      prediction(3, { predictionId: long, eventId: long, score: 0.123456789, attributes: {} }),
    ]
    const outcomes = [
      {
        kind: 'outcome' as const,
        eventId: 'o-1',
        modelId: 'credit',
        predictionId: long,
        eventTime: Date.parse('1969-12-31T23:59:59.999Z'),
        outcome: 1 as const,
      },
      {
        kind: 'outcome' as const,
        eventId: long,
        modelId: 'credit',
        predictionId: 'p-1',
        eventTime: 0,
        outcome: 0 as const,
      },
    ]
    const rejection = {
      reason: 'invalid_field' as const,
      field: 'score',
      message: 'score must be at most 1',
      raw: `{"score":2,"note":"${long}\n"}`,
    }

    await writeEvents(client, db, {
      predictions,
      outcomes,
      rejected: [{ source: 'replay', sourceRef: 'events.ndjson:7', rejection }],
    })

    const storedPredictions = await rows<Record<string, unknown>>(
      `SELECT prediction_id, event_id, model_version, toUnixTimestamp64Milli(event_time) AS ms,
         decision, score, attribute_set FROM ${db}.predictions ORDER BY event_time`,
    )
    const byTime = [...predictions].sort((a, b) => a.eventTime - b.eventTime)
    expect(storedPredictions.map((row) => ({ ...row, ms: Number(row.ms) }))).toEqual(
      byTime.map((p) => ({
        prediction_id: p.predictionId,
        event_id: p.eventId,
        model_version: p.modelVersion,
        ms: p.eventTime,
        decision: p.decision,
        score: p.score,
        attribute_set: JSON.stringify(p.attributes),
      })),
    )
    const storedOutcomes = await rows<Record<string, unknown>>(
      `SELECT prediction_id, event_id, toUnixTimestamp64Milli(event_time) AS ms, outcome
       FROM ${db}.outcomes ORDER BY event_time`,
    )
    expect(storedOutcomes.map((row) => ({ ...row, ms: Number(row.ms) }))).toEqual(
      outcomes.map((o) => ({
        prediction_id: o.predictionId,
        event_id: o.eventId,
        ms: o.eventTime,
        outcome: o.outcome,
      })),
    )
    const storedRejected = await rows<Record<string, unknown>>(
      `SELECT source, source_ref, reason, field, message, raw FROM ${db}.rejected_events`,
    )
    expect(storedRejected).toEqual([
      { source: 'replay', source_ref: 'events.ndjson:7', ...rejection },
    ])
  })

  it('stores a batch sent again under the same deduplication token once', async () => {
    const db = await freshDatabase()
    const batch = { predictions: [prediction(1), prediction(2), prediction(3)], outcomes: [] }

    await writeEvents(client, db, batch, { deduplicationToken: 'topic/0/10-12' })
    await writeEvents(client, db, batch, { deduplicationToken: 'topic/0/10-12' })
    await writeEvents(client, db, { predictions: [prediction(4)], outcomes: [] })

    const [count] = await rows<{ n: string }>(`SELECT count() AS n FROM ${db}.predictions`)
    expect(Number(count?.n)).toBe(4)
  })

  it('does not carry one insert’s token over to the next insert', async () => {
    const db = await freshDatabase()

    await writeEvents(
      client,
      db,
      { predictions: [prediction(1)], outcomes: [] },
      {
        deduplicationToken: 'same',
      },
    )
    await writeEvents(client, db, { predictions: [prediction(2)], outcomes: [] })
    await writeEvents(client, db, { predictions: [prediction(2)], outcomes: [] })

    const [count] = await rows<{ n: string }>(`SELECT count() AS n FROM ${db}.predictions`)
    expect(Number(count?.n)).toBe(3)
  })

  it('finds the windows of many predictions, awkward ids too, in one staged look-up', async () => {
    const db = await freshDatabase()
    const awkward = "a\tb\nc'd\\e"
    const day = 86_400_000
    const predictions = Array.from({ length: 30_000 }, (_, i) =>
      prediction(i, { predictionId: `p-${i}`, eventTime: Date.UTC(2026, 0, 1) + (i % 3) * day }),
    )
    predictions.push(prediction(99_999, { predictionId: awkward, eventTime: Date.UTC(2026, 1, 1) }))
    await writeEvents(client, db, { predictions, outcomes: [] })

    const starts = await windowsOfPredictions(
      client,
      db,
      'credit',
      [...predictions.slice(0, 25_000).map((p) => p.predictionId), awkward, 'never-stored'],
      day,
    )

    expect(starts.sort((a, b) => a - b)).toEqual([
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 2),
      Date.UTC(2026, 0, 3),
      Date.UTC(2026, 1, 1),
    ])
  })

  it('leaves no staged file behind, also when the engine refuses the rows', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'fw-staging-'))
    const insert = createStagedInsert(async (sql) => {
      const result = await client.command({ query: sql })
      return result
    }, createStagedFile(tmp))
    const db = await freshDatabase()

    await insert({
      table: `${db}.outcomes`,
      columns: ['model_id'],
      format: 'TabSeparated',
      body: 'credit\n',
      token: '',
    })
    const refused = insert({
      table: `${db}.outcomes`,
      columns: ['model_id', 'outcome'],
      format: 'TabSeparated',
      body: 'credit\tnot-a-number\n',
      token: '',
    })

    await expect(refused).rejects.toThrow()
    const [staging] = readdirSync(tmp)
    expect(staging).toMatch(/^fairwatch-staging-/)
    expect(readdirSync(path.join(tmp, staging as string))).toEqual([])
  })

  it('refuses a temporary directory whose path the engine would read as a pattern', async () => {
    const insert = createStagedInsert(async () => undefined, createStagedFile('/tmp/odd{dir}'))

    const attempt = insert({
      table: 't',
      columns: ['a'],
      format: 'TabSeparated',
      body: 'x\n',
      token: '',
    })

    await expect(attempt).rejects.toMatchObject({ code: 'FW_STORE_CONFIG_INVALID' })
    await expect(attempt).rejects.toThrow(/TMPDIR/)
  })

  it('counts some windows of a history, in runs or not, as counting all of them does', async () => {
    const db = await freshDatabase()
    const day = 86_400_000
    const at = (d: number, i: number) => Date.UTC(2026, 0, 1) + d * day + i * 1000
    const predictions = []
    for (let d = 0; d <= 10; d += 1) {
      for (let i = 0; i < 50; i += 1) {
        predictions.push(
          prediction(d * 100 + i, {
            predictionId: `p-${d}-${i}`,
            eventTime: at(d, i),
            decision: (i % 2) as 0 | 1,
          }),
        )
      }
    }
    // Sent again later: into the counted window from an earlier one, and out of it into a later
    // one.
    predictions.push(prediction(5001, { predictionId: 'p-2-0', eventTime: at(9, 70), decision: 0 }))
    predictions.push(
      prediction(5002, { predictionId: 'p-9-1', eventTime: at(10, 70), decision: 0 }),
    )
    await writeEvents(client, db, { predictions, outcomes: [] })
    const byCell = (cells: WindowCell[]) =>
      cells.map((c) => `${c.windowStart} ${c.decision} ${c.outcome} ${c.predictions}`).sort()

    const few = await queryWindowCells(client, db, {
      modelId: 'credit',
      windowSizeMs: day,
      windowStarts: [at(9, 0)],
      eventsPerRun: 10,
    })
    // Days 1 to 9 hold most events: this count reads every event instead of narrowing first.
    const most = Array.from({ length: 9 }, (_, d) => at(d + 1, 0))
    const many = await queryWindowCells(client, db, {
      modelId: 'credit',
      windowSizeMs: day,
      windowStarts: most,
      eventsPerRun: 100,
    })
    // Two days apart: the days between them are counted too, and left out of the answer.
    const apart = await queryWindowCells(client, db, {
      modelId: 'credit',
      windowSizeMs: day,
      windowStarts: [at(2, 0), at(9, 0)],
    })
    const all = await queryWindowCells(client, db, { modelId: 'credit', windowSizeMs: day })

    expect(byCell(few.cells)).toEqual(byCell(all.cells.filter((c) => c.windowStart === at(9, 0))))
    expect(few.cells.reduce((n, c) => n + c.predictions, 0)).toBe(50)
    expect(byCell(many.cells)).toEqual(
      byCell(all.cells.filter((c) => most.includes(c.windowStart))),
    )
    expect(byCell(apart.cells)).toEqual(
      byCell(all.cells.filter((c) => c.windowStart === at(2, 0) || c.windowStart === at(9, 0))),
    )
    // p-2-0 moved from day 2 to day 9; p-9-1 from day 9 to day 10, which is not counted here.
    expect(many.cells.reduce((n, c) => n + c.predictions, 0)).toBe(9 * 50 - 1)
  })
})
