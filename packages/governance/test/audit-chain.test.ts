import { describe, expect, it } from 'vitest'
import {
  hashAuditEntry,
  nextAuditEntry,
  verifyAuditChain,
  type AuditEntry,
  type AuditEvent,
} from '../src/audit/audit-chain'

function event(n: number): AuditEvent {
  return {
    actor: 'ana',
    action: 'nonconformity.transitioned',
    reason: `step ${n}`,
    subjectType: 'nonconformity',
    subjectId: 'nc-1',
    policyVersion: 'abc',
    before: { status: 'open' },
    after: { status: 'investigating', n },
  }
}

function chain(chainId: string, length: number): AuditEntry[] {
  const entries: AuditEntry[] = []
  for (let i = 0; i < length; i++) {
    const head = entries.at(-1) ?? null
    entries.push(nextAuditEntry(chainId, head, event(i), new Date(Date.UTC(2025, 0, 1, 0, i))))
  }
  return entries
}

describe('verifyAuditChain', () => {
  it('accepts intact chains, also when entries of several chains are interleaved', () => {
    const a = chain('a', 4)
    const b = chain('b', 3)
    const interleaved = [a[0], b[0], a[1], b[1], b[2], a[2], a[3]] as AuditEntry[]

    const result = verifyAuditChain(interleaved)

    expect(result).toEqual({ ok: true, entries: 7, chains: 2, problem: null })
  })

  it('reports an edited entry', () => {
    const entries = chain('a', 5)
    entries[2] = { ...(entries[2] as AuditEntry), reason: 'edited afterwards' }

    const result = verifyAuditChain(entries)

    expect(result.problem).toMatchObject({ kind: 'changed', chainId: 'a', seq: 3, index: 2 })
  })

  it('reports an edited entry whose hash was recomputed, through the broken link after it', () => {
    const entries = chain('a', 5)
    const { hash: _old, ...edited } = { ...(entries[1] as AuditEntry), actor: 'mallory' }
    entries[1] = { ...edited, hash: hashAuditEntry(edited) }

    const result = verifyAuditChain(entries)

    expect(result.problem).toMatchObject({ kind: 'changed', seq: 2, index: 2 })
  })

  it('reports a deleted entry by the missing sequence number', () => {
    const entries = chain('a', 5)
    entries.splice(3, 1)

    const result = verifyAuditChain(entries)

    expect(result.problem).toMatchObject({ kind: 'removed', seq: 4, index: 3 })
  })

  it('reports a deleted first entry', () => {
    const entries = chain('a', 3).slice(1)

    const result = verifyAuditChain(entries)

    expect(result.problem).toMatchObject({ kind: 'removed', seq: 1, index: 0 })
  })

  it('reports two swapped entries as reordered', () => {
    const entries = chain('a', 5)
    const [third, fourth] = [entries[2] as AuditEntry, entries[3] as AuditEntry]
    entries[2] = fourth
    entries[3] = third

    const result = verifyAuditChain(entries)

    expect(result.problem).toMatchObject({ kind: 'reordered', seq: 4, index: 2 })
  })

  it('reports entries moved by rewriting their sequence numbers as reordered', () => {
    const entries = chain('a', 5)
    const [third, fourth] = [entries[2] as AuditEntry, entries[3] as AuditEntry]
    entries[2] = { ...fourth, seq: 3 }
    entries[3] = { ...third, seq: 4 }

    const result = verifyAuditChain(entries)

    expect(result.problem).toMatchObject({ kind: 'reordered', seq: 3, index: 2 })
  })

  it('reports an entry stored twice', () => {
    const entries = chain('a', 3)
    entries.push(entries[1] as AuditEntry)

    const result = verifyAuditChain(entries)

    expect(result.problem).toMatchObject({ kind: 'duplicated', seq: 2, index: 3 })
  })
})
