import type { MetricRow } from '@fairwatch/metrics'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '@clickhouse/client'
import { CloseNotVerifiedError } from '../src/errors'
import { PolicyRegistry } from '../src/policy/policy-registry'
import { GovernanceService } from '../src/service/governance-service'
import { embeddedClickHouse, manualClock } from './clickhouse-fixture'
import { metricRow } from './metric-row-fixture'

const database = 'governance_service_test'
const policyText = (models: string) => `
name: test-${models}
models: [${models}]
rules:
  - id: di
    title: Four fifths
    metric: disparate_impact
    scope: { attribute: sex }
    comparison: outside
    thresholds:
      warning: { low: 0.8, high: 1.25 }
      critical: { low: 0.5, high: 2 }
    minSample: 30
    significance: { required: true, alpha: 0.05 }
    persistence: { raiseAfter: 2, clearAfter: 2 }
    owner: risk-team
    runbook: https://runbooks.example.org/fairness
`

let client: ClickHouseClient
let close: () => Promise<void>
const clock = manualClock(new Date('2025-01-01T00:00:00Z'))
const logger = pino({ level: 'silent' })

const registry = new PolicyRegistry()

function service(policies = registry): GovernanceService {
  return new GovernanceService({ client, database, logger, clock: clock.now, registry: policies })
}

function day(n: number): Date {
  return new Date(Date.UTC(2025, 0, 1 + n))
}

const pass = (): MetricRow[] => [metricRow({ value: 1.0, pValue: 0.8 })]
const warning = (): MetricRow[] => [metricRow({ value: 0.7, pValue: 0.001 })]
const critical = (): MetricRow[] => [metricRow({ value: 0.4, pValue: 0.0001 })]
const tooSmall = (): MetricRow[] => [metricRow({ value: 1.0, pValue: 0.8, sampleSize: 5 })]

async function evaluate(svc: GovernanceService, modelId: string, n: number, rows: MetricRow[]) {
  clock.set(new Date(day(n + 1).getTime() + 60_000))
  return svc.evaluateWindow(rows, {
    modelId,
    windowStart: day(n),
    windowEnd: day(n + 1),
    windowSize: '1d',
    labelCoverage: 0.5,
  })
}

async function loadPolicyFor(svc: GovernanceService, ...models: string[]): Promise<void> {
  await svc.loadPolicies({
    documents: models.map((m) => ({ source: `${m}.yaml`, text: policyText(m) })),
    actor: 'ana',
    reason: 'test policies',
  })
}

const allModels = ['raise', 'oscillate', 'insufficient', 'close', 'critical', 'escalate', 'restart']

beforeAll(async () => {
  ;({ client, close } = await embeddedClickHouse(database))
})

afterAll(async () => {
  await close()
})

describe('GovernanceService on the embedded ClickHouse engine', () => {
  it('raises one nonconformity for a breach, however often its windows are evaluated', async () => {
    const svc = service()
    await loadPolicyFor(svc, ...allModels)

    const first = await evaluate(svc, 'raise', 0, warning())
    const second = await evaluate(svc, 'raise', 1, warning())
    const again = await evaluate(svc, 'raise', 1, warning())
    await evaluate(svc, 'raise', 2, warning())
    await evaluate(svc, 'raise', 3, warning())

    expect(first.raised).toEqual([])
    expect(second.raised).toHaveLength(1)
    expect(again.raised).toEqual([])
    const ncs = await svc.listNonconformities({ modelId: 'raise' })
    expect(ncs).toHaveLength(1)
    expect(ncs[0]).toMatchObject({
      status: 'open',
      ruleId: 'di',
      scopeKey: 'sex:female',
      owner: 'risk-team',
      breach: { severity: 'warning', episodeStart: day(0).toISOString() },
    })
    const raisedAudit = (await svc.auditEntries({ subjectId: ncs[0]?.id })).filter(
      (e) => e.action === 'nonconformity.raised',
    )
    expect(raisedAudit).toHaveLength(1)
    expect(raisedAudit[0]?.policyVersion).toBe(second.policyVersion)
  })

  it('does not flap on a metric oscillating around its threshold', async () => {
    const svc = service()

    for (let n = 0; n < 12; n++)
      await evaluate(svc, 'oscillate', n, n % 2 === 0 ? warning() : pass())

    expect(await svc.listNonconformities({ modelId: 'oscillate' })).toEqual([])
  })

  it('stores insufficient evidence, never a pass, for windows with few predictions', async () => {
    const svc = service()

    const reports = [
      await evaluate(svc, 'insufficient', 0, tooSmall()),
      await evaluate(svc, 'insufficient', 1, []),
    ]

    expect(reports.flatMap((r) => r.results.map((x) => [x.status, x.reason]))).toEqual([
      ['insufficient_evidence', 'sample_below_minimum'],
      ['insufficient_evidence', 'no_metric_rows'],
    ])
    const stored = await client.query({
      query: `SELECT status, toUInt32(count()) AS n FROM ${database}.evaluations FINAL
        WHERE model_id = 'insufficient' GROUP BY status`,
      format: 'JSONEachRow',
    })
    expect(await stored.json()).toEqual([{ status: 'insufficient_evidence', n: 2 }])
  })

  it('closes a nonconformity only after enough clean windows follow the correction', async () => {
    const svc = service()
    await evaluate(svc, 'close', 0, warning())
    const { raised } = await evaluate(svc, 'close', 1, warning())
    const id = raised[0]?.id as string
    await svc.transitionNonconformity(id, {
      to: 'investigating',
      actor: 'ana',
      rootCause: 'new data source',
    })
    await svc.transitionNonconformity(id, {
      to: 'action_planned',
      actor: 'ana',
      correctiveAction: 'reweigh training data',
    })
    clock.set(day(3))
    await svc.transitionNonconformity(id, { to: 'action_taken', actor: 'bo' })
    await svc.transitionNonconformity(id, { to: 'verifying', actor: 'bo' })

    await evaluate(svc, 'close', 2, pass())
    await evaluate(svc, 'close', 3, pass())
    await evaluate(svc, 'close', 4, tooSmall())
    const early = await svc
      .transitionNonconformity(id, { to: 'closed', actor: 'ana' })
      .catch((e: unknown) => e)
    await evaluate(svc, 'close', 5, pass())
    const closed = await svc.transitionNonconformity(id, {
      to: 'closed',
      actor: 'ana',
      reason: 'rates aligned',
    })

    // Day 2 began before the action was taken (day 3) and does not count; day 4 is inconclusive.
    expect(early).toBeInstanceOf(CloseNotVerifiedError)
    expect(early).toMatchObject({ cleanWindows: 1, requiredCleanWindows: 2 })
    expect(closed.status).toBe('closed')
    expect(closed.effectiveness).toMatchObject({
      effective: true,
      cleanWindows: 2,
      inconclusiveWindows: 1,
    })
    expect(closed.effectiveness?.windows.map((w) => w.windowStart)).toEqual([
      day(3).toISOString(),
      day(4).toISOString(),
      day(5).toISOString(),
    ])
    const actions = (await svc.auditEntries({ subjectId: id })).map((e) => e.action)
    expect(actions).toContain('nonconformity.close_refused')
  })

  it('opens a new nonconformity linked to the closed one when the breach recurs', async () => {
    const svc = service()
    const [closed] = await svc.listNonconformities({ modelId: 'close', status: 'closed' })

    await evaluate(svc, 'close', 6, warning())
    const { raised } = await evaluate(svc, 'close', 7, warning())

    expect(raised).toHaveLength(1)
    expect(raised[0]?.previousId).toBe(closed?.id)
    expect(raised[0]?.id).not.toBe(closed?.id)
  })

  it('opens one incident for a critical breach and shows its Article 73 due date', async () => {
    const svc = service()

    await evaluate(svc, 'critical', 0, critical())
    const confirmed = await evaluate(svc, 'critical', 1, critical())
    await evaluate(svc, 'critical', 2, critical())
    const incidentId = confirmed.incidentsOpened[0]?.id as string
    const classified = await svc.classifyIncident(incidentId, {
      category: 'widespread_infringement',
      awareAt: new Date('2025-01-03T10:00:00Z'),
      actor: 'dpo',
      reason: 'affects every applicant of one group',
    })
    const acknowledged = await svc.transitionIncident(incidentId, {
      to: 'acknowledged',
      actor: 'oncall',
    })

    expect(await svc.listIncidents({ modelId: 'critical' })).toHaveLength(1)
    expect(classified.serious?.reportDueAt).toBe('2025-01-05T10:00:00.000Z')
    expect(acknowledged.status).toBe('acknowledged')
    const [nc] = await svc.listNonconformities({ modelId: 'critical' })
    expect(nc?.incidentIds).toEqual([incidentId])
    expect(acknowledged.nonconformityIds).toEqual([nc?.id])
  })

  it('escalates a warning nonconformity and opens an incident as the breach worsens', async () => {
    const svc = service()
    await evaluate(svc, 'escalate', 0, warning())
    const { raised } = await evaluate(svc, 'escalate', 1, warning())

    const worse = await evaluate(svc, 'escalate', 2, critical())

    expect(worse.raised).toEqual([])
    expect(worse.incidentsOpened).toHaveLength(1)
    const nc = await svc.getNonconformity(raised[0]?.id as string)
    expect(nc.breach.severity).toBe('critical')
    expect(nc.incidentIds).toEqual([worse.incidentsOpened[0]?.id])
  })

  it('keeps persistence across a restart: state derives from stored evaluations', async () => {
    const before = service()
    await evaluate(before, 'restart', 0, warning())

    const after = service(new PolicyRegistry())
    await loadPolicyFor(after, ...allModels)
    const report = await evaluate(after, 'restart', 1, warning())

    expect(report.raised).toHaveLength(1)
  })

  it('audits policy changes with who and why; a broken one keeps the last good one', async () => {
    const policies = new PolicyRegistry()
    const svc = service(policies)
    await loadPolicyFor(svc, 'audited')
    const good = policies.policyFor('audited').version

    const report = await svc.loadPolicies({
      documents: [
        { source: 'audited.yaml', text: policyText('audited').replace('low: 0.8', 'low: eight') },
      ],
      actor: 'bo',
      reason: 'tighten the band',
    })

    expect(report.refused[0]?.issues.map((i) => i.path)).toEqual(['rules[0].thresholds.warning'])
    expect(policies.policyFor('audited').version).toBe(good)
    const entries = await svc.auditEntries({ subjectId: 'test-audited' })
    expect(entries.map((e) => [e.action, e.actor, e.reason, e.policyVersion])).toEqual([
      ['policy.added', 'ana', 'test policies', good],
    ])
    const refused = await svc.auditEntries({ subjectId: 'audited.yaml' })
    expect(refused.map((e) => [e.action, e.actor, e.reason])).toEqual([
      ['policy.refused', 'bo', 'tighten the band'],
    ])
  })

  it('keeps an audit trail of it all that verifies across every instance’s chain', async () => {
    const svc = service()

    const verification = await svc.verifyAudit()

    expect(verification.problem).toBeNull()
    expect(verification.chains).toBeGreaterThan(5)
  })
})
