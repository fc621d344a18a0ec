import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { TimestampFormatter } from '../src/time/timestamp-formatter.ts'

describe('TimestampFormatter', () => {
  it('writes any millisecond from 1970 to 9000 exactly as Date.prototype.toISOString does', () => {
    const formatter = new TimestampFormatter()

    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9000, 0, 1) }), (ms) => {
        expect(formatter.format(ms)).toBe(new Date(ms).toISOString())
      }),
      { numRuns: 20_000 },
    )
  })

  it('stays exact at day boundaries and when it revisits days it has formatted before', () => {
    const formatter = new TimestampFormatter()
    const midnight = Date.UTC(2024, 1, 29)
    const times = [midnight - 1, midnight, midnight + 1, midnight + 86_399_999, midnight - 1]

    const written = times.map((ms) => formatter.format(ms))

    expect(written).toEqual(times.map((ms) => new Date(ms).toISOString()))
  })
})
