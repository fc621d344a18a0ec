import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type { ClickHouseClient } from '@clickhouse/client'
import { parseEvent } from '@fairwatch/contract'
import type { EventRecord } from '@fairwatch/contract'
import type { MetricRow } from '@fairwatch/metrics'
import { FairnessPipeline, computeWindowMetricRows, settingsFrom } from '@fairwatch/pipeline'
import type { PipelineSettings } from '@fairwatch/pipeline'
import { generateEvents } from '@fairwatch/simulator'
import {
  applyMigrations,
  countOrphanOutcomes,
  createStoreClient,
  storeMigrations,
} from '@fairwatch/store'
import type { WindowMetrics } from '@fairwatch/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { referenceCounts } from './reference-counts.ts'

const DAY = 86_400_000
let client: ClickHouseClient
let database = 'pipeline_test'
let databases = 0

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-pipeline-'))
  client = createStoreClient({ database, dataDir }).client
})

afterAll(async () => {
  await client.close()
})

/** A fresh database per test, so tests do not see each other's events. */
async function freshPipeline(
  settings: PipelineSettings,
  options: { eventsPerRun?: number } = {},
): Promise<FairnessPipeline> {
  databases += 1
  database = `pipeline_test_${databases}`
  await applyMigrations(client, database, storeMigrations)
  return new FairnessPipeline({ client, database, settings, ...options })
}

function records(lines: readonly string[]): EventRecord[] {
  return lines.flatMap((line) => {
    const parsed = parseEvent(line)
    return parsed.ok ? [parsed.record] : []
  })
}

async function store(pipeline: FairnessPipeline, lines: readonly string[], token?: string) {
  const all = records(lines)
  await pipeline.store(
    {
      predictions: all.filter((r) => r.kind === 'prediction'),
      outcomes: all.filter((r) => r.kind === 'outcome'),
    },
    { deduplicationToken: token },
  )
}

function prediction(id: string, time: string, decision: 0 | 1, sex: string, eventId = `p-${id}`) {
  return JSON.stringify({
    kind: 'prediction',
    event_id: eventId,
    model_id: 'credit',
    model_version: '1',
    prediction_id: id,
    timestamp: time,
    prediction: decision,
    attributes: { sex },
  })
}

function outcome(id: string, time: string, value: 0 | 1, eventId = `o-${id}-${time}`) {
  return JSON.stringify({
    kind: 'outcome',
    event_id: eventId,
    model_id: 'credit',
    prediction_id: id,
    timestamp: time,
    outcome: value,
  })
}

function metric(window: WindowMetrics | undefined, attribute: string, group: string, name: string) {
  return window?.rows.find(
    (r) => r.attribute === attribute && r.group === group && r.metric === name,
  )
}

function expectRowsClose(actual: readonly MetricRow[], expected: readonly MetricRow[]) {
  expect(actual.map((r) => `${r.attribute}/${r.group}/${r.metric}`)).toEqual(
    expected.map((r) => `${r.attribute}/${r.group}/${r.metric}`),
  )
  actual.forEach((row, i) => {
    const want = expected[i] as MetricRow
    for (const key of ['value', 'numerator', 'denominator', 'ciLow', 'ciHigh', 'pValue'] as const) {
      const a = row[key]
      const b = want[key]
      if (a === null || b === null) expect(a, `${row.metric} ${key}`).toBe(b)
      else expect(a, `${row.attribute}/${row.group}/${row.metric} ${key}`).toBeCloseTo(b, 9)
    }
    expect(row.insufficientEvidence).toBe(want.insufficientEvidence)
    expect(row.reason).toBe(want.reason)
  })
}

describe('FairnessPipeline', () => {
  it('counts simulated traffic exactly as an independent in-memory join does', async () => {
    const settings = settingsFrom({
      windows: ['1d'],
      models: { 'credit-scoring': { intersections: [['ethnicity', 'sex']] } },
    })
    const pipeline = await freshPipeline(settings)
    const lines = [...generateEvents({ seed: 7, count: 20_000 })].map((e) => JSON.stringify(e))

    for (let i = 0; i < lines.length; i += 3_000) await store(pipeline, lines.slice(i, i + 3_000))
    const windows = await pipeline.recompute()

    const model = settings.model('credit-scoring')
    const expected = referenceCounts(lines, 'credit-scoring', DAY, model)
    expect(windows.map((w) => w.windowStart)).toEqual(expected.map((w) => w.windowStart))
    windows.forEach((window, i) => {
      const reference = expected[i]
      if (!reference) throw new Error('missing reference window')
      expectRowsClose(window.rows, computeWindowMetricRows(reference, model, 0.95))
    })
  })

  it('counts the same in a full recount split into several runs', async () => {
    const settings = settingsFrom({
      windows: ['1d', 'all'],
      models: { 'credit-scoring': { intersections: [['ethnicity', 'sex']] } },
    })
    const pipeline = await freshPipeline(settings, { eventsPerRun: 2_500 })
    const lines = [...generateEvents({ seed: 11, count: 20_000 })].map((e) => JSON.stringify(e))
    // Several runs, not one.
    expect(records(lines).filter((r) => r.kind === 'prediction').length).toBeGreaterThan(4 * 2_500)
    for (let i = 0; i < lines.length; i += 5_000) await store(pipeline, lines.slice(i, i + 5_000))

    const windows = await pipeline.recomputeAll()

    const model = settings.model('credit-scoring')
    const daily = referenceCounts(lines, 'credit-scoring', DAY, model)
    const [overall] = referenceCounts(lines, 'credit-scoring', null, model)
    const expected = [...daily, overall]
    expect(windows.map((w) => [w.windowSize, w.windowStart])).toEqual([
      ...daily.map((w) => ['1d', w.windowStart]),
      ['all', 0],
    ])
    windows.forEach((window, i) => {
      const reference = expected[i]
      if (!reference) throw new Error('missing reference window')
      expectRowsClose(window.rows, computeWindowMetricRows(reference, model, 0.95))
    })
  })

  it('recomputes a backlog of more windows than it publishes at once', async () => {
    const settings = settingsFrom({ windows: ['1h'] })
    await freshPipeline(settings)
    const published: number[] = []
    const pipeline = new FairnessPipeline({
      client,
      database,
      settings,
      onWindowMetrics: async (windows) => {
        published.push(windows.length)
      },
    })
    const lines: string[] = []
    const start = Date.UTC(2024, 0, 1)
    for (let hour = 0; hour < 450; hour += 1) {
      for (let i = 0; i < 4; i += 1) {
        const id = `h${hour}-${i}`
        const time = new Date(start + hour * 3_600_000 + i * 60_000).toISOString()
        lines.push(prediction(id, time, (i % 2) as 0 | 1, i < 2 ? 'f' : 'm'))
        if (i !== 3) lines.push(outcome(id, time, ((hour + i) % 2) as 0 | 1))
      }
    }
    await store(pipeline, lines)

    const windows = await pipeline.recompute()

    const model = settings.model('credit')
    const expected = referenceCounts(lines, 'credit', 3_600_000, model)
    expect(windows).toHaveLength(450)
    expect(published).toEqual([200, 200, 50])
    windows.forEach((window, i) => {
      const reference = expected[i]
      if (!reference) throw new Error('missing reference window')
      expect(window.windowStart).toBe(reference.windowStart)
      expectRowsClose(window.rows, computeWindowMetricRows(reference, model, 0.95))
    })
  })

  it('revises a window when a late outcome arrives and keeps the earlier revision', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    await store(pipeline, [
      prediction('a', '2024-05-01T10:00:00Z', 1, 'f'),
      prediction('b', '2024-05-01T11:00:00Z', 1, 'f'),
    ])
    const [before] = await pipeline.recompute()

    await store(pipeline, [outcome('a', '2026-05-01T00:00:00Z', 1)])
    const [after] = await pipeline.recompute()

    expect(metric(before, 'sex', 'f', 'label_coverage')?.value).toBe(0)
    expect(after?.windowStart).toBe(Date.UTC(2024, 4, 1))
    expect(metric(after, 'sex', 'f', 'label_coverage')?.value).toBe(0.5)
    expect(metric(after, 'sex', 'f', 'tpr')).toMatchObject({ numerator: 1, denominator: 1 })
    const revisions = await client.query({
      query: `SELECT count(DISTINCT revision) AS n FROM ${database}.metric_revisions`,
      format: 'JSONEachRow',
    })
    expect((await revisions.json<{ n: string }>()).map((r) => Number(r.n))).toEqual([2])
  })

  it('joins an outcome that arrives before its prediction', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))

    await store(pipeline, [outcome('a', '2024-05-09T00:00:00Z', 0)])
    expect(await pipeline.recompute()).toEqual([])
    await store(pipeline, [prediction('a', '2024-05-01T10:00:00Z', 1, 'f')])
    const [window] = await pipeline.recompute()

    expect(metric(window, 'sex', 'f', 'fpr')).toMatchObject({ numerator: 1, denominator: 1 })
  })

  it('lets a later outcome correct the label and counts duplicates once', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    const first = prediction('a', '2024-05-01T10:00:00Z', 1, 'f')

    await store(pipeline, [first, first, outcome('a', '2024-05-05T00:00:00Z', 0)])
    await store(pipeline, [first, outcome('a', '2024-05-09T00:00:00Z', 1)])
    const [window] = await pipeline.recompute()

    expect(metric(window, 'sex', 'f', 'selection_rate')).toMatchObject({
      numerator: 1,
      denominator: 1,
    })
    expect(metric(window, 'sex', 'f', 'tpr')).toMatchObject({ numerator: 1, denominator: 1 })
    expect(metric(window, 'sex', 'f', 'fpr')).toMatchObject({ denominator: 0, value: null })
  })

  it('breaks a tie in event time by event id as text, whatever the arrival order', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    const time = '2024-05-01T10:00:00.250Z'
    const labelled = '2024-05-08T00:00:00Z'

    // 'p-9' sorts after 'p-10' as text; it wins although it was stored first.
    await store(pipeline, [prediction('a', time, 0, 'm', 'p-9')])
    await store(pipeline, [
      prediction('a', time, 1, 'f', 'p-10'),
      outcome('a', labelled, 1, 'o-b'),
      outcome('a', labelled, 0, 'o-a'),
    ])
    const [window] = await pipeline.recompute()

    expect(metric(window, 'sex', 'm', 'selection_rate')).toMatchObject({
      numerator: 0,
      denominator: 1,
    })
    expect(metric(window, 'sex', 'f', 'selection_rate')).toBeUndefined()
    expect(metric(window, 'sex', 'm', 'fnr')).toMatchObject({ numerator: 1, denominator: 1 })
  })

  it('stores a batch retried with the same token once', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    const batch = [prediction('a', '2024-05-01T10:00:00Z', 1, 'f', 'e1')]

    await store(pipeline, batch, 'predictions/0/0-0')
    await store(pipeline, batch, 'predictions/0/0-0')

    const rows = await client.query({
      query: `SELECT count() AS n FROM ${database}.predictions`,
      format: 'JSONEachRow',
    })
    expect((await rows.json<{ n: string }>()).map((r) => Number(r.n))).toEqual([1])
  })

  it('reports outcomes whose prediction never arrived', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))

    await store(pipeline, [
      prediction('a', '2024-05-01T10:00:00Z', 1, 'f'),
      outcome('ghost', '2024-05-02T00:00:00Z', 1),
    ])

    expect(await countOrphanOutcomes(client, database)).toEqual(new Map([['credit', 1]]))
  })

  it('recomputes only the windows a batch changed', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    await store(pipeline, [
      prediction('a', '2024-05-01T10:00:00Z', 1, 'f'),
      prediction('b', '2024-05-03T10:00:00Z', 1, 'm'),
    ])
    await pipeline.recompute()

    await store(pipeline, [outcome('b', '2024-06-01T00:00:00Z', 1)])
    const windows = await pipeline.recompute()

    expect(windows.map((w) => new Date(w.windowStart).toISOString())).toEqual([
      '2024-05-03T00:00:00.000Z',
    ])
  })

  it('looks up outcome windows of several batches once, at the next recompute', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    await store(pipeline, [
      prediction('a', '2024-05-01T10:00:00Z', 1, 'f'),
      prediction('b', '2024-05-03T10:00:00Z', 1, 'm'),
      prediction('c', '2024-05-05T10:00:00Z', 0, 'm'),
    ])
    await pipeline.recompute()

    await store(pipeline, [outcome('a', '2024-06-01T00:00:00Z', 0)])
    await store(pipeline, [outcome('b', '2024-06-02T00:00:00Z', 1)])
    await store(pipeline, [outcome('a', '2024-06-03T00:00:00Z', 1)])
    const pendingBefore = pipeline.pendingOutcomes
    const windows = await pipeline.recompute()

    expect(pendingBefore).toBe(2)
    expect(pipeline.pendingOutcomes).toBe(0)
    expect(pipeline.pendingWindows).toBe(0)
    expect(windows.map((w) => new Date(w.windowStart).toISOString())).toEqual([
      '2024-05-01T00:00:00.000Z',
      '2024-05-03T00:00:00.000Z',
    ])
    expect(metric(windows[0], 'sex', 'f', 'tpr')).toMatchObject({ numerator: 1, denominator: 1 })
  })

  it('reports predictions lacking an attribute as their own row, outside comparisons', async () => {
    const pipeline = await freshPipeline(
      settingsFrom({ windows: ['all'], models: { credit: { attributes: ['sex'] } } }),
    )
    const noSex = JSON.stringify({
      ...JSON.parse(prediction('c', '2024-05-01T12:00:00Z', 0, 'x')),
      attributes: {},
    })

    await store(pipeline, [prediction('a', '2024-05-01T10:00:00Z', 1, 'f'), noSex])
    const [window] = await pipeline.recompute()

    expect(metric(window, 'sex', '(missing)', 'selection_rate')).toMatchObject({
      scope: 'missing',
      numerator: 0,
      denominator: 1,
    })
    const parity = window?.rows.find((r) => r.metric === 'demographic_parity_difference')
    expect(parity).toMatchObject({ value: null, reason: 'fewer_than_two_groups' })
  })

  it('recomputes again a window that events reached while it was being recomputed', async () => {
    const settings = settingsFrom({ windows: ['1d'] })
    await freshPipeline(settings) // for its fresh database
    let storedDuringRecompute = false
    const pipeline = new FairnessPipeline({
      client,
      database,
      settings,
      onWindowMetrics: async () => {
        if (storedDuringRecompute) return
        storedDuringRecompute = true
        await store(pipeline, [prediction('b', '2024-05-01T11:00:00Z', 0, 'm')])
      },
    })
    await store(pipeline, [prediction('a', '2024-05-01T10:00:00Z', 1, 'f')])

    const [first] = await pipeline.recompute()
    const pendingAfterFirst = pipeline.pendingWindows
    const [second] = await pipeline.recompute()

    expect(metric(first, 'sex', 'm', 'selection_rate')).toBeUndefined()
    expect(pendingAfterFirst).toBe(1)
    expect(metric(second, 'sex', 'm', 'selection_rate')).toMatchObject({
      numerator: 0,
      denominator: 1,
    })
  })

  it('refuses a second recompute while one runs', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    await store(pipeline, [prediction('a', '2024-05-01T10:00:00Z', 1, 'f')])

    const running = pipeline.recompute()
    const second = pipeline.recompute()

    await expect(second).rejects.toMatchObject({ code: 'FW_PIPELINE_STATE' })
    expect(await running).toHaveLength(1)
  })

  it('shows in metrics_current only the rows of the latest revision of each window', async () => {
    const pipeline = await freshPipeline(settingsFrom({ windows: ['1d'] }))
    const at = '2024-05-01T10:00:00Z'
    await store(pipeline, [
      prediction('a1', at, 1, 'f'),
      prediction('a2', at, 1, 'f'),
      prediction('b1', at, 0, 'm'),
    ])
    await pipeline.recompute()

    // m grows into the largest group, so it becomes the reference and f is compared with it.
    await store(
      pipeline,
      ['b2', 'b3', 'b4'].map((id) => prediction(id, at, 0, 'm')),
    )
    await pipeline.recompute()

    const result = await client.query({
      query: `SELECT DISTINCT group_label, reference_group FROM ${database}.metrics_current
              WHERE scope = 'vs_reference'`,
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([{ group_label: 'f', reference_group: 'm' }])
  })
})
