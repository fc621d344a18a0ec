import { checkEvent, parseEvent } from '@fairwatch/contract'
import type { ParseResult, RejectionReason } from '@fairwatch/contract'
import type { RejectedEvent } from '@fairwatch/store'

import type { ApiMetrics } from '../metrics/api-metrics.ts'
import type { IngestCommitter } from './ingest-committer.ts'
import type { AcceptedEvent } from './ingest-sink.ts'

/** One event of a body, before it is checked: a decoded JSON value or an NDJSON line. */
export type IncomingEvent = { value: unknown } | { text: string; line: number }

/** What happened to one event of a batch. */
export interface EventResult {
  /** Position of the event in the batch, from 0. */
  index: number
  /** Line of the event in an NDJSON body, from 1; absent for JSON bodies. */
  line?: number
  /** The event's event_id when it has a usable one. */
  event_id: string | null
  status: 'accepted' | 'duplicate' | 'rejected'
  /** Why the contract refused it (rejected only). */
  reason?: RejectionReason
  field?: string | null
  message?: string
}

/** Answer of a batch ingest: counts and one result per event, in the order received. */
export interface BatchResult {
  accepted: number
  duplicates: number
  rejected: number
  results: EventResult[]
}

/** Dependencies of ingestEvents. */
export interface IngestContext {
  committer: IngestCommitter
  metrics: ApiMetrics
}

function eventIdOf(value: unknown): string | null {
  const id = (value as { event_id?: unknown } | null)?.event_id
  return typeof id === 'string' ? id : null
}

/**
 * Checks every event of a batch against the contract, finds duplicates (an event_id seen earlier
 * in the batch, or already stored) and hands the batch to the committer: valid new events and
 * refused ones are written together, so a refused event never costs its valid neighbours anything.
 * `requestId` names the batch on refused events (`<request id>#<index>`).
 * Throws what the sink or the store throws; then nothing of the batch is reported accepted.
 */
export async function ingestEvents(
  context: IngestContext,
  events: readonly IncomingEvent[],
  requestId: string,
): Promise<BatchResult> {
  const results: EventResult[] = new Array(events.length)
  const candidates: { index: number; event: AcceptedEvent }[] = []
  const rejected: RejectedEvent[] = []
  const seen = { prediction: new Set<string>(), outcome: new Set<string>() }

  for (let index = 0; index < events.length; index += 1) {
    const incoming = events[index] as IncomingEvent
    const parsed: ParseResult =
      'text' in incoming ? parseEvent(incoming.text) : checkEvent(incoming.value)
    const line = 'line' in incoming ? incoming.line : undefined
    if (!parsed.ok) {
      const { reason, field, message } = parsed.rejection
      const value = 'value' in incoming ? incoming.value : null
      results[index] = {
        index,
        ...(line === undefined ? {} : { line }),
        event_id: eventIdOf(value),
        status: 'rejected',
        reason,
        field,
        message,
      }
      rejected.push({
        source: 'http',
        sourceRef: `${requestId}#${index}`,
        rejection: parsed.rejection,
      })
      continue
    }
    const record = parsed.record
    const ids = seen[record.kind]
    const base = { index, ...(line === undefined ? {} : { line }), event_id: record.eventId }
    if (ids.has(record.eventId)) {
      results[index] = { ...base, status: 'duplicate' }
      continue
    }
    ids.add(record.eventId)
    results[index] = { ...base, status: 'accepted' }
    candidates.push({
      index,
      event: { record, wire: 'text' in incoming ? incoming.text : (incoming.value as object) },
    })
  }

  const stored = await context.committer.submit(
    candidates.map((c) => c.event),
    rejected,
  )
  const accepted: AcceptedEvent[] = []
  candidates.forEach(({ index, event }, i) => {
    if (stored[i]) accepted.push(event)
    else (results[index] as EventResult).status = 'duplicate'
  })

  let predictions = 0
  for (const event of accepted) if (event.record.kind === 'prediction') predictions += 1
  context.metrics.eventsIngested.inc({ kind: 'prediction', source: 'http' }, predictions)
  context.metrics.eventsIngested.inc(
    { kind: 'outcome', source: 'http' },
    accepted.length - predictions,
  )
  for (const r of rejected)
    context.metrics.eventsRejected.inc({ reason: r.rejection.reason, source: 'http' })
  context.metrics.batchSize.observe(events.length)
  return {
    accepted: accepted.length,
    duplicates: events.length - accepted.length - rejected.length,
    rejected: rejected.length,
    results,
  }
}
