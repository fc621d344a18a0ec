function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/**
 * Copies a governance record with every object key in snake_case, at every depth. Only for
 * records whose keys are all field names (nonconformities, incidents), never for values keyed by
 * data such as attribute maps.
 */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[snake(key)] = snakeCaseKeys(inner)
  return out
}
