import type { ClickHouseClient } from '@clickhouse/client'
import type { Logger } from 'pino'
import { sha256Hex } from '../canonical/canonical-json'
import { NotificationFailedError } from '../errors'
import { fromClickHouseTime, toClickHouseTime } from '../storage/clickhouse-time'
import { storageCall } from '../storage/storage-call'
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff'
import type { NotificationMessage, NotificationTarget, WebhookFormat } from './notification-types'
import { renderWebhookBody } from './webhook-body'

/** One notification as held in the outbox. */
export interface OutboxEntry {
  /** The idempotency key: SHA-256 of the target name and the event key. */
  id: string
  revision: number
  target: string
  format: WebhookFormat
  url: string
  event: string
  subjectId: string
  body: string
  status: 'pending' | 'delivered'
  attempts: number
  nextAttemptAt: Date
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
  deliveredAt: Date | null
}

/** Outcome of one delivery run. */
export interface DeliveryReport {
  attempted: number
  delivered: number
  failed: { id: string; target: string; status: number | null; nextAttemptAt: string }[]
}

interface OutboxRow {
  id: string
  revision: string | number
  target: string
  format: WebhookFormat
  url: string
  event: string
  subject_id: string
  body: string
  status: 'pending' | 'delivered'
  attempts: number
  next_attempt_at: string
  last_status: number | null
  last_error: string | null
  created_at: string
  delivered_at: string | null
}

/** Idempotency key of an event for a target. */
export function idempotencyKey(target: string, eventKey: string): string {
  return sha256Hex(`${target}\n${eventKey}`)
}

/**
 * Reliable webhook delivery through an outbox table (`notification_outbox`). Enqueuing stores one
 * row per target and event, keyed by the idempotency key, so enqueuing the same event again (a
 * retried evaluation, two workers) adds nothing. Delivery posts every due row, marks 2xx answers
 * delivered and reschedules everything else with exponential backoff, forever: nothing is
 * dropped while a receiver is down. Delivery is at least once (a crash between the receiver's
 * answer and the status update resends); receivers deduplicate on the `Idempotency-Key` header
 * or the key in the body.
 */
export class NotificationOutbox {
  private readonly table: string

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
    private readonly logger: Logger,
    private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly timeoutMs = 10_000,
  ) {
    this.table = `${database}.notification_outbox`
  }

  /** Queues a message for every target that takes its event; returns the entries queued. */
  async enqueue(
    message: NotificationMessage,
    targets: readonly NotificationTarget[],
    now: Date,
  ): Promise<OutboxEntry[]> {
    const entries = targets
      .filter((t) => !t.events || t.events.includes(message.event))
      .map((t): OutboxEntry => {
        const id = idempotencyKey(t.name, message.eventKey)
        return {
          id,
          revision: 0,
          target: t.name,
          format: t.format,
          url: t.url,
          event: message.event,
          subjectId: message.subjectId,
          body: JSON.stringify(renderWebhookBody(t.format, message, id)),
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastStatus: null,
          lastError: null,
          createdAt: now,
          deliveredAt: null,
        }
      })
    if (entries.length === 0) return []
    const existing = new Set(
      (await this.read('id IN {ids:Array(String)}', { ids: entries.map((e) => e.id) })).map(
        (e) => e.id,
      ),
    )
    const fresh = entries.filter((e) => !existing.has(e.id))
    await this.write(fresh, now)
    return fresh
  }

  /** Entries waiting for delivery (all, or those due at `dueAt`), oldest first. */
  async pending(dueAt?: Date, limit = 1000): Promise<OutboxEntry[]> {
    const due = dueAt ? ` AND next_attempt_at <= {dueAt:DateTime64(3, 'UTC')}` : ''
    return this.read(
      `status = 'pending'${due}`,
      { dueAt: dueAt ? toClickHouseTime(dueAt) : '' },
      limit,
    )
  }

  /** Every entry about one subject (record id), for display. */
  async forSubject(subjectId: string): Promise<OutboxEntry[]> {
    return this.read('subject_id = {subjectId:String}', { subjectId })
  }

  /**
   * Posts every due entry once, in order, and records the outcome. Entries whose target is no
   * longer configured stay pending and are reported as failed.
   */
  async deliver(targets: readonly NotificationTarget[], now: Date): Promise<DeliveryReport> {
    const due = await this.pending(now)
    const report: DeliveryReport = { attempted: 0, delivered: 0, failed: [] }
    const byName = new Map(targets.map((t) => [t.name, t]))
    for (const entry of due) {
      report.attempted += 1
      const target = byName.get(entry.target)
      let status: number | null = null
      let error: unknown = null
      if (!target) {
        error = new Error(`target ${entry.target} is not configured`)
      } else {
        try {
          const response = await fetch(entry.url, {
            method: 'POST',
            headers: {
              ...target.headers,
              'content-type': 'application/json',
              'idempotency-key': entry.id,
            },
            body: entry.body,
            signal: AbortSignal.timeout(this.timeoutMs),
          })
          status = response.status
          await response.body?.cancel()
          if (!response.ok) error = new NotificationFailedError(entry.target, status)
        } catch (err) {
          error = new NotificationFailedError(entry.target, null, { cause: err })
        }
      }
      if (error === null) {
        await this.write(
          [
            {
              ...entry,
              revision: entry.revision + 1,
              status: 'delivered',
              lastStatus: status,
              lastError: null,
              deliveredAt: now,
            },
          ],
          now,
        )
        report.delivered += 1
        continue
      }
      const attempts = entry.attempts + 1
      const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts, this.backoff))
      const lastError =
        error instanceof Error
          ? error.cause instanceof Error
            ? `${error.message}: ${error.cause.message}`
            : error.message
          : String(error)
      await this.write(
        [
          {
            ...entry,
            revision: entry.revision + 1,
            attempts,
            nextAttemptAt,
            lastStatus: status,
            lastError,
          },
        ],
        now,
      )
      this.logger.warn(
        { err: error, target: entry.target, notification: entry.id, attempts, nextAttemptAt },
        'notification delivery failed',
      )
      report.failed.push({
        id: entry.id,
        target: entry.target,
        status,
        nextAttemptAt: nextAttemptAt.toISOString(),
      })
    }
    return report
  }

  private async write(entries: readonly OutboxEntry[], now: Date): Promise<void> {
    if (entries.length === 0) return
    const values = entries.map((e) => ({
      id: e.id,
      revision: e.revision,
      target: e.target,
      format: e.format,
      url: e.url,
      event: e.event,
      subject_id: e.subjectId,
      body: e.body,
      status: e.status,
      attempts: e.attempts,
      next_attempt_at: toClickHouseTime(e.nextAttemptAt),
      last_status: e.lastStatus,
      last_error: e.lastError,
      created_at: toClickHouseTime(e.createdAt),
      updated_at: toClickHouseTime(now),
      delivered_at: e.deliveredAt ? toClickHouseTime(e.deliveredAt) : null,
    }))
    await storageCall('write notification outbox', () =>
      this.client.insert({ table: this.table, values, format: 'JSONEachRow' }),
    )
  }

  private async read(
    where: string,
    params: Record<string, unknown>,
    limit = 10_000,
  ): Promise<OutboxEntry[]> {
    const rows = await storageCall('read notification outbox', async () => {
      const result = await this.client.query({
        query: `SELECT * FROM ${this.table} FINAL WHERE ${where}
          ORDER BY next_attempt_at, created_at, id LIMIT ${Math.floor(limit)}`,
        query_params: params,
        format: 'JSONEachRow',
      })
      return result.json<OutboxRow>()
    })
    return rows.map((r) => ({
      id: r.id,
      revision: Number(r.revision),
      target: r.target,
      format: r.format,
      url: r.url,
      event: r.event,
      subjectId: r.subject_id,
      body: r.body,
      status: r.status,
      attempts: Number(r.attempts),
      nextAttemptAt: fromClickHouseTime(r.next_attempt_at),
      lastStatus: r.last_status === null ? null : Number(r.last_status),
      lastError: r.last_error,
      createdAt: fromClickHouseTime(r.created_at),
      deliveredAt: r.delivered_at === null ? null : fromClickHouseTime(r.delivered_at),
    }))
  }
}
