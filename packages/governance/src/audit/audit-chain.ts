import { canonicalJson, sha256Hex } from '../canonical/canonical-json'

/** What happened, by whom and why: the content of one audit entry. */
export interface AuditEvent {
  /** Person (as authenticated by the caller) or `system:<component>` for automatic actions. */
  actor: string
  /** Dotted verb, e.g. `evaluation.recorded`, `nonconformity.transitioned`, `policy.updated`. */
  action: string
  reason: string | null
  subjectType: string
  subjectId: string
  /** Version of the policy in force for the action, when one applies. */
  policyVersion: string | null
  /** The subject before and after the action (null for creation, deletion or no state). */
  before: unknown
  after: unknown
}

/** An audit entry as stored: the event, its place in its chain and the hashes that link it. */
export interface AuditEntry extends AuditEvent {
  chainId: string
  /** 1 for the first entry of a chain, then +1 per entry. */
  seq: number
  /** ISO-8601 UTC time of the action. */
  at: string
  /** Hash of the chain's previous entry; GENESIS_HASH for seq 1. */
  prevHash: string
  /** SHA-256 of the previous hash and this entry's canonical content. */
  hash: string
}

/** Previous hash of the first entry of every chain. */
export const GENESIS_HASH = '0'.repeat(64)

/** Computes an entry's hash from everything in it except the hash itself. */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { chainId, seq, at, prevHash, actor, action, reason, subjectType, subjectId } = entry
  const content = canonicalJson({
    chainId,
    seq,
    at,
    actor,
    action,
    reason,
    subjectType,
    subjectId,
    policyVersion: entry.policyVersion,
    before: entry.before ?? null,
    after: entry.after ?? null,
  })
  return sha256Hex(`${prevHash}\n${content}`)
}

/** Builds the entry that follows `head` (null: the first entry of the chain). */
export function nextAuditEntry(
  chainId: string,
  head: { seq: number; hash: string } | null,
  event: AuditEvent,
  at: Date,
): AuditEntry {
  const unsigned = {
    ...event,
    before: event.before ?? null,
    after: event.after ?? null,
    chainId,
    seq: (head?.seq ?? 0) + 1,
    at: at.toISOString(),
    prevHash: head?.hash ?? GENESIS_HASH,
  }
  return { ...unsigned, hash: hashAuditEntry(unsigned) }
}

/** The first problem found in a set of audit entries. */
export interface AuditProblem {
  kind: 'changed' | 'removed' | 'reordered' | 'duplicated'
  chainId: string
  /** Sequence number of the changed, missing, misplaced or repeated entry. */
  seq: number
  /** Position in the verified list where the problem showed. */
  index: number
  detail: string
}

/** Result of verifying audit entries. */
export interface AuditVerification {
  ok: boolean
  entries: number
  chains: number
  problem: AuditProblem | null
}

/**
 * Checks audit entries, given in stored order (chains may be interleaved), and reports the first
 * problem:
 * - `changed`: an entry's content no longer matches its hash, or an entry was re-hashed after an
 *   edit so the next entry's link no longer matches it;
 * - `removed`: a sequence number is missing and does not appear later;
 * - `reordered`: an entry appears before one that precedes it in its chain;
 * - `duplicated`: the same entry appears twice.
 * Limitation: removing the most recent entries of a chain leaves a shorter valid chain; only a
 * head kept elsewhere (for example the last hash exported to a dashboard or ticket) reveals that.
 */
export function verifyAuditChain(entries: readonly AuditEntry[]): AuditVerification {
  const last = new Map<string, AuditEntry>()
  const fail = (problem: AuditProblem): AuditVerification => ({
    ok: false,
    entries: entries.length,
    chains: new Set(entries.map((e) => e.chainId)).size,
    problem,
  })

  for (let index = 0; index < entries.length; index++) {
    const e = entries[index] as AuditEntry
    const { hash, ...unsigned } = e
    if (hashAuditEntry(unsigned) !== hash) {
      // An entry whose sequence number was rewritten to move it still links to its true
      // predecessor; when that predecessor is stored after it, the entry was moved, not edited.
      const predecessorLater = entries
        .slice(index + 1)
        .some((x) => x.chainId === e.chainId && x.hash === e.prevHash)
      if (predecessorLater) {
        return fail({
          kind: 'reordered',
          chainId: e.chainId,
          seq: e.seq,
          index,
          detail: `entry at ${e.seq} links to an entry stored after it`,
        })
      }
      return fail({
        kind: 'changed',
        chainId: e.chainId,
        seq: e.seq,
        index,
        detail: 'content does not match its hash',
      })
    }
    const previous = last.get(e.chainId)
    const expected = (previous?.seq ?? 0) + 1
    if (e.seq === expected) {
      const expectedPrev = previous?.hash ?? GENESIS_HASH
      if (e.prevHash !== expectedPrev) {
        // The link breaks although both entries hash correctly: the earlier one was re-hashed.
        const changedSeq = previous?.seq ?? e.seq
        return fail({
          kind: 'changed',
          chainId: e.chainId,
          seq: changedSeq,
          index,
          detail: `entry ${e.seq} does not link to entry ${changedSeq}`,
        })
      }
      last.set(e.chainId, e)
      continue
    }
    if (e.seq > expected) {
      const later = entries
        .slice(index + 1)
        .some((x) => x.chainId === e.chainId && x.seq === expected)
      return later
        ? fail({
            kind: 'reordered',
            chainId: e.chainId,
            seq: e.seq,
            index,
            detail: `entry ${e.seq} appears before entry ${expected}`,
          })
        : fail({
            kind: 'removed',
            chainId: e.chainId,
            seq: expected,
            index,
            detail: `entry ${expected} is missing before entry ${e.seq}`,
          })
    }
    const duplicate = entries
      .slice(0, index)
      .some((x) => x.chainId === e.chainId && x.seq === e.seq && x.hash === e.hash)
    return duplicate
      ? fail({
          kind: 'duplicated',
          chainId: e.chainId,
          seq: e.seq,
          index,
          detail: `entry ${e.seq} appears twice`,
        })
      : fail({
          kind: 'reordered',
          chainId: e.chainId,
          seq: e.seq,
          index,
          detail: `entry ${e.seq} appears after entry ${expected - 1}`,
        })
  }
  return { ok: true, entries: entries.length, chains: last.size, problem: null }
}
