import { describe, expect, it } from 'vitest'

import {
  complementaryErrorFunction,
  normalCdf,
  normalQuantile,
  normalTwoSidedPValue,
  StatisticInputInvalidError,
  twoSidedCriticalValue,
} from '@fairwatch/metrics'

// Reference values are the published constants of the standard normal distribution (erfc and Φ
// tables, the 1.959963984540054 quantile).
describe('normal distribution', () => {
  it.each([
    [0, 1],
    [0.5, 0.4795001221869535],
    [2.4, 6.885138966450789e-4],
    [2.6, 2.3603441652934908e-4],
    [3, 2.209049699858544e-5],
    [6, 2.1519736712498913e-17],
  ])('erfc(%d) matches the tabulated value to 13 significant digits', (x, expected) => {
    const value = complementaryErrorFunction(x)

    expect(Math.abs(value - expected) / expected).toBeLessThan(1e-13)
  })

  it('keeps relative precision deep in the tail', () => {
    const lowerTailAt10 = normalCdf(-10)

    const twoSided = normalTwoSidedPValue(10)

    expect(Math.abs(lowerTailAt10 - 7.619853024160527e-24) / 7.619853024160527e-24).toBeLessThan(
      1e-12,
    )
    expect(
      Math.abs(twoSided - 2 * 7.619853024160527e-24) / (2 * 7.619853024160527e-24),
    ).toBeLessThan(1e-12)
  })

  it('gives Φ(−1.96) = 0.0249979 and the matching two-sided p-value', () => {
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 14)
    expect(normalTwoSidedPValue(1.96)).toBeCloseTo(0.04999579029644087, 14)
  })

  it.each([
    [0.95, 1.959963984540054],
    [0.9, 1.6448536269514722],
    [0.99, 2.5758293035489004],
  ])('gives the two-sided critical value of confidence %d', (confidence, expected) => {
    expect(twoSidedCriticalValue(confidence)).toBeCloseTo(expected, 13)
  })

  it('inverts the distribution function', () => {
    for (const p of [1e-12, 0.001, 0.2, 0.5, 0.7, 0.999]) {
      const roundTrip = normalCdf(normalQuantile(p))

      expect(Math.abs(roundTrip - p) / p).toBeLessThan(1e-13)
    }
  })

  it.each([0, 1, -0.5, Number.NaN])('refuses the probability %d', (p) => {
    expect(() => normalQuantile(p)).toThrow(StatisticInputInvalidError)
    expect(() => twoSidedCriticalValue(p)).toThrow(StatisticInputInvalidError)
  })
})
