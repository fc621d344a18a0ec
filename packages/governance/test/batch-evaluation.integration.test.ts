import type { ClickHouseClient } from '@clickhouse/client'
import type { MetricRow } from '@fairwatch/metrics'
import { applyMigrations, type WindowMetrics } from '@fairwatch/store'
import fc from 'fast-check'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WindowContext } from '../src/evaluation/evaluation-types'
import { PolicyRegistry } from '../src/policy/policy-registry'
import { GovernanceService } from '../src/service/governance-service'
import { governanceMigrations } from '../src/storage/governance-migrations'
import { embeddedClickHouse } from './clickhouse-fixture'
import { spiedClient } from './client-spy'
import { metricRow } from './metric-row-fixture'

// One database evaluated a batch per call, the other one window per call.
const batchDb = 'governance_batch_test'
const singleDb = 'governance_single_test'
const policyText = `
name: batch
defaults:
  owner: risk-team
  persistence: { raiseAfter: 2, clearAfter: 2 }
rules:
  - id: di
    metric: disparate_impact
    scope: { attribute: sex }
    comparison: outside
    thresholds:
      warning: { low: 0.8, high: 1.25 }
      critical: { low: 0.5, high: 2 }
    significance: { required: true, alpha: 0.05 }
  - id: selection
    metric: selection_rate
    scope: { attribute: sex }
    comparison: below
    thresholds: { relativeTo: baseline, baseline: first_window, warning: 0.05, critical: 0.15 }
`
const targets = [{ name: 'on-call', url: 'http://127.0.0.1:9/hook', format: 'generic' as const }]
const logger = pino({ level: 'silent' })
const now = new Date('2025-03-01T00:00:00Z')
const registry = new PolicyRegistry()
registry.load([{ source: 'batch.yaml', text: policyText }])

let client: ClickHouseClient
let close: () => Promise<void>
let chains = 0

function service(database: string, on: ClickHouseClient = client): GovernanceService {
  chains += 1
  return new GovernanceService({
    client: on,
    database,
    logger,
    clock: () => now,
    registry,
    notificationTargets: targets,
    auditChainId: `${database}-${chains}`,
  })
}

function day(n: number): Date {
  return new Date(Date.UTC(2025, 0, 1 + n))
}

type Disparity = 'pass' | 'warning' | 'critical' | 'small' | 'none'

const disparityRows: Record<Disparity, () => MetricRow[]> = {
  pass: () => [metricRow({ value: 1.0, pValue: 0.8 })],
  warning: () => [metricRow({ value: 0.7, pValue: 0.001 })],
  critical: () => [metricRow({ value: 0.4, pValue: 0.0001 })],
  small: () => [metricRow({ value: 1.0, pValue: 0.8, sampleSize: 5 })],
  none: () => [],
}

interface Step {
  day: number
  disparity: Disparity
  /** Selection rate of the female group, judged against its first window. */
  selection: number
}

function batchOf(modelId: string, steps: readonly Step[]) {
  return steps.map((s) => ({
    rows: [
      ...disparityRows[s.disparity](),
      metricRow({ scope: 'group', metric: 'selection_rate', value: s.selection, pValue: null }),
    ],
    window: {
      modelId,
      windowStart: day(s.day),
      windowEnd: day(s.day + 1),
      windowSize: '1d',
      labelCoverage: 0.5,
    } satisfies WindowContext,
  }))
}

const steps = (days: [number, Disparity][], selection = 0.5): Step[] =>
  days.map(([d, disparity]) => ({ day: d, disparity, selection }))

async function rowsOf(query: string): Promise<unknown[]> {
  const result = await client.query({ query, format: 'JSONEachRow' })
  return result.json()
}

/** Everything a model's evaluation left in a database, comparable across databases. */
async function stateOf(database: string, modelId: string, chainId: string) {
  const model = `model_id = '${modelId}'`
  return {
    evaluations: await rowsOf(
      `SELECT * FROM ${database}.evaluations FINAL WHERE ${model}
        ORDER BY rule_id, scope_key, window_start`,
    ),
    nonconformities: await rowsOf(
      `SELECT document FROM ${database}.nonconformities FINAL WHERE ${model} ORDER BY id`,
    ),
    incidents: await rowsOf(
      `SELECT document FROM ${database}.incidents FINAL WHERE ${model} ORDER BY id`,
    ),
    notifications: await rowsOf(
      `SELECT id, event, subject_id, body FROM ${database}.notification_outbox FINAL
        WHERE position(body, '${modelId}') > 0 ORDER BY id`,
    ),
    // The batch writes the same entries in another order: records before results.
    audit: (
      await rowsOf(
        `SELECT action, subject_id, actor, reason, policy_version, before, after
          FROM ${database}.audit_log WHERE chain_id = '${chainId}'`,
      )
    )
      .map((row) => JSON.stringify(row))
      .sort(),
  }
}

async function evaluateBothWays(modelId: string, plan: readonly Step[][]) {
  const batched = service(batchDb)
  const single = service(singleDb)
  const batchReports = []
  const singleReports = []
  for (const call of plan) {
    const windows = batchOf(modelId, call)
    batchReports.push(...(await batched.evaluateWindows(windows)))
    for (const w of windows) singleReports.push(await single.evaluateWindow(w.rows, w.window))
  }
  return {
    batchReports,
    singleReports,
    batch: await stateOf(batchDb, modelId, batched.auditChainId),
    single: await stateOf(singleDb, modelId, single.auditChainId),
  }
}

async function count(database: string, table: string, modelId: string): Promise<number> {
  const [row] = (await rowsOf(
    `SELECT toUInt32(count()) AS n FROM ${database}.${table} FINAL WHERE model_id = '${modelId}'`,
  )) as { n: number }[]
  return row?.n ?? 0
}

beforeAll(async () => {
  ;({ client, close } = await embeddedClickHouse(batchDb))
  await applyMigrations(client, singleDb, governanceMigrations)
})

afterAll(async () => {
  await close()
})

describe('evaluating a batch of windows in one call', () => {
  it('leaves the same evaluations, records, notifications and audit actions as one call per window', async () => {
    const plan = [
      steps([
        [0, 'warning'],
        [1, 'warning'],
        [2, 'critical'],
        [3, 'pass'],
        [4, 'pass'],
        [5, 'warning'],
        [6, 'warning'],
        [1, 'warning'],
      ]),
    ]

    const { batchReports, singleReports, batch, single } = await evaluateBothWays('same', plan)

    expect(batchReports).toEqual(singleReports)
    expect(batch).toEqual(single)
    // Day 1 confirms, day 2 escalates to critical and opens the incident; the breach confirmed
    // again on day 6 finds that nonconformity still open and raises nothing.
    expect(batchReports.map((r) => [r.raised.length, r.incidentsOpened.length])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ])
    expect(batch.nonconformities).toHaveLength(1)
    expect(batch.incidents).toHaveLength(1)
    expect(batch.notifications).toHaveLength(2)
    const actions = batch.audit.map((e) => (JSON.parse(e) as { action: string }).action)
    expect(actions.filter((a) => a !== 'evaluation.recorded').sort()).toEqual([
      'incident.opened',
      'nonconformity.escalated',
      'nonconformity.linked',
      'nonconformity.raised',
      'notification.queued',
      'notification.queued',
    ])
    expect(actions.filter((a) => a === 'evaluation.recorded')).toHaveLength(8)
  })

  it('agrees with one call per window on random calls with late and repeated windows', async () => {
    const step = fc.record({
      day: fc.integer({ min: 0, max: 9 }),
      disparity: fc.constantFrom<Disparity>('pass', 'warning', 'critical', 'small', 'none'),
      selection: fc.constantFrom(0.5, 0.47, 0.42, 0.3),
    })
    let run = 0

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 3 }),
        async (plan) => {
          run += 1
          const outcome = await evaluateBothWays(`random-${run}`, plan)
          expect(outcome.batchReports).toEqual(outcome.singleReports)
          expect(outcome.batch).toEqual(outcome.single)
        },
      ),
      { numRuns: 8 },
    )
  })

  it('raises the nonconformity of a breach confirmed and cleared within one batch', async () => {
    const svc = service(batchDb)
    const windows = batchOf(
      'cleared',
      steps([
        [0, 'warning'],
        [1, 'warning'],
        [2, 'pass'],
        [3, 'pass'],
      ]),
    )

    const reports = await svc.evaluateWindows(windows)

    expect(reports.map((r) => r.raised.length)).toEqual([0, 1, 0, 0])
    // clearAfter 2: one clean window leaves the breach confirmed, the second clears it.
    expect(reports.map((r) => r.confirmed.length)).toEqual([0, 1, 1, 0])
    const [nc] = await svc.listNonconformities({ modelId: 'cleared' })
    expect(nc?.breach.episodeStart).toBe(day(0).toISOString())
    expect(nc?.breach.windows.map((w) => w.windowStart)).toEqual([
      day(0).toISOString(),
      day(1).toISOString(),
    ])
  })

  it('raises, opens and notifies nothing new when the same batch is evaluated again', async () => {
    const svc = service(batchDb)
    const windows = batchOf(
      'again',
      steps([
        [0, 'warning'],
        [1, 'critical'],
        [2, 'pass'],
        [3, 'pass'],
        [4, 'warning'],
        [5, 'warning'],
      ]),
    )
    const first = await svc.evaluateWindows(windows)
    const notifications = (await svc.pendingNotifications()).length

    const second = await svc.evaluateWindows(windows)

    // The breach confirmed again on day 5 finds the first nonconformity still open.
    expect(first.flatMap((r) => r.raised)).toHaveLength(1)
    expect(first.flatMap((r) => r.incidentsOpened)).toHaveLength(1)
    expect(second.flatMap((r) => [...r.raised, ...r.incidentsOpened])).toEqual([])
    expect(await count(batchDb, 'nonconformities', 'again')).toBe(1)
    expect(await count(batchDb, 'incidents', 'again')).toBe(1)
    expect(await svc.pendingNotifications()).toHaveLength(notifications)
  })

  it('completes a batch whose results failed to store without raising anything twice', async () => {
    const spy = spiedClient(client)
    const svc = service(batchDb, spy.client)
    const windows = batchOf(
      'retried',
      steps([
        [0, 'warning'],
        [1, 'warning'],
        [2, 'pass'],
        [3, 'pass'],
      ]),
    )
    spy.failNextInsert(`${batchDb}.evaluations`, 'before')

    const failed = await svc.evaluateWindows(windows).catch((e: unknown) => e)
    const storedAfterFailure = await count(batchDb, 'evaluations', 'retried')
    const retried = await svc.evaluateWindows(windows)

    expect(failed).toMatchObject({ code: 'FW_STORAGE_FAILED', retriable: true })
    expect(storedAfterFailure).toBe(0)
    expect(retried.flatMap((r) => r.raised)).toEqual([])
    expect(await count(batchDb, 'nonconformities', 'retried')).toBe(1)
    expect(await count(batchDb, 'evaluations', 'retried')).toBe(8)
    expect((await svc.verifyAudit()).problem).toBeNull()
  })

  it('reads the history and stores results once per call, however many windows it holds', async () => {
    const spy = spiedClient(client)
    const svc = service(batchDb, spy.client)
    const checkpoint = (modelId: string, days: number): WindowMetrics[] =>
      batchOf(
        modelId,
        Array.from({ length: days }, (_, d): Step => ({
          day: d,
          disparity: 'warning',
          selection: 0.5,
        })),
      ).map(({ rows, window }) => ({
        ...window,
        windowStart: window.windowStart.getTime(),
        windowEnd: window.windowEnd.getTime(),
        revision: '1',
        rows,
      }))
    const callsOf = async (windows: WindowMetrics[]) => {
      spy.calls.queries.length = 0
      spy.calls.inserts.length = 0
      const reports = await svc.evaluateWindowMetrics(windows)
      return { reports, queries: [...spy.calls.queries], inserts: [...spy.calls.inserts] }
    }

    // The first call also reads the head of the service's audit chain.
    await callsOf(checkpoint('cost-warm-up', 3))

    const short = await callsOf(checkpoint('cost-20', 20))
    const long = await callsOf(checkpoint('cost-60', 60))

    expect(long.reports).toHaveLength(60)
    expect(long.reports.flatMap((r) => r.raised)).toHaveLength(1)
    expect(long.queries.filter((q) => q.includes(`${batchDb}.evaluations`))).toHaveLength(1)
    expect(long.inserts.filter((t) => t === `${batchDb}.evaluations`)).toHaveLength(1)
    expect(long.queries).toHaveLength(short.queries.length)
    expect(long.inserts).toEqual(short.inserts)
  })
})
