import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const KEY_PATTERN = /^fwk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

/** A freshly generated key: its public id and the full secret text handed to its holder once. */
export interface GeneratedKey {
  keyId: string
  secret: string
}

/**
 * Generates an API key `fwk_<id>_<secret>`: a 64-bit public id (to find the key without
 * revealing it) and 256 random bits. High entropy makes a plain SHA-256 a safe way to store it.
 */
export function generateKey(): GeneratedKey {
  const keyId = randomBytes(8).toString('hex')
  return { keyId, secret: `fwk_${keyId}_${randomBytes(32).toString('base64url')}` }
}

/** The key id of a presented key, or null when the text is not shaped like a Fairwatch key. */
export function keyIdOf(presented: string): string | null {
  return KEY_PATTERN.exec(presented)?.[1] ?? null
}

/** SHA-256 of a key's full text, hex: what the store keeps instead of the key. */
export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

/** Compares a presented key with a stored hash in time independent of where they differ. */
export function keyMatches(presented: string, storedHash: string): boolean {
  const actual = createHash('sha256').update(presented, 'utf8').digest()
  const expected = Buffer.from(storedHash, 'hex')
  return expected.length === actual.length && timingSafeEqual(actual, expected)
}
