import type { EventKind, EventRecord } from '@fairwatch/contract'
import type { RejectedEvent } from '@fairwatch/store'

/** A valid event on its way to the pipeline. */
export interface AcceptedEvent {
  record: EventRecord
  /** The event as received: its JSON text (NDJSON line) or its decoded JSON value. */
  wire: string | object
}

/**
 * Answers, without the store, whether an event id may already be stored; the embedded runtime's
 * StoredIdFilter has this shape. Only trusted while `ready`.
 */
export interface StoredIdLookup {
  readonly ready: boolean
  /** False when the id is certainly not stored; true when it may be. */
  mayBeStored(kind: EventKind, eventId: string): boolean
}

/**
 * Where ingested events go. Two implementations: the embedded runtime's store (the `start`
 * command) and Kafka topics read by the workers (production).
 */
export interface IngestSink {
  readonly kind: 'embedded' | 'kafka'
  /**
   * Present when every write to the store goes through this sink's process, so that the
   * duplicate check may skip the store for ids that are certainly new.
   */
  readonly storedIds?: StoredIdLookup
  /**
   * Makes a batch durable: valid events stored or acknowledged by every in-sync Kafka replica,
   * refused events kept in `rejected_events`. Throws when it could not (the caller answers 503 and
   * the producer sends the batch again; accepted event ids make the retry harmless).
   */
  write(accepted: readonly AcceptedEvent[], rejected: readonly RejectedEvent[]): Promise<void>
  /** Whether the sink can take events now (for /readyz). */
  ready(): Promise<boolean>
  close(): Promise<void>
}
