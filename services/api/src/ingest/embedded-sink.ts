import type { EventRecord } from '@fairwatch/contract'
import type { RejectedEvent } from '@fairwatch/store'

import type { AcceptedEvent, IngestSink, StoredIdLookup } from './ingest-sink.ts'

/** What the embedded sink needs of the runtime: EmbeddedRuntime has this shape. */
export interface EventStoreRuntime {
  ingest(records: readonly EventRecord[], rejected?: readonly RejectedEvent[]): Promise<unknown>
  readonly lastError?: unknown
  /** Ids certainly not stored yet; null or absent when other processes may write the store. */
  readonly storedIds?: StoredIdLookup | null
}

/**
 * The sink of embedded mode: one store insert per table per batch through the runtime, whose
 * recompute loop then updates the windows the batch changed.
 */
export function createEmbeddedSink(runtime: EventStoreRuntime): IngestSink {
  return {
    kind: 'embedded',
    storedIds: runtime.storedIds ?? undefined,
    async write(accepted: readonly AcceptedEvent[], rejected: readonly RejectedEvent[]) {
      if (accepted.length === 0 && rejected.length === 0) return
      await runtime.ingest(
        accepted.map((event) => event.record),
        rejected,
      )
    },
    async ready() {
      return true
    },
    async close() {},
  }
}
