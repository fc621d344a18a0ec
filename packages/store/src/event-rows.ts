import type { OutcomeRecord, PredictionRecord, Rejection } from '@fairwatch/contract'

import { RowBinaryWriter } from './row-binary.ts'

/*
 * Events as rows of the event tables, in RowBinary (see row-binary.ts). Free of the engine and its
 * client, so that other threads (a replay's parsing threads) can encode; import it as
 * @fairwatch/store/event-rows there.
 */

/** Columns of the predictions table that its rows fill, in the order they are encoded. */
export const PREDICTION_COLUMNS = [
  'model_id',
  'prediction_id',
  'event_id',
  'model_version',
  'event_time',
  'decision',
  'score',
  'attribute_set',
] as const

/** Columns of the outcomes table that its rows fill, in the order they are encoded. */
export const OUTCOME_COLUMNS = [
  'model_id',
  'prediction_id',
  'event_id',
  'event_time',
  'outcome',
] as const

/** Columns of the rejected events table that its rows fill, in the order they are encoded. */
export const REJECTED_COLUMNS = [
  'source',
  'source_ref',
  'reason',
  'field',
  'message',
  'raw',
] as const

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

// Rows of 100k events fill some megabytes; a writer starts small and doubles as it goes.
const INITIAL_BYTES = 1 << 16

function predictionRows(predictions: readonly PredictionRecord[]): Uint8Array {
  const out = new RowBinaryWriter(INITIAL_BYTES)
  for (const p of predictions) {
    out.string(p.modelId)
    out.string(p.predictionId)
    out.string(p.eventId)
    out.string(p.modelVersion)
    out.int64(p.eventTime)
    out.uint8(p.decision)
    out.nullableFloat64(p.score)
    out.string(JSON.stringify(p.attributes))
  }
  return out.bytes()
}

function outcomeRows(outcomes: readonly OutcomeRecord[]): Uint8Array {
  const out = new RowBinaryWriter(INITIAL_BYTES)
  for (const o of outcomes) {
    out.string(o.modelId)
    out.string(o.predictionId)
    out.string(o.eventId)
    out.int64(o.eventTime)
    out.uint8(o.outcome)
  }
  return out.bytes()
}

function rejectedRows(rejected: readonly RejectedEvent[]): Uint8Array {
  const out = new RowBinaryWriter(INITIAL_BYTES)
  for (const { source, sourceRef, rejection } of rejected) {
    out.string(source)
    out.string(sourceRef)
    out.string(rejection.reason)
    out.string(rejection.field ?? '')
    out.string(rejection.message)
    out.string(rejection.raw)
  }
  return out.bytes()
}

/**
 * A batch already encoded as rows of the event tables (RowBinary, columns as PREDICTION_COLUMNS,
 * OUTCOME_COLUMNS and REJECTED_COLUMNS list them), as encodeEvents makes it. Lets the encoding run
 * elsewhere than the insert, on a parsing thread for example. Encoded batches concatenate: the
 * bytes of two, one after the other, are the rows of their union. Each array has a buffer of its
 * own, so it may be moved to another thread.
 */
export interface EncodedEventBatch {
  predictions: Uint8Array
  outcomes: Uint8Array
  rejected: Uint8Array
}

/** Encodes a batch as the rows writeEncodedEvents stores. */
export function encodeEvents(batch: EventBatch): EncodedEventBatch {
  return {
    predictions: predictionRows(batch.predictions),
    outcomes: outcomeRows(batch.outcomes),
    rejected: rejectedRows(batch.rejected ?? []),
  }
}
