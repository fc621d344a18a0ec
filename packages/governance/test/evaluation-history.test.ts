import { describe, expect, it } from 'vitest'
import { baselinesAt } from '../src/evaluation/baselines'
import { EvaluationHistory } from '../src/evaluation/evaluation-history'
import type {
  EvaluationStatus,
  InsufficiencyReason,
  RuleEvaluation,
} from '../src/evaluation/evaluation-types'
import type { StoredEvaluation } from '../src/storage/evaluation-store'
import { policyFrom } from './metric-row-fixture'

function day(n: number): Date {
  return new Date(Date.UTC(2025, 0, 1 + n))
}

function at(minute: number): Date {
  return new Date(Date.UTC(2025, 5, 1, 0, minute))
}

function stored(
  n: number,
  status: EvaluationStatus,
  value: number | null = 0.5,
  sampleSize = 100,
  scopeKey = 'sex:female',
  reason: InsufficiencyReason | null = null,
): StoredEvaluation {
  return {
    ruleId: 'sr',
    scopeKey,
    windowStart: day(n),
    status,
    reason,
    value,
    sampleSize,
    adjustedPValue: null,
  }
}

function result(n: number, status: EvaluationStatus, value: number | null = 0.5): RuleEvaluation {
  return {
    modelId: 'credit',
    windowStart: day(n),
    windowEnd: day(n + 1),
    windowSize: '1d',
    policyName: 'p',
    policyVersion: 'v1',
    ruleId: 'sr',
    metric: 'selection_rate',
    attribute: 'sex',
    group: 'female',
    referenceGroup: null,
    rowScope: 'group',
    scopeKey: 'sex:female',
    status,
    reason: null,
    value,
    ciLow: null,
    ciHigh: null,
    pValue: null,
    adjustedPValue: null,
    numerator: null,
    denominator: null,
    sampleSize: 100,
    labelCoverage: null,
    thresholds: null,
    baseline: null,
  }
}

const relative = (baseline: string) =>
  policyFrom(`
name: relative
rules:
  - id: sr
    metric: selection_rate
    scope: { attribute: sex }
    comparison: below
    thresholds: { relativeTo: baseline, baseline: ${baseline}, warning: 0.05, critical: 0.1 }
    owner: risk
`)

describe('EvaluationHistory', () => {
  it('orders a series by window start whatever order windows are recorded in', () => {
    const history = new EvaluationHistory([{ evaluation: stored(3, 'pass'), evaluatedAt: at(0) }])

    history.record([result(5, 'warning')], at(1))
    history.record([result(1, 'critical')], at(1))

    expect(history.series('sr', 'sex:female').map((e) => [e.windowStart, e.status])).toEqual([
      [day(1), 'critical'],
      [day(3), 'pass'],
      [day(5), 'warning'],
    ])
  })

  it('keeps the newest result of a window, the later one when both were made at the same time', () => {
    const history = new EvaluationHistory([
      { evaluation: stored(0, 'pass'), evaluatedAt: at(5) },
      { evaluation: stored(1, 'pass'), evaluatedAt: at(5) },
      { evaluation: stored(2, 'pass'), evaluatedAt: at(5) },
    ])

    history.record([result(0, 'warning')], at(6))
    history.record([result(1, 'warning')], at(5))
    history.record([result(2, 'warning')], at(4))

    expect(history.series('sr', 'sex:female').map((e) => e.status)).toEqual([
      'warning',
      'warning',
      'pass',
    ])
  })

  it('lists for storing only recorded results still kept, once per window', () => {
    const history = new EvaluationHistory([{ evaluation: stored(2, 'pass'), evaluatedAt: at(5) }])

    history.record([result(0, 'warning')], at(6))
    history.record([result(0, 'critical')], at(7))
    history.record([result(2, 'warning')], at(4))

    expect(
      history.unsaved().map((r) => [r.result.windowStart, r.result.status, r.evaluatedAt]),
    ).toEqual([[day(0), 'critical', at(7)]])
  })
})

describe('baselinesAt', () => {
  it('takes the first window with evidence that starts before the evaluated window', () => {
    const history = new EvaluationHistory(
      [
        stored(0, 'insufficient_evidence', 0.9, 100, 'sex:female', 'sample_below_minimum'),
        stored(1, 'pass', null),
        stored(2, 'pass', 0.42),
        stored(3, 'warning', 0.3),
      ].map((evaluation) => ({ evaluation, evaluatedAt: at(0) })),
    )

    const before = baselinesAt(relative('first_window'), history, day(2))
    const after = baselinesAt(relative('first_window'), history, day(3))

    expect(before('sr', 'sex:female')).toBeNull()
    expect(after('sr', 'sex:female')).toBe(0.42)
  })

  it('weights the windows with evidence inside a range by their sample size', () => {
    const history = new EvaluationHistory(
      [
        stored(0, 'pass', 0.4, 100),
        stored(1, 'warning', 0.6, 300),
        stored(2, 'insufficient_evidence', 0.9, 1000, 'sex:female', 'sample_below_minimum'),
        stored(3, 'pass', 0.9, 1000),
        stored(1, 'pass', 0.2, 100, 'sex:male'),
      ].map((evaluation) => ({ evaluation, evaluatedAt: at(0) })),
    )
    const range = `{ start: '2025-01-01T00:00:00Z', end: '2025-01-04T00:00:00Z' }`

    const lookup = baselinesAt(relative(range), history, day(10))

    // (0.4 × 100 + 0.6 × 300) / 400; day 2 lacks evidence and day 3 starts at the range's end.
    expect(lookup('sr', 'sex:female')).toBeCloseTo(0.55, 12)
    expect(lookup('sr', 'sex:male')).toBe(0.2)
    expect(lookup('sr', 'race:black')).toBeNull()
  })

  it('counts windows that measured the metric but were not judged, not those with too few predictions', () => {
    const unjudged = (n: number, reason: InsufficiencyReason, value: number) =>
      stored(n, 'insufficient_evidence', value, 100, 'sex:female', reason)
    const history = new EvaluationHistory(
      [
        unjudged(0, 'sample_below_minimum', 0.9),
        unjudged(1, 'baseline_window', 0.3),
        unjudged(2, 'no_baseline', 0.4),
        unjudged(3, 'not_significant', 0.5),
        unjudged(4, 'no_p_value', 0.6),
      ].map((evaluation) => ({ evaluation, evaluatedAt: at(0) })),
    )
    const range = `{ start: '2025-01-01T00:00:00Z', end: '2025-01-10T00:00:00Z' }`

    const fromRange = baselinesAt(relative(range), history, day(10))
    const fromFirst = baselinesAt(relative('first_window'), history, day(10))

    // Equal sample sizes: the plain mean of 0.3, 0.4, 0.5 and 0.6.
    expect(fromRange('sr', 'sex:female')).toBeCloseTo(0.45, 12)
    expect(fromFirst('sr', 'sex:female')).toBe(0.3)
  })
})
