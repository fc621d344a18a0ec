import { nextCyclePause } from '@fairwatch/runtime'
import { describe, expect, it } from 'vitest'

describe('pause between recompute cycles', () => {
  it('is the configured interval while cycles are short', () => {
    expect(nextCyclePause(2000, 150)).toBe(2000)
  })

  it('grows to twice a long cycle, so cycles take at most a third of the time', () => {
    const cycle = 4500

    const pause = nextCyclePause(2000, cycle)

    expect(pause).toBe(9000)
    expect(cycle / (cycle + pause)).toBeCloseTo(1 / 3, 9)
  })
})
