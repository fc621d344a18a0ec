const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000
/** Days whose date part is remembered; past this the memory starts over. */
const MAX_REMEMBERED_DAYS = 4096

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'))
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))

/**
 * Writes epoch milliseconds as RFC 3339 UTC text with milliseconds, exactly as
 * `Date.prototype.toISOString` does for years 0000-9999, many times faster: the date part of each
 * day is formatted once and remembered, the time of day is put together from lookup tables.
 */
export class TimestampFormatter {
  private readonly datePrefixes = new Map<number, string>()

  /** `ms` must be an integer within years 0000-9999 (as every simulated time is). */
  format(ms: number): string {
    const day = Math.floor(ms / DAY_MS)
    let prefix = this.datePrefixes.get(day)
    if (prefix === undefined) {
      if (this.datePrefixes.size >= MAX_REMEMBERED_DAYS) this.datePrefixes.clear()
      prefix = new Date(day * DAY_MS).toISOString().slice(0, 11)
      this.datePrefixes.set(day, prefix)
    }
    let rest = ms - day * DAY_MS
    const hours = Math.floor(rest / HOUR_MS)
    rest -= hours * HOUR_MS
    const minutes = Math.floor(rest / MINUTE_MS)
    rest -= minutes * MINUTE_MS
    const seconds = Math.floor(rest / 1000)
    rest -= seconds * 1000
    return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest]}Z`
  }
}
