import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { ClickHouseClient } from '@clickhouse/client'
import { checkEvent, parseEvent } from '@fairwatch/contract'
import type { OutcomeRecord, PredictionRecord } from '@fairwatch/contract'
import { GovernanceService, governanceMigrations } from '@fairwatch/governance'
import type { WindowEvaluationReport } from '@fairwatch/governance'
import { silentLogger } from '@fairwatch/observability'
import { FairnessPipeline, settingsFrom } from '@fairwatch/pipeline'
import { generateEvents } from '@fairwatch/simulator'
import type { CreditSimulationOptions } from '@fairwatch/simulator'
import { applyMigrations, createStoreClient, storeMigrations } from '@fairwatch/store'
import type { RejectedEvent, WindowMetrics } from '@fairwatch/store'

/** One simulated model of the seeded store. */
export interface SeededModel {
  modelId: string
  events: number
  simulation: CreditSimulationOptions
}

/** What the seeded store holds, for the tests to check panel results against. */
export interface SeededStore {
  client: ClickHouseClient
  database: string
  models: readonly SeededModel[]
  predictions: readonly PredictionRecord[]
  outcomes: readonly OutcomeRecord[]
  rejected: readonly RejectedEvent[]
  /** Every window the pipeline computed (daily windows). */
  windows: readonly WindowMetrics[]
  reports: readonly WindowEvaluationReport[]
  governance: GovernanceService
  /** Simulated time the governance clock stood at once seeding was done. */
  now: Date
  close(): Promise<void>
}

const SIMULATION_START = '2025-03-03T00:00:00Z'
const STARTER_POLICY = join(import.meta.dirname, '../../packages/governance/policies/starter.yaml')

/**
 * Policy of `credit-steady`: rules with single-number thresholds in both directions and a sample
 * small enough for the seeded volume, so that threshold lines of both kinds have evaluations.
 */
const STEADY_POLICY = `
name: steady
models: [credit-steady]
defaults: { owner: credit-risk, minSample: 30, persistence: { raiseAfter: 2, clearAfter: 3 } }
rules:
  - id: selection-floor
    title: Every group approved at least half the time
    metric: selection_rate
    scope: { attribute: '*' }
    comparison: below
    thresholds: { warning: 0.5, critical: 0.4 }
  - id: opportunity-gap
    title: Gap in true positive rate between groups at most 0.15
    metric: equal_opportunity_difference
    scope: { attribute: '*' }
    comparison: above
    thresholds: { warning: 0.15, critical: 0.3 }
`

/**
 * Two simulated credit models, small enough for a shared machine: `credit-drifting` drifts against
 * ethnicity=black from its second day on (strongly, so that a few hundred applications a day
 * confirm a critical breach), `credit-steady` stays fair.
 */
export const SEEDED_MODELS: readonly SeededModel[] = [
  {
    modelId: 'credit-drifting',
    events: 9000,
    simulation: {
      seed: 11,
      start: SIMULATION_START,
      modelId: 'credit-drifting',
      applicationsPerDay: 400,
      drift: { startDay: 1, rampDays: 2, scoreBias: 2.5, noiseIncrease: 0.6 },
      outcomes: { minDelayDays: 2, medianDelayDays: 4, maxDelayDays: 10 },
    },
  },
  {
    modelId: 'credit-steady',
    events: 4000,
    simulation: {
      seed: 12,
      start: SIMULATION_START,
      modelId: 'credit-steady',
      applicationsPerDay: 200,
      drift: false,
      outcomes: { minDelayDays: 2, medianDelayDays: 4, maxDelayDays: 10 },
    },
  },
]

/** Events that fail the contract, stored as the worker stores dead-lettered ones. */
const BAD_EVENTS: readonly { sourceRef: string; text: string }[] = [
  { sourceRef: 'fairness.predictions/0/17', text: '{"kind":"prediction",' },
  { sourceRef: 'fairness.predictions/0/18', text: '{"kind":"prediction",' },
  { sourceRef: 'fairness.predictions/1/4', text: '{"kind":"guess"}' },
]

/**
 * Runs simulated events through the real pipeline into the embedded ClickHouse engine (daily
 * windows), evaluates every window with the starter policy (and a policy of its own for
 * credit-steady), so that evaluations, nonconformities
 * and incidents come from a real breach, then plays an on-call rota: the first incident is
 * acknowledged 2 hours after it opened and classified as serious, the first nonconformity gets a
 * corrective action with a due date that has passed. One data directory per call.
 */
export async function seedStore(database = 'fairwatch'): Promise<SeededStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fairwatch-dashboards-'))
  const { client } = createStoreClient({ database, dataDir })
  await applyMigrations(client, database, storeMigrations)
  await applyMigrations(client, database, governanceMigrations)

  let clock = new Date(SIMULATION_START)
  const governance = new GovernanceService({
    client,
    database,
    logger: silentLogger(),
    clock: () => clock,
    auditChainId: 'dashboards-test',
  })
  await governance.loadPolicies({
    documents: [
      { source: 'starter.yaml', text: readFileSync(STARTER_POLICY, 'utf8') },
      { source: 'steady.yaml', text: STEADY_POLICY },
    ],
    actor: 'test:dashboards',
    reason: 'seed the dashboards test store',
  })
  const pipeline = new FairnessPipeline({
    client,
    database,
    settings: settingsFrom({ windows: ['1d'], min_sample: 30 }),
  })

  const predictions: PredictionRecord[] = []
  const outcomes: OutcomeRecord[] = []
  for (const model of SEEDED_MODELS) {
    for (const event of generateEvents({ ...model.simulation, count: model.events })) {
      const parsed = checkEvent(event)
      if (!parsed.ok) throw new Error(`simulated event refused: ${parsed.rejection.message}`)
      if (parsed.record.kind === 'prediction') predictions.push(parsed.record)
      else outcomes.push(parsed.record)
    }
  }
  const rejected: RejectedEvent[] = BAD_EVENTS.map(({ sourceRef, text }) => {
    const parsed = parseEvent(text)
    if (parsed.ok) throw new Error(`expected ${text} to be refused`)
    return { source: 'kafka', sourceRef, rejection: parsed.rejection }
  })

  await pipeline.store({ predictions, outcomes, rejected })
  const windows = await pipeline.recompute()
  windows.sort((a, b) => a.windowStart - b.windowStart || a.modelId.localeCompare(b.modelId))
  const reports: WindowEvaluationReport[] = []
  for (const window of windows) {
    // Each window is evaluated when it closes, as the worker would.
    clock = new Date(window.windowEnd)
    reports.push(...(await governance.evaluateWindowMetrics([window])))
  }

  const incident = reports.flatMap((r) => r.incidentsOpened)[0]
  if (incident) {
    clock = new Date(Date.parse(incident.openedAt) + 2 * 3600_000)
    await governance.transitionIncident(incident.id, {
      to: 'acknowledged',
      actor: 'oncall:alex',
      reason: 'looking into the approval gap',
    })
    await governance.classifyIncident(incident.id, {
      category: 'general',
      awareAt: clock,
      actor: 'oncall:alex',
      reason: 'applicants of one group refused credit at scale',
    })
  }
  const nonconformity = reports.flatMap((r) => r.raised)[0]
  if (nonconformity) {
    await governance.transitionNonconformity(nonconformity.id, {
      to: 'investigating',
      actor: 'risk:sam',
    })
    await governance.transitionNonconformity(nonconformity.id, {
      to: 'action_planned',
      actor: 'risk:sam',
      correctiveAction: 'retrain with reweighted samples',
      dueDate: new Date(clock.getTime() + 24 * 3600_000),
    })
  }
  clock = new Date(Date.parse(SIMULATION_START) + 30 * 24 * 3600_000)

  return {
    client,
    database,
    models: SEEDED_MODELS,
    predictions,
    outcomes,
    rejected,
    windows,
    reports,
    governance,
    now: clock,
    close: async () => {
      await client.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
