import { describe, expect, it } from 'vitest'
import { evaluateWindow } from '../src/evaluation/evaluate-window'
import { metricRow, policyFrom, window } from './metric-row-fixture'

const policy = policyFrom(`
name: credit
defaults: { owner: risk, minSample: 30 }
rules:
  - id: di
    metric: disparate_impact
    scope: { attribute: sex }
    comparison: outside
    thresholds:
      warning: { low: 0.8, high: 1.25 }
      critical: { low: 0.6, high: 1.6 }
    significance: { required: true, alpha: 0.05 }
`)

function evaluateOne(overrides: Parameters<typeof metricRow>[0]) {
  const [result] = evaluateWindow({ window, policy, rows: [metricRow(overrides)] })
  return result
}

describe('evaluateWindow', () => {
  it('passes a value inside the warning band with sufficient evidence', () => {
    const result = evaluateOne({ value: 0.9, pValue: 0.3 })

    expect(result?.status).toBe('pass')
    expect(result?.reason).toBeNull()
  })

  it('grades a significant value by the band it leaves', () => {
    const warning = evaluateOne({ value: 0.7, pValue: 0.001 })
    const critical = evaluateOne({ value: 0.5, pValue: 0.001 })
    const criticalHigh = evaluateOne({ value: 1.7, pValue: 0.001 })

    expect([warning?.status, critical?.status, criticalHigh?.status]).toEqual([
      'warning',
      'critical',
      'critical',
    ])
  })

  it('records the evidence behind a result', () => {
    const result = evaluateOne({ value: 0.7, pValue: 0.001, ciLow: 0.6, ciHigh: 0.8 })

    expect(result).toMatchObject({
      modelId: 'credit',
      ruleId: 'di',
      attribute: 'sex',
      group: 'female',
      referenceGroup: 'male',
      scopeKey: 'sex:female',
      value: 0.7,
      ciLow: 0.6,
      ciHigh: 0.8,
      pValue: 0.001,
      adjustedPValue: 0.001,
      numerator: 50,
      denominator: 100,
      sampleSize: 200,
      labelCoverage: 0.6,
      policyVersion: policy.version,
      thresholds: { warning: { low: 0.8, high: 1.25 }, critical: { low: 0.6, high: 1.6 } },
    })
  })

  describe('never passes for lack of data', () => {
    it('marks a row without a value as insufficient with the row reason', () => {
      const result = evaluateOne({ value: null, reason: 'zero_denominator' })

      expect(result?.status).toBe('insufficient_evidence')
      expect(result?.reason).toBe('zero_denominator')
    })

    it('marks a row below the minimum sample insufficient even when its value looks fine', () => {
      const result = evaluateOne({ value: 1, sampleSize: 29 })

      expect(result?.status).toBe('insufficient_evidence')
      expect(result?.reason).toBe('sample_below_minimum')
    })

    it('marks a row flagged insufficient by the metrics stage as insufficient', () => {
      const result = evaluateOne({
        value: 1,
        insufficientEvidence: true,
        reason: 'insufficient_evidence',
      })

      expect(result?.status).toBe('insufficient_evidence')
    })

    it('yields one insufficient result when no row matches the rule', () => {
      const results = evaluateWindow({ window, policy, rows: [metricRow({ attribute: 'race' })] })

      expect(results).toHaveLength(1)
      expect(results[0]).toMatchObject({
        status: 'insufficient_evidence',
        reason: 'no_metric_rows',
        attribute: 'sex',
        group: null,
      })
    })

    it('does not confirm a breach that is not significant', () => {
      const result = evaluateOne({ value: 0.5, pValue: 0.2 })

      expect(result?.status).toBe('insufficient_evidence')
      expect(result?.reason).toBe('not_significant')
    })

    it('does not confirm a breach without a p-value when significance is required', () => {
      const result = evaluateOne({ value: 0.5, pValue: null })

      expect(result?.reason).toBe('no_p_value')
    })
  })

  it('adjusts p-values across the rows of one evaluation with Benjamini-Hochberg', () => {
    // Raw p-values 0.01, 0.04, 0.03 over m = 3 tests. Ranked: 0.01 (1), 0.03 (2), 0.04 (3).
    // Adjusted: p(3) = 0.04·3/3 = 0.04; p(2) = min(0.04, 0.03·3/2 = 0.045) = 0.04;
    // p(1) = min(0.04, 0.01·3/1 = 0.03) = 0.03.
    const rows = [
      metricRow({ group: 'a', value: 0.5, pValue: 0.01 }),
      metricRow({ group: 'b', value: 0.5, pValue: 0.04 }),
      metricRow({ group: 'c', value: 0.5, pValue: 0.03 }),
    ]

    const results = evaluateWindow({ window, policy, rows })

    expect(results.map((r) => r.adjustedPValue)).toEqual([
      expect.closeTo(0.03, 12),
      expect.closeTo(0.04, 12),
      expect.closeTo(0.04, 12),
    ])
  })

  it('requires the adjusted, not the raw, p-value to be below alpha', () => {
    // Raw 0.03 and 0.04 are both below 0.05. With an unremarkable third row (p = 0.9), m = 3:
    // p(2) = 0.04·3/2 = 0.06 and p(1) = min(0.06, 0.03·3/1 = 0.09) = 0.06, both above alpha.
    const rows = [
      metricRow({ group: 'a', value: 0.5, pValue: 0.03 }),
      metricRow({ group: 'b', value: 0.5, pValue: 0.04 }),
      metricRow({ group: 'c', value: 1.0, pValue: 0.9 }),
    ]

    const results = evaluateWindow({ window, policy, rows })

    expect(results.map((r) => [r.group, r.status, r.reason])).toEqual([
      ['a', 'insufficient_evidence', 'not_significant'],
      ['b', 'insufficient_evidence', 'not_significant'],
      ['c', 'pass', null],
    ])
  })

  it('ignores rows of predictions lacking the attribute unless the rule names that group', () => {
    const rows = [
      metricRow({ group: '(missing)', value: 0.1, pValue: 0.0001 }),
      metricRow({ value: 1 }),
    ]

    const results = evaluateWindow({ window, policy, rows })

    expect(results.map((r) => r.group)).toEqual(['female'])
  })

  it('matches an intersection rule whatever the attribute order of the row', () => {
    const intersection = policyFrom(`
name: x
rules:
  - id: tpr
    metric: tpr_difference
    scope: { intersection: [sex, race] }
    comparison: above
    thresholds: { warning: 0.1, critical: 0.2 }
    owner: risk
`)
    const rows = [
      metricRow({ attribute: 'race&sex', group: 'b&f', metric: 'tpr_difference', value: 0.15 }),
    ]

    const [result] = evaluateWindow({ window, policy: intersection, rows })

    expect(result?.status).toBe('warning')
    expect(result?.scopeKey).toBe('race&sex:b&f')
  })

  it('applies relative thresholds from the baseline; the first window is the baseline', () => {
    const relative = policyFrom(`
name: x
rules:
  - id: sel
    metric: selection_rate
    scope: { attribute: sex }
    comparison: below
    thresholds: { relativeTo: baseline, baseline: first_window, warning: 0.05, critical: 0.1 }
    owner: risk
`)
    const rows = [metricRow({ scope: 'group', metric: 'selection_rate', value: 0.42 })]

    const [withBaseline] = evaluateWindow({ window, policy: relative, rows, baselines: () => 0.5 })
    const [firstWindow] = evaluateWindow({ window, policy: relative, rows, baselines: () => null })

    expect(withBaseline?.status).toBe('warning')
    expect(withBaseline?.baseline).toBe(0.5)
    expect(withBaseline?.thresholds?.warning).toBeCloseTo(0.45, 12)
    expect(firstWindow?.status).toBe('insufficient_evidence')
    expect(firstWindow?.reason).toBe('baseline_window')
    expect(firstWindow?.value).toBe(0.42)
  })

  it('refuses to judge a relative rule whose baseline window is unknown', () => {
    const relative = policyFrom(`
name: x
rules:
  - id: sel
    metric: selection_rate
    scope: { attribute: sex }
    comparison: below
    thresholds:
      relativeTo: baseline
      baseline: { start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' }
      warning: 0.05
      critical: 0.1
    owner: risk
`)
    const rows = [metricRow({ scope: 'group', metric: 'selection_rate', value: 0.1 })]

    const [result] = evaluateWindow({ window, policy: relative, rows, baselines: () => null })

    expect(result?.status).toBe('insufficient_evidence')
    expect(result?.reason).toBe('no_baseline')
  })

  it('leaves a window inside its baseline range unjudged, and judges the next one', () => {
    const relative = policyFrom(`
name: x
rules:
  - id: sel
    metric: selection_rate
    scope: { attribute: sex }
    comparison: below
    thresholds:
      relativeTo: baseline
      baseline: { start: '2025-02-01T00:00:00Z', end: '2025-03-02T00:00:00Z' }
      warning: 0.05
      critical: 0.1
    owner: risk
`)
    const rows = [metricRow({ scope: 'group', metric: 'selection_rate', value: 0.3 })]
    const next = { ...window, windowStart: window.windowEnd, windowEnd: new Date('2025-03-03') }

    const [inside] = evaluateWindow({ window, policy: relative, rows, baselines: () => 0.5 })
    const [after] = evaluateWindow({ window: next, policy: relative, rows, baselines: () => 0.5 })

    expect(inside).toMatchObject({
      status: 'insufficient_evidence',
      reason: 'baseline_window',
      value: 0.3,
      baseline: null,
      thresholds: null,
    })
    expect(after).toMatchObject({ status: 'critical', reason: null, baseline: 0.5 })
  })

  it('refuses a malformed row or window, naming the field', () => {
    const badRow = () =>
      evaluateWindow({ window, policy, rows: [metricRow(), metricRow({ pValue: 1.5 })] })
    const badWindow = () =>
      evaluateWindow({ window: { ...window, windowEnd: window.windowStart }, policy, rows: [] })

    expect(badRow).toThrow(
      expect.objectContaining({ code: 'FW_INPUT_INVALID', field: 'rows[1].pValue' }),
    )
    expect(badWindow).toThrow(expect.objectContaining({ field: 'window.windowEnd' }))
  })

  it('skips rules restricted to another window size', () => {
    const hourly = policyFrom(`
name: x
rules:
  - id: di
    metric: disparate_impact
    scope: { attribute: sex }
    comparison: below
    thresholds: { warning: 0.8, critical: 0.6 }
    windowSize: 1h
    owner: risk
`)

    const results = evaluateWindow({ window, policy: hourly, rows: [metricRow()] })

    expect(results).toEqual([])
  })
})
