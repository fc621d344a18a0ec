import { describe, expect, it } from 'vitest'

import { differenceIntervalNewcombe, ratioIntervalKatz } from '@fairwatch/metrics'

describe('ratioIntervalKatz', () => {
  it('gives exp(ln RR ± z·√(1/a − 1/n₁ + 1/b − 1/n₂))', () => {
    // 20/100 over 10/100: RR = 2, se = √(0.05 − 0.01 + 0.1 − 0.01) = √0.13.
    const interval = ratioIntervalKatz(
      { successes: 20, trials: 100 },
      { successes: 10, trials: 100 },
    )

    expect(interval?.low).toBeCloseTo(0.9865632067317823, 12)
    expect(interval?.high).toBeCloseTo(4.054479198804627, 12)
  })

  it('has no interval when either proportion has no successes', () => {
    const zeroNumerator = ratioIntervalKatz(
      { successes: 0, trials: 50 },
      { successes: 5, trials: 50 },
    )
    const zeroDenominator = ratioIntervalKatz(
      { successes: 5, trials: 50 },
      { successes: 0, trials: 50 },
    )

    expect(zeroNumerator).toBeNull()
    expect(zeroDenominator).toBeNull()
  })
})

describe('differenceIntervalNewcombe', () => {
  // Newcombe (1998), "Interval estimation for the difference between independent proportions",
  // method 10, examples (a) and (d): 56/70 − 48/80 → 0.0524, 0.3339 and 9/10 − 3/10 → 0.1705, 0.8090.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
  ])('reproduces the published interval of %d/%d − %d/%d', (s1, t1, s2, t2, low, high) => {
    const interval = differenceIntervalNewcombe(
      { successes: s1, trials: t1 },
      { successes: s2, trials: t2 },
    )

    expect(interval.low).toBeCloseTo(low, 4)
    expect(interval.high).toBeCloseTo(high, 4)
  })

  it('mirrors when the samples swap', () => {
    const forward = differenceIntervalNewcombe(
      { successes: 20, trials: 100 },
      { successes: 10, trials: 100 },
    )

    const backward = differenceIntervalNewcombe(
      { successes: 10, trials: 100 },
      { successes: 20, trials: 100 },
    )

    expect(backward.low).toBeCloseTo(-forward.high, 14)
    expect(backward.high).toBeCloseTo(-forward.low, 14)
  })
})
