import type { OutcomeRecord, PredictionRecord, Rejection } from '@fairwatch/contract'

import { escapeTsv, tsvNullable } from './tsv.ts'

/*
 * Events as rows of the event tables, in TabSeparated text. Free of the engine and its client, so
 * that other threads (a replay's parsing threads) can encode; import it as
 * @fairwatch/store/event-rows there.
 */

/** A rejected event and where it came from (`kafka`, `http`, `replay`, …). */
export interface RejectedEvent {
  source: string
  /** Where in the source: `topic/partition/offset`, `file:line`, a request id. */
  sourceRef: string
  rejection: Rejection
}

/** A batch of events to store. All arrays may be empty. */
export interface EventBatch {
  predictions: readonly PredictionRecord[]
  outcomes: readonly OutcomeRecord[]
  rejected?: readonly RejectedEvent[]
}

function predictionLine(p: PredictionRecord): string {
  return (
    `${p.modelId}\t${escapeTsv(p.predictionId)}\t${escapeTsv(p.eventId)}\t` +
    `${escapeTsv(p.modelVersion)}\t${p.eventTime}\t${p.decision}\t` +
    `${tsvNullable(p.score)}\t${escapeTsv(JSON.stringify(p.attributes))}\n`
  )
}

function outcomeLine(o: OutcomeRecord): string {
  return (
    `${o.modelId}\t${escapeTsv(o.predictionId)}\t${escapeTsv(o.eventId)}\t` +
    `${o.eventTime}\t${o.outcome}\n`
  )
}

function rejectedLine(r: RejectedEvent): string {
  const { rejection } = r
  return (
    `${escapeTsv(r.source)}\t${escapeTsv(r.sourceRef)}\t${rejection.reason}\t` +
    `${escapeTsv(rejection.field ?? '')}\t${escapeTsv(rejection.message)}\t` +
    `${escapeTsv(rejection.raw)}\n`
  )
}

function joinLines<T>(items: readonly T[], line: (item: T) => string): string {
  let text = ''
  for (const item of items) text += line(item)
  return text
}

/**
 * A batch already encoded as rows of the event tables (TabSeparated text, one line per event), as
 * encodeEvents makes it. Lets the encoding run elsewhere than the insert, on a parsing thread for
 * example. Encoded batches concatenate: the text of two is the text of their union.
 */
export interface EncodedEventBatch {
  predictions: string
  outcomes: string
  rejected: string
}

/** Encodes a batch as the rows writeEncodedEvents stores. */
export function encodeEvents(batch: EventBatch): EncodedEventBatch {
  return {
    predictions: joinLines(batch.predictions, predictionLine),
    outcomes: joinLines(batch.outcomes, outcomeLine),
    rejected: joinLines(batch.rejected ?? [], rejectedLine),
  }
}
