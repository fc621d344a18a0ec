const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  "'": "\\'",
  '\0': '\\0',
}
const NEEDS_ESCAPE = /[\\\t\n\r'\0]/
const ESCAPE_ALL = /[\\\t\n\r'\0]/g

/** Escapes a string for ClickHouse's TabSeparated format (also valid inside quoted map values). */
export function escapeTsv(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? c) : text
}

/** Writes a nullable number: `\N` for null. */
export function tsvNullable(value: number | null): string {
  return value === null ? '\\N' : String(value)
}

/**
 * Epoch milliseconds as a DateTime64(3) TabSeparated value, `YYYY-MM-DD hh:mm:ss.sss` in UTC. The
 * numeric form would be shorter, but ClickHouse reads short numbers such as `0.000` as dates.
 */
export function tsvTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`
}
