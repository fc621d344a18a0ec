import { createHash } from 'node:crypto'

/**
 * Serialises a JSON-compatible value with object keys sorted at every level and no whitespace,
 * so that equal content always yields the same text (and the same hash). `undefined` object
 * members are dropped, as JSON.stringify does; Dates become ISO-8601 strings.
 * @throws TypeError for values JSON cannot represent (non-finite numbers, functions, bigints).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalise number ${value}`)
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`
      const record = value as Record<string, unknown>
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
      return `{${members.join(',')}}`
    }
    default:
      throw new TypeError(`cannot canonicalise a ${typeof value}`)
  }
}

/** Lowercase hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}
