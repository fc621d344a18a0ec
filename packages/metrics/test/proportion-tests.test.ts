import { describe, expect, it } from 'vitest'

import {
  compareProportions,
  fisherExactTest,
  StatisticInputInvalidError,
  twoProportionZTest,
} from '@fairwatch/metrics'

describe('twoProportionZTest', () => {
  it('computes the pooled z statistic and its two-sided p-value', () => {
    // 40/100 vs 25/100: pooled p = 65/200 = 0.325, se = √(0.325·0.675·(1/100 + 1/100)) = 0.0662382,
    // z = 0.15 / se = 2.2645541, p = erfc(z/√2) = 0.0235401.
    const result = twoProportionZTest(
      { successes: 40, trials: 100 },
      { successes: 25, trials: 100 },
    )

    expect(result.z).toBeCloseTo(2.2645540682891916, 12)
    expect(result.pValue).toBeCloseTo(0.02354005826117795, 12)
  })

  it('is antisymmetric in z and symmetric in p when the samples swap', () => {
    const forward = twoProportionZTest(
      { successes: 40, trials: 100 },
      { successes: 25, trials: 90 },
    )

    const backward = twoProportionZTest(
      { successes: 25, trials: 90 },
      { successes: 40, trials: 100 },
    )

    expect(backward.z).toBeCloseTo(-forward.z, 14)
    expect(backward.pValue).toBeCloseTo(forward.pValue, 14)
  })

  it('returns z 0 and p 1 when both samples are all failures', () => {
    const result = twoProportionZTest({ successes: 0, trials: 50 }, { successes: 0, trials: 70 })

    expect(result).toEqual({ z: 0, pValue: 1 })
  })

  it('refuses a sample without trials', () => {
    const act = () => twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 2 })

    expect(act).toThrow(StatisticInputInvalidError)
    expect(act).toThrow(expect.objectContaining({ parameter: 'first.trials' }))
  })
})

describe('fisherExactTest', () => {
  it('reproduces the tea-tasting table 3/1/1/3: p = 34/70', () => {
    // Hypergeometric probabilities of 0..4 correct cups are 1, 16, 36, 16, 1 out of 70; the
    // observed 3 (16/70) and the tables as or less likely (0, 1, 4) sum to 34/70.
    const pValue = fisherExactTest({ successes: 3, trials: 4 }, { successes: 1, trials: 4 })

    expect(pValue).toBeCloseTo(34 / 70, 12)
    expect(pValue.toFixed(4)).toBe('0.4857')
  })

  it('sums both tails of an unbalanced table', () => {
    // 1 of 10 vs 11 of 14, worked exactly with binomial coefficients (C(10,x)·C(14,12−x)/C(24,12)).
    const pValue = fisherExactTest({ successes: 1, trials: 10 }, { successes: 11, trials: 14 })

    expect(pValue).toBeCloseTo(0.0027594561852200836, 13)
  })

  it('stays exact to twelve digits for a million trials per sample', () => {
    // Margins 10⁶/10⁶ and 3 successes: P(0 successes in the first) = P(3) = C(10⁶,3)/C(2·10⁶,3),
    // and those two tables are the ones as or less likely than the observed 0.
    const m = 1_000_000
    const expected = (2 * (m * (m - 1) * (m - 2))) / (2 * m * (2 * m - 1) * (2 * m - 2))

    const pValue = fisherExactTest({ successes: 0, trials: m }, { successes: 3, trials: m })

    expect(pValue).toBeCloseTo(expected, 12)
  })

  it('gives p = 1 when the observed table is the most likely one, however large', () => {
    const pValue = fisherExactTest(
      { successes: 250_000, trials: 500_000 },
      { successes: 250_000, trials: 500_000 },
    )

    expect(pValue).toBeCloseTo(1, 12)
  })
})

describe('compareProportions', () => {
  it('uses the z test when every expected cell count is at least 5', () => {
    const comparison = compareProportions(
      { successes: 40, trials: 100 },
      { successes: 25, trials: 100 },
    )

    expect(comparison).toEqual({ test: 'z', pValue: expect.closeTo(0.02354005826117795, 12) })
  })

  it("uses Fisher's exact test when an expected cell count is below 5", () => {
    // Expected successes in the first sample: 4 · 4/8 = 2.
    const comparison = compareProportions({ successes: 3, trials: 4 }, { successes: 1, trials: 4 })

    expect(comparison).toEqual({ test: 'fisher_exact', pValue: expect.closeTo(34 / 70, 12) })
  })
})
