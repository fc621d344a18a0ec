import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { ClickHouseClient } from '@clickhouse/client'
import { canonicalJson } from '../canonical/canonical-json'
import { fromClickHouseTime, toClickHouseTime } from '../storage/clickhouse-time'
import { storageCall } from '../storage/storage-call'
import {
  nextAuditEntry,
  verifyAuditChain,
  type AuditEntry,
  type AuditEvent,
  type AuditVerification,
} from './audit-chain'

interface AuditRow {
  chain_id: string
  seq: string | number
  at: string
  actor: string
  action: string
  reason: string | null
  subject_type: string
  subject_id: string
  policy_version: string | null
  before: string
  after: string
  prev_hash: string
  hash: string
}

/** A fresh chain id: host, process and a random suffix, so no two writers ever share one. */
export function newChainId(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`
}

/**
 * The append-only audit trail in ClickHouse (`audit_log`).
 *
 * Concurrency design: one hash chain per writer. Each AuditTrail instance owns its chain id (by
 * default unique to the host, process and instance) and is the only writer of that chain, so
 * processes appending at the same time never contend for a chain head; within the process,
 * appends are queued and written one at a time. Verification checks every chain. A restarted
 * process starts a new chain. If an insert fails, the head is read back from storage before the
 * next append, so an insert that did land is not written twice under another hash.
 */
export class AuditTrail {
  readonly chainId: string
  private head: { seq: number; hash: string } | null | undefined = undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
    private readonly clock: () => Date,
    chainId: string = newChainId(),
  ) {
    this.chainId = chainId
  }

  /** Appends an event to this writer's chain and returns the stored entry. */
  async append(event: AuditEvent): Promise<AuditEntry> {
    const [entry] = await this.appendMany([event])
    return entry as AuditEntry
  }

  /**
   * Appends events to this writer's chain in the order given, as consecutive entries written in
   * one insert, and returns the stored entries. Queued with `append` like any other append. An
   * empty list writes nothing. When the insert fails, none of the entries is known to be stored:
   * the head is read back from storage before the next append, as after a failed `append`.
   */
  appendMany(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    const run = this.queue.then(() => this.write(events))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async write(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    if (events.length === 0) return []
    if (this.head === undefined) this.head = await this.readHead()
    const entries: AuditEntry[] = []
    let head = this.head
    for (const event of events) {
      // Round-trip through canonical JSON so the hashed content is exactly what is read back.
      const normalised: AuditEvent = {
        ...event,
        before: JSON.parse(canonicalJson(event.before ?? null)) as unknown,
        after: JSON.parse(canonicalJson(event.after ?? null)) as unknown,
      }
      const entry = nextAuditEntry(this.chainId, head, normalised, this.clock())
      entries.push(entry)
      head = { seq: entry.seq, hash: entry.hash }
    }
    try {
      await storageCall('append audit entries', () =>
        this.client.insert({
          table: `${this.database}.audit_log`,
          values: entries.map((entry) => ({
            chain_id: entry.chainId,
            seq: entry.seq,
            at: toClickHouseTime(new Date(entry.at)),
            actor: entry.actor,
            action: entry.action,
            reason: entry.reason,
            subject_type: entry.subjectType,
            subject_id: entry.subjectId,
            policy_version: entry.policyVersion,
            before: canonicalJson(entry.before),
            after: canonicalJson(entry.after),
            prev_hash: entry.prevHash,
            hash: entry.hash,
          })),
          format: 'JSONEachRow',
        }),
      )
    } catch (err) {
      this.head = undefined
      throw err
    }
    this.head = head
    return entries
  }

  private async readHead(): Promise<{ seq: number; hash: string } | null> {
    const rows = await storageCall('read audit chain head', async () => {
      const result = await this.client.query({
        query: `SELECT seq, hash FROM ${this.database}.audit_log
          WHERE chain_id = {chainId:String} ORDER BY seq DESC LIMIT 1`,
        query_params: { chainId: this.chainId },
        format: 'JSONEachRow',
      })
      return result.json<{ seq: string | number; hash: string }>()
    })
    const [row] = rows
    return row ? { seq: Number(row.seq), hash: row.hash } : null
  }

  /** Every stored entry (of one subject, when given), in chain and sequence order. */
  async entries(filter: { subjectId?: string } = {}): Promise<AuditEntry[]> {
    const where = filter.subjectId === undefined ? '' : 'WHERE subject_id = {subjectId:String}'
    const rows = await storageCall('read audit entries', async () => {
      const result = await this.client.query({
        query: `SELECT * FROM ${this.database}.audit_log ${where} ORDER BY chain_id, seq`,
        query_params: { subjectId: filter.subjectId ?? '' },
        format: 'JSONEachRow',
      })
      return result.json<AuditRow>()
    })
    return rows.map((r) => ({
      chainId: r.chain_id,
      seq: Number(r.seq),
      at: fromClickHouseTime(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      reason: r.reason,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      policyVersion: r.policy_version,
      before: JSON.parse(r.before) as unknown,
      after: JSON.parse(r.after) as unknown,
      prevHash: r.prev_hash,
      hash: r.hash,
    }))
  }

  /**
   * Verifies every chain in the table (see verifyAuditChain). Reads the whole table into memory,
   * which suits audit logs up to some millions of entries.
   */
  async verify(): Promise<AuditVerification> {
    return verifyAuditChain(await this.entries())
  }
}
