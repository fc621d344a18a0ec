import type { ClickHouseClient } from '@clickhouse/client'
import type { OutcomeRecord, PredictionRecord, Rejection } from '@fairwatch/contract'

import { insertTsv } from './tsv-insert.ts'
import { escapeTsv, tsvNullable } from './tsv.ts'

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

/** Options of a batch insert. */
export interface WriteOptions {
  /**
   * Names the batch so that inserting it again (a retry after a crash or a timeout) is dropped by
   * ClickHouse instead of stored twice, e.g. `topic/partition/firstOffset-lastOffset`.
   */
  deduplicationToken?: string
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
 * Stores a batch of events. Durable when it resolves. With a deduplication token, running the
 * same call again stores nothing new, so a batch may be retried freely.
 * Throws StoreError (check `retriable`).
 */
export async function writeEvents(
  client: ClickHouseClient,
  database: string,
  batch: EventBatch,
  options: WriteOptions = {},
): Promise<void> {
  const token = options.deduplicationToken
  await Promise.all([
    insertTsv(
      client,
      `${database}.predictions`,
      [
        'model_id',
        'prediction_id',
        'event_id',
        'model_version',
        'event_time_ms',
        'decision',
        'score',
        'attribute_set',
      ],
      joinLines(batch.predictions, predictionLine),
      token,
    ),
    insertTsv(
      client,
      `${database}.outcomes`,
      ['model_id', 'prediction_id', 'event_id', 'event_time_ms', 'outcome'],
      joinLines(batch.outcomes, outcomeLine),
      token,
    ),
    insertTsv(
      client,
      `${database}.rejected_events`,
      ['source', 'source_ref', 'reason', 'field', 'message', 'raw'],
      joinLines(batch.rejected ?? [], rejectedLine),
      token,
    ),
  ])
}
