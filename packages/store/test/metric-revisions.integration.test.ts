import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type { ClickHouseClient } from '@clickhouse/client'
import type { MetricRow } from '@fairwatch/metrics'
import {
  StoreError,
  applyMigrations,
  createStoreClient,
  storeMigrations,
  writeMetricRevisions,
} from '@fairwatch/store'
import type { WindowMetrics } from '@fairwatch/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let client: ClickHouseClient
const database = 'metric_revisions_test'

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-revisions-'))
  client = createStoreClient({ database, dataDir }).client
  await applyMigrations(client, database, storeMigrations)
})

afterAll(async () => {
  await client.close()
})

const rows: MetricRow[] = [
  {
    attribute: 'sex',
    group: 'female',
    scope: 'group',
    metric: 'selection_rate',
    value: 0.1 + 0.2,
    numerator: 3,
    denominator: 10,
    ciLow: 0.107_789_999_999_1,
    ciHigh: 0.603_236_417_821_6,
    pValue: null,
    referenceGroup: null,
    sampleSize: 2 ** 40,
    insufficientEvidence: false,
    reason: null,
  },
  {
    attribute: 'sex×age_band',
    group: null,
    scope: 'across_groups',
    metric: 'demographic_parity_ratio',
    value: null,
    numerator: null,
    denominator: null,
    ciLow: null,
    ciHigh: null,
    pValue: 1e-300,
    referenceGroup: 'male\t"quoted"',
    sampleSize: 0,
    insufficientEvidence: true,
    reason: 'insufficient_evidence',
  },
]

const window: WindowMetrics = {
  modelId: 'credit',
  windowSize: '1d',
  windowStart: Date.UTC(2026, 2, 1),
  windowEnd: Date.UTC(2026, 2, 2),
  labelCoverage: 0.5,
  revision: '2026-03-05 10:11:12.345678',
  rows,
}

describe('metric revisions', () => {
  it('are stored with every column as computed, the revision to the microsecond', async () => {
    await writeMetricRevisions(client, database, [window])

    const result = await client.query({
      query: `SELECT model_id, window_size, toUnixTimestamp64Milli(window_start) AS start,
          toUnixTimestamp64Milli(window_end) AS end, attribute, group_label, scope, metric,
          value, numerator, denominator, ci_low, ci_high, p_value, reference_group,
          toString(sample_size) AS sample_size, insufficient_evidence, reason,
          toString(revision) AS revision
        FROM ${database}.metrics_current ORDER BY metric DESC`,
      format: 'JSONEachRow',
    })
    const stored = await result.json<Record<string, unknown>>()

    expect(
      stored.map((row) => ({ ...row, start: Number(row.start), end: Number(row.end) })),
    ).toEqual(
      rows.map((row) => ({
        model_id: 'credit',
        window_size: '1d',
        start: window.windowStart,
        end: window.windowEnd,
        attribute: row.attribute,
        group_label: row.group ?? '',
        scope: row.scope,
        metric: row.metric,
        value: row.value,
        numerator: row.numerator,
        denominator: row.denominator,
        ci_low: row.ciLow,
        ci_high: row.ciHigh,
        p_value: row.pValue,
        reference_group: row.referenceGroup ?? '',
        sample_size: String(row.sampleSize),
        insufficient_evidence: row.insufficientEvidence ? 1 : 0,
        reason: row.reason ?? '',
        revision: window.revision,
      })),
    )
  })

  it('refuse a revision that is no engine time, and store nothing of the batch', async () => {
    const other = { ...window, windowStart: Date.UTC(2026, 2, 3), windowEnd: Date.UTC(2026, 2, 4) }

    const attempt = writeMetricRevisions(client, database, [other, { ...other, revision: 'soon' }])

    await expect(attempt).rejects.toBeInstanceOf(StoreError)
    await expect(attempt).rejects.toThrow(/"soon" is not a metric revision time/)
    const result = await client.query({
      query: `SELECT count() AS n FROM ${database}.metric_revisions
        WHERE window_start = fromUnixTimestamp64Milli(${other.windowStart}, 'UTC')`,
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([{ n: 0 }])
  })
})
