import type { ClickHouseClient } from '@clickhouse/client'
import type { EventKind } from '@fairwatch/contract'
import type { Logger } from '@fairwatch/observability'
import { storedEventIdPages } from '@fairwatch/store'
import { BloomFilter } from 'bloomfilter'

/** Options of StoredIdFilter. */
export interface StoredIdFilterOptions {
  /**
   * Event ids of each kind the filter answers for before it gives up (see `ready`). Default
   * 10 000 000, which takes about 12 MB per kind.
   */
  capacity?: number
  /** False-positive rate at capacity. Default 0.01. */
  falsePositiveRate?: number
}

/**
 * Knows, without asking the store, which event ids are certainly not stored yet: a Bloom filter
 * per event kind over every id stored before the filter was loaded and every id added since.
 * Ingest asks the store only about the ids the filter says may be stored, which on a store that
 * holds millions of events is a small share of a batch of new events.
 *
 * Sound only while every write to the store goes through `add` first, so the embedded runtime,
 * the single writer of its store, is the one user. Until `load` has read the stored ids, and once
 * more ids were added than the capacity (the false-positive rate would then climb), `ready` is
 * false and callers must ask the store about every id, as they would without a filter. A filter
 * cannot grow; a store that outlives the capacity goes back to those look-ups until the process
 * restarts with a larger capacity.
 */
export class StoredIdFilter {
  readonly #filters: Record<EventKind, BloomFilter>
  readonly #capacity: number
  #added = 0
  #loaded = false

  constructor(options: StoredIdFilterOptions = {}) {
    this.#capacity = options.capacity ?? 10_000_000
    const rate = options.falsePositiveRate ?? 0.01
    this.#filters = {
      prediction: BloomFilter.withTargetError(this.#capacity, rate),
      outcome: BloomFilter.withTargetError(this.#capacity, rate),
    }
  }

  /** Whether `mayBeStored` can be trusted: loaded and not past capacity. */
  get ready(): boolean {
    return this.#loaded && this.#added <= this.#capacity
  }

  /** Ids added so far, loaded ones included (an id added twice counts twice). */
  get size(): number {
    return this.#added
  }

  /** Records that an event id is being stored. Call before the write, never after. */
  add(kind: EventKind, eventId: string): void {
    this.#filters[kind].add(eventId)
    this.#added += 1
  }

  /** False when the id is certainly not stored; true when it may be. Only meaningful when ready. */
  mayBeStored(kind: EventKind, eventId: string): boolean {
    return this.#filters[kind].test(eventId)
  }

  /**
   * Adds every stored event id, page by page; the filter is ready when this resolves. Stops
   * early, leaving the filter not ready, when `signal` aborts. Throws StoreError; the filter then
   * stays not ready.
   */
  async load(client: ClickHouseClient, database: string, signal?: AbortSignal): Promise<void> {
    for (const kind of ['prediction', 'outcome'] as const) {
      for await (const page of storedEventIdPages(client, database, kind)) {
        if (signal?.aborted) return
        for (const id of page) this.add(kind, id)
      }
    }
    this.#loaded = true
  }
}

/** Loads `filter` in the background and logs how it went. */
export function loadInBackground(
  filter: StoredIdFilter,
  client: ClickHouseClient,
  database: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now()
  return filter.load(client, database, signal).then(
    () => {
      if (signal.aborted) return
      logger.info(
        { ids: filter.size, ms: Math.round(performance.now() - started), ready: filter.ready },
        'stored event id filter loaded',
      )
    },
    (err: unknown) => {
      logger.warn(
        { err },
        'could not load the stored event id filter; ingest looks every event id up in the store',
      )
    },
  )
}
