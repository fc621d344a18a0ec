import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type { ClickHouseClient } from '@clickhouse/client'
import type { PredictionRecord } from '@fairwatch/contract'
import { applyMigrations, createStoreClient, storeMigrations, writeEvents } from '@fairwatch/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let client: ClickHouseClient
let dataDir: string
const database = 'pool_test'

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-pool-'))
  client = createStoreClient({ database, dataDir }).client
  await applyMigrations(client, database, storeMigrations)
})

afterAll(async () => {
  await client.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function prediction(id: number): PredictionRecord {
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
  }
}

async function count(): Promise<number> {
  const result = await client.query({
    query: `SELECT count() AS n FROM ${database}.predictions`,
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ n: string }>()
  return Number(row?.n)
}

describe('embedded store client', () => {
  it('stores events while a long query runs, and every connection sees them', async () => {
    const finished: string[] = []
    // About three seconds in the engine, with no query parameters.
    const long = client
      .query({ query: 'SELECT sleepEachRow(1) FROM numbers(3)', format: 'JSONEachRow' })
      .then((result) => result.json())
      .then(() => finished.push('long query'))

    await writeEvents(client, database, {
      predictions: [prediction(1), prediction(2)],
      outcomes: [],
    })
    finished.push('insert')
    const seen = await Promise.all([count(), count(), count()])
    await long

    expect(finished).toEqual(['insert', 'long query'])
    expect(seen).toEqual([2, 2, 2])
  })
})
