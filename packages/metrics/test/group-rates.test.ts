import { describe, expect, it } from 'vitest'

import { computeGroupRates, emptyCounts, type GroupCounts } from '@fairwatch/metrics'

// 20 predictions, 9 selected; 16 labelled: tp 6, fp 2, tn 5, fn 3; 4 unlabelled (1 selected).
// 18 scored summing to 9; 15 labelled and scored, summing to 7.5, 8 of them positive.
const counts: GroupCounts = {
  predictions: 20,
  selected: 9,
  labelled: 16,
  tp: 6,
  fp: 2,
  tn: 5,
  fn: 3,
  scored: 18,
  scoreSum: 9,
  labelledScored: 15,
  labelledScoreSum: 7.5,
  labelledScoredPositives: 8,
}

describe('computeGroupRates', () => {
  it.each([
    ['selection_rate', 9, 20],
    ['base_rate', 9, 16],
    ['tpr', 6, 9],
    ['fnr', 3, 9],
    ['fpr', 2, 7],
    ['tnr', 5, 7],
    ['ppv', 6, 8],
    ['npv', 5, 8],
    ['accuracy', 11, 16],
    ['label_coverage', 16, 20],
  ] as const)('gives %s = %d / %d', (metric, numerator, denominator) => {
    const rates = computeGroupRates(counts)

    expect(rates[metric]).toMatchObject({ numerator, denominator })
    expect(rates[metric].value).toBeCloseTo(numerator / denominator, 15)
  })

  it('attaches Wilson intervals worked from the formula', () => {
    const rates = computeGroupRates(counts)

    expect(rates.selection_rate.ciLow).toBeCloseTo(0.25819785825562425, 12)
    expect(rates.selection_rate.ciHigh).toBeCloseTo(0.6579146575496576, 12)
    expect(rates.tpr.ciLow).toBeCloseTo(0.3542021355803963, 12)
    expect(rates.tpr.ciHigh).toBeCloseTo(0.879416181613089, 12)
  })

  it('gives the mean score and the calibration gap without intervals', () => {
    const rates = computeGroupRates(counts)

    expect(rates.mean_score).toEqual({
      value: 0.5,
      numerator: 9,
      denominator: 18,
      ciLow: null,
      ciHigh: null,
    })
    // 7.5/15 − 8/15 = −1/30: scores run below the observed positive rate.
    expect(rates.calibration_gap).toMatchObject({ numerator: -0.5, denominator: 15 })
    expect(rates.calibration_gap.value).toBeCloseTo(-1 / 30, 15)
  })

  it('gives null, never NaN, for every rate of a group with no predictions', () => {
    const rates = computeGroupRates(emptyCounts())

    for (const rate of Object.values(rates)) {
      expect(rate).toMatchObject({ value: null, denominator: 0, ciLow: null, ciHigh: null })
    }
  })

  it('keeps the rates over every prediction when no outcome has arrived', () => {
    const unlabelled = { ...emptyCounts(), predictions: 4, selected: 1 }

    const rates = computeGroupRates(unlabelled)

    expect(rates.selection_rate.value).toBe(0.25)
    expect(rates.label_coverage.value).toBe(0)
    expect(rates.tpr.value).toBeNull()
    expect(rates.accuracy.value).toBeNull()
  })
})
