import { createHash } from 'node:crypto'

import { describe, expect, it } from 'vitest'

import { generateKey, hashKey, keyIdOf, keyMatches } from '../src/auth/api-key-secret.ts'
import { roleAllows } from '../src/auth/roles.ts'

describe('API key secrets', () => {
  it('generates distinct keys that carry their id', () => {
    const a = generateKey()
    const b = generateKey()

    expect(a.secret).not.toBe(b.secret)
    expect(keyIdOf(a.secret)).toBe(a.keyId)
    expect(a.secret).toMatch(/^fwk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
  })

  it('stores the SHA-256 of the key and matches only the same key', () => {
    const { secret } = generateKey()
    const stored = hashKey(secret)

    expect(stored).toBe(createHash('sha256').update(secret).digest('hex'))
    expect(keyMatches(secret, stored)).toBe(true)
    expect(keyMatches(secret + 'x', stored)).toBe(false)
    expect(keyMatches(secret, 'not-hex')).toBe(false)
  })

  it('finds no id in text that is not shaped like a key', () => {
    expect(keyIdOf('Bearer abc')).toBeNull()
    expect(keyIdOf('fwk_XYZ_abc')).toBeNull()
  })
})

describe('roles', () => {
  it('gives producers ingest only, viewers reads, responders reads and workflow, admins all', () => {
    const table = (['producer', 'viewer', 'responder', 'admin'] as const).map((role) =>
      (['ingest', 'read', 'workflow', 'admin'] as const).filter((a) => roleAllows(role, a)),
    )

    expect(table).toEqual([
      ['ingest'],
      ['read'],
      ['read', 'workflow'],
      ['ingest', 'read', 'workflow', 'admin'],
    ])
  })
})
