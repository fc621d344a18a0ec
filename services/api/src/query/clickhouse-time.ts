/** A Date as a ClickHouse DateTime64(3, 'UTC') literal: `2025-01-31 09:00:00.000`. */
export function toClickHouseTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '')
}

/** A ClickHouse DateTime64 value read as JSON (`2025-01-31 09:00:00.000`) as RFC 3339 UTC. */
export function fromClickHouseTime(text: string): string {
  return new Date(`${text.replace(' ', 'T')}Z`).toISOString()
}
