import type { ClickHouseClient } from '@clickhouse/client'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RuleEvaluation, WindowContext } from '../src/evaluation/evaluation-types'
import { PolicyRegistry } from '../src/policy/policy-registry'
import { GovernanceService } from '../src/service/governance-service'
import { embeddedClickHouse, manualClock } from './clickhouse-fixture'
import { metricRow } from './metric-row-fixture'

const database = 'governance_relative_baseline_test'

// The female group's selection rate may fall 0.05 below its baseline before a warning and 0.15
// before a critical breach.
const policyText = (baseline: string, models: readonly string[]) => `
name: relative-${models.join('-')}
models: [${models.join(', ')}]
defaults:
  owner: risk-team
rules:
  - id: selection
    metric: selection_rate
    scope: { attribute: sex, group: female }
    comparison: below
    thresholds: { relativeTo: baseline, baseline: ${baseline}, warning: 0.05, critical: 0.15 }
    minSample: 30
`
// Days 0, 1 and 2 of January 2025.
const range = `{ start: '2025-01-01T00:00:00Z', end: '2025-01-04T00:00:00Z' }`

const callStyles = ['one call per window', 'one call for all windows'] as const
type CallStyle = (typeof callStyles)[number]

const modelsOf = (kind: string) => callStyles.map((style) => `${kind}-${style.split(' ')[1]}`)
const rangeModels = modelsOf('range')
const firstWindowModels = modelsOf('first')

const registry = new PolicyRegistry()
registry.load([
  { source: 'range.yaml', text: policyText(range, rangeModels) },
  { source: 'first.yaml', text: policyText('first_window', firstWindowModels) },
])

const logger = pino({ level: 'silent' })
const clock = manualClock(new Date('2025-02-01T00:00:00Z'))
let client: ClickHouseClient
let close: () => Promise<void>

function day(n: number): Date {
  return new Date(Date.UTC(2025, 0, 1 + n))
}

interface Window {
  day: number
  /** Selection rate of the female group. */
  value: number
  sampleSize?: number
}

function windowOf(modelId: string, w: Window) {
  return {
    rows: [
      metricRow({
        scope: 'group',
        metric: 'selection_rate',
        group: 'female',
        referenceGroup: null,
        value: w.value,
        pValue: null,
        sampleSize: w.sampleSize ?? 200,
      }),
    ],
    window: {
      modelId,
      windowStart: day(w.day),
      windowEnd: day(w.day + 1),
      windowSize: '1d',
      labelCoverage: 0.5,
    } satisfies WindowContext,
  }
}

/** The selection rule's result of each window, evaluated in the given call style. */
async function evaluate(
  style: CallStyle,
  modelId: string,
  windows: readonly Window[],
): Promise<RuleEvaluation[]> {
  const svc = new GovernanceService({ client, database, logger, clock: clock.now, registry })
  const batch = windows.map((w) => windowOf(modelId, w))
  const reports = []
  if (style === 'one call per window') {
    for (const { rows, window } of batch) {
      clock.advance(60_000)
      reports.push(await svc.evaluateWindow(rows, window))
    }
  } else {
    clock.advance(60_000)
    reports.push(...(await svc.evaluateWindows(batch)))
  }
  return reports.map((r) => {
    const [result] = r.results
    if (!result || r.results.length !== 1) throw new Error('expected one result per window')
    return result
  })
}

beforeAll(async () => {
  ;({ client, close } = await embeddedClickHouse(database))
})

afterAll(async () => {
  await close()
})

describe.each(callStyles)('relative thresholds, %s', (style) => {
  const index = callStyles.indexOf(style)

  it('takes a date-range baseline from the windows inside the range and judges later windows by it', async () => {
    const modelId = rangeModels[index] as string
    const windows: Window[] = [
      { day: 0, value: 0.49 },
      { day: 1, value: 0.51 },
      // Too few predictions to count: with it the baseline would be (98 + 102 + 2.5) / 425.
      { day: 2, value: 0.1, sampleSize: 25 },
      { day: 3, value: 0.5 },
      { day: 4, value: 0.42 },
      { day: 5, value: 0.3 },
    ]

    const results = await evaluate(style, modelId, windows)

    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['insufficient_evidence', 'baseline_window'],
      ['insufficient_evidence', 'baseline_window'],
      ['insufficient_evidence', 'sample_below_minimum'],
      ['pass', null],
      ['warning', null],
      ['critical', null],
    ])
    // (0.49 × 200 + 0.51 × 200) / 400
    for (const r of results.slice(3)) expect(r.baseline).toBeCloseTo(0.5, 12)
    expect(results[4]?.thresholds?.warning).toBeCloseTo(0.45, 12)
    expect(results[5]?.thresholds?.critical).toBeCloseTo(0.35, 12)
  })

  it('takes a first-window baseline from the first window with enough predictions', async () => {
    const modelId = firstWindowModels[index] as string
    const windows: Window[] = [
      { day: 0, value: 0.1, sampleSize: 25 },
      { day: 1, value: 0.5 },
      { day: 2, value: 0.5 },
      { day: 3, value: 0.42 },
      { day: 4, value: 0.3 },
    ]

    const results = await evaluate(style, modelId, windows)

    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['insufficient_evidence', 'sample_below_minimum'],
      ['insufficient_evidence', 'baseline_window'],
      ['pass', null],
      ['warning', null],
      ['critical', null],
    ])
    expect(results.slice(2).map((r) => r.baseline)).toEqual([0.5, 0.5, 0.5])
  })
})
