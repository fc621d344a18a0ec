import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { regexes } from 'zod/v4/core'

import { parseTimestamp } from '../src/timestamp.ts'

// What the contract's zod schema accepts, and the instant JavaScript reads from it.
const ZOD_DATETIME = regexes.datetime({ offset: true })
const reference = (text: string): number | null =>
  ZOD_DATETIME.test(text) ? Date.parse(text) : null

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/** Date-times near and across every boundary the format has, and small corruptions of them. */
const candidate = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 100, 400, 1900, 2000)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 60 }),
    fraction: fc.option(fc.stringMatching(/^[0-9]{0,12}$/), { nil: undefined }),
    offset: fc.oneof(
      fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+23:59', '-23:59', '+24:00', '+05:60'),
      fc
        .tuple(
          fc.constantFrom('+', '-'),
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: 0, max: 59 }),
        )
        .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
    ),
    separator: fc.constantFrom('T', 'T', 'T', 't', ' '),
  })
  .map(
    (p) =>
      `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}${p.separator}` +
      `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}` +
      `${p.fraction === undefined ? '' : `.${p.fraction}`}${p.offset}`,
  )

const corrupted = fc
  .tuple(candidate, fc.nat(), fc.constantFrom('', 'x', '0', '-', ':', '.', 'Z', ' '))
  .map(([text, at, insert]) => {
    const i = at % (text.length + 1)
    return text.slice(0, i) + insert + text.slice(i + (insert === '' ? 1 : 0))
  })

describe('parseTimestamp', () => {
  it('accepts exactly what the zod schema does, at the instant Date.parse reads', () => {
    fc.assert(
      fc.property(fc.oneof(candidate, corrupted, fc.string({ maxLength: 40 })), (text) => {
        expect(parseTimestamp(text)).toBe(reference(text))
      }),
      { numRuns: 20_000 },
    )
  })

  it('reads the edges of the calendar and of offsets', () => {
    for (const text of [
      '0000-01-01T00:00:00Z',
      '0000-02-29T00:00:00Z',
      '1900-02-28T23:59:59.999999+23:59',
      '2000-02-29T12:00:00.5-23:59',
      '2024-02-29T00:00:00.123456789Z',
      '9999-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
    ]) {
      expect(parseTimestamp(text), text).toBe(Date.parse(text))
    }
    for (const text of ['1900-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z']) {
      expect(parseTimestamp(text), text).toBeNull()
    }
  })
})
