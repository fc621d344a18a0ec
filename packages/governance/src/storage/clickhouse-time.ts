/** Writes a time the way DateTime64(3, 'UTC') columns read it with default input settings. */
export function toClickHouseTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '')
}

/** Reads a DateTime64(3, 'UTC') value as returned in JSON formats. */
export function fromClickHouseTime(value: string): Date {
  return new Date(`${value.replace(' ', 'T')}Z`)
}
