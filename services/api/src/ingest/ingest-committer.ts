import type { ClickHouseClient } from '@clickhouse/client'
import { storedEventIds } from '@fairwatch/store'
import type { RejectedEvent } from '@fairwatch/store'

import type { AcceptedEvent, IngestSink } from './ingest-sink.ts'

interface Pending {
  accepted: readonly AcceptedEvent[]
  rejected: readonly RejectedEvent[]
  resolve: (stored: boolean[]) => void
  reject: (err: unknown) => void
}

/** Options of IngestCommitter. */
export interface IngestCommitterOptions {
  sink: IngestSink
  client: ClickHouseClient
  database: string
  /**
   * Most events written by one sink write. Default 20 000: several concurrent batches share a
   * write, while no request waits behind an unbounded group.
   */
  maxEventsPerWrite?: number
  /**
   * Groups that may be under way at once. Default 1: every request that arrives while a group is
   * looked up and written joins the next group, so groups are as large as the traffic allows and
   * the store does one look-up and one insert per group. On the embedded engine that measured
   * about 1.5 times the events per second of two groups at a time (pnpm bench:api: about 55,000
   * against 36,000), whose groups were half as large.
   */
  concurrentWrites?: number
}

type Kind = 'prediction' | 'outcome'
type EventIds = Record<Kind, Set<string>>

/**
 * Group commit of ingest batches. Requests that arrive while writes are under way are written
 * together by the next one: one duplicate look-up per event kind and one sink write for the
 * whole group, instead of one of each per request. Each request's promise settles when its
 * events are durable (or the group's write failed), never before.
 *
 * Duplicates are decided across groups in arrival order: an event id already stored, being
 * written by an earlier group, or sent by an earlier request of the same group is a duplicate.
 * Look-ups and decisions run one group at a time; only the writes overlap. A group remembers the
 * groups in flight when its look-up starts, so an event written by one of them is a duplicate
 * whether or not that write had landed when the look-up read the store.
 *
 * When the sink knows which ids are certainly not stored (its `storedIds`), only the other ids
 * are looked up in the store: on a store of millions of events the look-up, whose cost grows with
 * the store, is the larger part of an ingest, and a batch of new events mostly skips it.
 */
export class IngestCommitter {
  readonly #sink: IngestSink
  readonly #client: ClickHouseClient
  readonly #database: string
  readonly #maxEvents: number
  readonly #concurrency: number
  #pending: Pending[] = []
  #writers = 0
  #deciding: Promise<unknown> = Promise.resolve()
  readonly #inFlight = new Set<EventIds>()

  constructor(options: IngestCommitterOptions) {
    this.#sink = options.sink
    this.#client = options.client
    this.#database = options.database
    this.#maxEvents = options.maxEventsPerWrite ?? 20_000
    this.#concurrency = options.concurrentWrites ?? 1
  }

  /**
   * Writes a request's valid events (unless already stored) and refused events. Resolves with,
   * for each valid event in order, whether it was stored (false: it was a duplicate).
   * Rejects with what the store or the sink threw; then none of the request's events is known to
   * be stored, and sending the request again is safe.
   */
  submit(
    accepted: readonly AcceptedEvent[],
    rejected: readonly RejectedEvent[],
  ): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ accepted, rejected, resolve, reject })
      if (this.#writers < this.#concurrency) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#writers += 1
    try {
      while (this.#pending.length > 0) await this.#writeGroup(this.#takeGroup())
    } finally {
      this.#writers -= 1
    }
  }

  #takeGroup(): Pending[] {
    let events = 0
    let count = 0
    for (const pending of this.#pending) {
      const size = pending.accepted.length + pending.rejected.length
      // A request is never split; the first one is always taken, however large.
      if (count > 0 && events + size > this.#maxEvents) break
      events += size
      count += 1
    }
    return this.#pending.splice(0, count)
  }

  async #writeGroup(group: Pending[]): Promise<void> {
    let written: EventIds | null = null
    try {
      const decision = this.#deciding.then(() => this.#decide(group))
      this.#deciding = decision.catch(() => undefined)
      const { accepted, rejected, storedByRequest, ids } = await decision
      written = ids
      await this.#sink.write(accepted, rejected)
      group.forEach((pending, i) => pending.resolve(storedByRequest[i] as boolean[]))
    } catch (err) {
      for (const pending of group) pending.reject(err)
    } finally {
      if (written) this.#inFlight.delete(written)
    }
  }

  async #decide(group: Pending[]) {
    const earlier = [...this.#inFlight]
    const asked: EventIds = { prediction: new Set(), outcome: new Set() }
    // Read once: a group is decided either wholly with the filter or wholly without it.
    const filter = this.#sink.storedIds?.ready ? this.#sink.storedIds : null
    for (const pending of group) {
      for (const { record } of pending.accepted) {
        if (!filter || filter.mayBeStored(record.kind, record.eventId)) {
          asked[record.kind].add(record.eventId)
        }
      }
    }
    const [predictions, outcomes] = await Promise.all([
      storedEventIds(this.#client, this.#database, 'prediction', [...asked.prediction]),
      storedEventIds(this.#client, this.#database, 'outcome', [...asked.outcome]),
    ])
    const stored: EventIds = { prediction: predictions, outcome: outcomes }
    const ids: EventIds = { prediction: new Set(), outcome: new Set() }
    const accepted: AcceptedEvent[] = []
    const rejected: RejectedEvent[] = []
    const storedByRequest = group.map((pending) => {
      rejected.push(...pending.rejected)
      return pending.accepted.map((event) => {
        const { kind, eventId } = event.record
        const known =
          stored[kind].has(eventId) ||
          ids[kind].has(eventId) ||
          earlier.some((other) => other[kind].has(eventId))
        if (known) return false
        ids[kind].add(eventId)
        accepted.push(event)
        return true
      })
    })
    this.#inFlight.add(ids)
    return { accepted, rejected, storedByRequest, ids }
  }
}
