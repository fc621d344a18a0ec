import type { ClickHouseClient } from '@clickhouse/client'

import { encodeEvents } from './event-rows.ts'
import type { EncodedEventBatch, EventBatch } from './event-rows.ts'
import { insertTsv } from './tsv-insert.ts'

/** Options of a batch insert. */
export interface WriteOptions {
  /**
   * Names the batch so that inserting it again (a retry after a crash or a timeout) is dropped by
   * ClickHouse instead of stored twice, e.g. `topic/partition/firstOffset-lastOffset`.
   */
  deduplicationToken?: string
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
  await writeEncodedEvents(client, database, encodeEvents(batch), options)
}

/** Stores a batch encoded by encodeEvents, exactly as writeEvents stores the batch itself. */
export async function writeEncodedEvents(
  client: ClickHouseClient,
  database: string,
  encoded: EncodedEventBatch,
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
      encoded.predictions,
      token,
    ),
    insertTsv(
      client,
      `${database}.outcomes`,
      ['model_id', 'prediction_id', 'event_id', 'event_time_ms', 'outcome'],
      encoded.outcomes,
      token,
    ),
    insertTsv(
      client,
      `${database}.rejected_events`,
      ['source', 'source_ref', 'reason', 'field', 'message', 'raw'],
      encoded.rejected,
      token,
    ),
  ])
}
