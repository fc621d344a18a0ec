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
