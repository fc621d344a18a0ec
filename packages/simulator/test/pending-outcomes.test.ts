import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { PendingOutcomes } from '../src/credit/pending-outcomes.ts'

describe('PendingOutcomes', () => {
  it('gives outcomes back by time, and in the order added when times are equal', () => {
    // Few distinct times, so that many outcomes share one; more than the initial capacity.
    const times = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 0, maxLength: 3000 })

    fc.assert(
      fc.property(times, (arrivals) => {
        const pending = new PendingOutcomes()
        arrivals.forEach((time, i) => pending.add(time, i, i % 4))

        const taken: { time: number; application: number; detail: number }[] = []
        while (pending.size > 0) {
          const time = pending.peekTime()
          pending.take()
          taken.push({ time, application: pending.takenApplication, detail: pending.takenDetail })
        }

        const expected = arrivals
          .map((time, i) => ({ time, application: i, detail: i % 4 }))
          .sort((a, b) => a.time - b.time || a.application - b.application)
        expect(taken).toEqual(expected)
      }),
      { numRuns: 200 },
    )
  })

  it('interleaves adding and taking without losing or reordering outcomes', () => {
    const pending = new PendingOutcomes()

    pending.add(30, 1, 0)
    pending.add(10, 2, 1)
    const first = pending.take() && pending.takenApplication
    pending.add(20, 3, 0)
    pending.add(5, 4, 1)
    const rest: number[] = []
    while (pending.take()) rest.push(pending.takenApplication)

    expect(first).toBe(2)
    expect(rest).toEqual([4, 3, 1])
    expect(pending.peekTime()).toBe(Number.POSITIVE_INFINITY)
  })
})
