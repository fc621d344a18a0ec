import { describe, expect, it } from 'vitest'

import {
  PipelineConfigError,
  parseWindowSize,
  windowEndOf,
  windowStartOf,
} from '@fairwatch/pipeline'

describe('window sizes', () => {
  it('parses minutes, hours, days and the single window over everything', () => {
    expect(parseWindowSize('15m')).toEqual({ label: '15m', ms: 900_000 })
    expect(parseWindowSize('1h')).toEqual({ label: '1h', ms: 3_600_000 })
    expect(parseWindowSize('7d')).toEqual({ label: '7d', ms: 604_800_000 })
    expect(parseWindowSize('all')).toEqual({ label: 'all', ms: null })
  })

  it('refuses sizes it cannot align, naming the size', () => {
    for (const label of ['0d', '1w', 'd', '1.5h', '', '100000d']) {
      expect(() => parseWindowSize(label)).toThrow(PipelineConfigError)
    }
    expect(() => parseWindowSize('1w')).toThrow(/"1w"/)
  })

  it('aligns daily windows to midnight UTC and weekly windows to the epoch', () => {
    const instant = Date.UTC(2024, 4, 1, 23, 59, 59, 999)

    const day = windowStartOf(instant, parseWindowSize('1d'))
    const week = windowStartOf(instant, parseWindowSize('7d'))

    expect(new Date(day).toISOString()).toBe('2024-05-01T00:00:00.000Z')
    expect(new Date(week).toISOString()).toBe('2024-04-25T00:00:00.000Z')
    expect(windowEndOf(day, parseWindowSize('1d'))).toBe(Date.UTC(2024, 4, 2))
  })

  it('puts an instant exactly on a boundary in the window that starts there', () => {
    const boundary = Date.UTC(2024, 4, 2)

    expect(windowStartOf(boundary, parseWindowSize('1d'))).toBe(boundary)
    expect(windowStartOf(boundary - 1, parseWindowSize('1d'))).toBe(Date.UTC(2024, 4, 1))
  })

  it('puts every instant of the whole stream in one window', () => {
    const size = parseWindowSize('all')

    expect(windowStartOf(Date.UTC(1999, 0, 1), size)).toBe(
      windowStartOf(Date.UTC(2030, 0, 1), size),
    )
  })
})
