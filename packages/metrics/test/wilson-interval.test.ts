import { describe, expect, it } from 'vitest'

import { StatisticInputInvalidError, wilsonInterval } from '@fairwatch/metrics'

// Expected bounds worked from the formula (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n) with
// z = 1.959963984540054 (0.95) or 1.6448536269514722 (0.90).
describe('wilsonInterval', () => {
  it.each([
    [8, 10, 0.49016247153664183, 0.9433178485456247],
    [45, 60, 0.6276792992295219, 0.8422347746994332],
    [3, 7, 0.1582198552514697, 0.7495416354723428],
    [1, 1, 0.20654931437723745, 1],
  ])('gives the 95%% interval of %d of %d', (successes, trials, low, high) => {
    const interval = wilsonInterval({ successes, trials })

    expect(interval?.low).toBeCloseTo(low, 12)
    expect(interval?.high).toBeCloseTo(high, 12)
  })

  it('puts the lower bound at exactly 0 when nothing succeeded and the upper at 1 when all did', () => {
    const none = wilsonInterval({ successes: 0, trials: 10 })
    const all = wilsonInterval({ successes: 10, trials: 10 })

    expect(none).toEqual({ low: 0, high: expect.closeTo(0.27753279986288915, 12) })
    expect(all).toEqual({ low: expect.closeTo(0.7224672001371109, 12), high: 1 })
  })

  it('narrows with a lower confidence', () => {
    const interval = wilsonInterval({ successes: 8, trials: 10 }, 0.9)

    expect(interval?.low).toBeCloseTo(0.5407928056874881, 12)
    expect(interval?.high).toBeCloseTo(0.9314420122624679, 12)
  })

  it('has no interval without trials', () => {
    expect(wilsonInterval({ successes: 0, trials: 0 })).toBeNull()
  })

  it.each([
    [{ successes: 3, trials: 2 }, 0.95],
    [{ successes: -1, trials: 2 }, 0.95],
    [{ successes: 1, trials: 2.5 }, 0.95],
    [{ successes: 1, trials: 2 }, 1],
    [{ successes: 1, trials: 2 }, 0],
  ])('refuses %o at confidence %d', (proportion, confidence) => {
    expect(() => wilsonInterval(proportion, confidence)).toThrow(StatisticInputInvalidError)
  })
})
