import { describe, expect, it } from 'vitest'

import { adjustBenjaminiHochberg, StatisticInputInvalidError } from '@fairwatch/metrics'

describe('adjustBenjaminiHochberg', () => {
  it('scales by m/rank, enforces monotonicity and returns input order', () => {
    // Sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04, 0.04·4/4 = 0.04.
    const adjusted = adjustBenjaminiHochberg([0.01, 0.04, 0.03, 0.005])

    expect(adjusted).toEqual([
      expect.closeTo(0.02, 15),
      expect.closeTo(0.04, 15),
      expect.closeTo(0.04, 15),
      expect.closeTo(0.02, 15),
    ])
  })

  it('takes the running minimum from the largest p-value down', () => {
    // 0.02·2/1 = 0.04 exceeds the next adjusted value 0.03·2/2 = 0.03, so it becomes 0.03.
    const adjusted = adjustBenjaminiHochberg([0.03, 0.02])

    expect(adjusted).toEqual([expect.closeTo(0.03, 15), expect.closeTo(0.03, 15)])
  })

  it('never raises a p-value above 1', () => {
    // 0.8·3/1 = 2.4 and 0.9·3/2 = 1.35 fall to the running minimum, which starts at 1·3/3 = 1.
    const adjusted = adjustBenjaminiHochberg([0.9, 0.8, 1])

    expect(adjusted).toEqual([1, 1, 1])
  })

  it('returns an empty list for no p-values', () => {
    expect(adjustBenjaminiHochberg([])).toEqual([])
  })

  it('names the index of a p-value outside [0, 1]', () => {
    const act = () => adjustBenjaminiHochberg([0.1, Number.NaN])

    expect(act).toThrow(StatisticInputInvalidError)
    expect(act).toThrow(expect.objectContaining({ parameter: 'pValues[1]' }))
  })
})
