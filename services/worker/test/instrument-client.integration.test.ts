import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { createRegistry } from '@fairwatch/observability'
import {
  applyMigrations,
  createStoreClient,
  storeMigrations,
  ROW_INSERT,
  writeEvents,
} from '@fairwatch/store'
import { describe, expect, it } from 'vitest'

import { createWorkerMetrics } from '../src/metrics/worker-metrics.ts'
import { instrumentClient } from '../src/store/instrument-client.ts'

describe('the instrumented store client', () => {
  it('keeps the embedded engine’s staged insert and times it by table', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-instrument-'))
    const { client } = createStoreClient({ database: 'instrumented', dataDir })
    const registry = createRegistry('worker')
    const instrumented = instrumentClient(client, createWorkerMetrics(registry))
    const plainInserts: string[] = []
    const insert = client.insert.bind(client)
    client.insert = ((params: { table: string }) => {
      plainInserts.push(params.table)
      return insert(params as Parameters<typeof insert>[0])
    }) as typeof client.insert
    await applyMigrations(instrumented, 'instrumented', storeMigrations)

    await writeEvents(instrumented, 'instrumented', {
      predictions: [
        {
          kind: 'prediction',
          eventId: 'e-1',
          modelId: 'credit',
          modelVersion: '1',
          predictionId: 'p-1',
          eventTime: Date.UTC(2026, 0, 5),
          decision: 1,
          score: 0.7,
          attributes: { sex: 'female' },
        },
      ],
      outcomes: [],
    })

    expect(typeof (instrumented as unknown as Record<symbol, unknown>)[ROW_INSERT]).toBe('function')
    expect(plainInserts.filter((table) => table.endsWith('.predictions'))).toEqual([])
    const stored = await instrumented.query({
      query: 'SELECT prediction_id FROM instrumented.predictions',
      format: 'JSONEachRow',
    })
    expect(await stored.json()).toEqual([{ prediction_id: 'p-1' }])
    const histogram = await registry.getSingleMetric('fairwatch_store_insert_seconds')?.get()
    const count = histogram?.values.find(
      (v) =>
        (v as { metricName?: string }).metricName === 'fairwatch_store_insert_seconds_count' &&
        v.labels.table === 'predictions',
    )
    expect(count?.value).toBe(1)
    await client.close()
  })
})
