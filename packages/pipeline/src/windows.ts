import { PipelineConfigError } from './errors.ts'

/** An event-time tumbling window size, aligned to the Unix epoch (UTC). */
export interface WindowSize {
  /** As written: `15m`, `1h`, `1d`, `7d`, or `all` for one window over everything. */
  label: string
  /** Length in milliseconds; null for `all`. */
  ms: number | null
}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/** Start of the single `all` window. */
export const ALL_WINDOW_START = 0
/** End of the single `all` window: far enough ahead for any event time the contract accepts. */
export const ALL_WINDOW_END = Date.UTC(2200, 0, 1)

/**
 * Parses a window size: a whole number followed by `m` (minutes), `h` (hours) or `d` (days), or
 * `all`. Windows are aligned to the Unix epoch in UTC, so every `1d` window starts at midnight
 * UTC and `7d` windows start on Thursdays (the epoch's weekday).
 * Throws PipelineConfigError FW_PIPELINE_WINDOW_INVALID.
 */
export function parseWindowSize(label: string): WindowSize {
  if (label === 'all') return { label, ms: null }
  const match = /^([1-9][0-9]{0,4})([mhd])$/.exec(label)
  const unit = match ? UNIT_MS[match[2] as string] : undefined
  if (!match || unit === undefined) {
    throw new PipelineConfigError('FW_PIPELINE_WINDOW_INVALID', [
      `window size "${label}" is not valid: use a number and m, h or d (15m, 1h, 1d, 7d) or "all"`,
    ])
  }
  return { label, ms: Number(match[1]) * unit }
}

/** Start (epoch ms) of the window of `size` holding the instant `epochMs`. */
export function windowStartOf(epochMs: number, size: WindowSize): number {
  if (size.ms === null) return ALL_WINDOW_START
  return Math.floor(epochMs / size.ms) * size.ms
}

/** End (exclusive, epoch ms) of the window of `size` starting at `windowStart`. */
export function windowEndOf(windowStart: number, size: WindowSize): number {
  return size.ms === null ? ALL_WINDOW_END : windowStart + size.ms
}
