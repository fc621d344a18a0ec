import type { ClickHouseClient } from '@clickhouse/client'

import {
  OUTCOME_COLUMNS,
  PREDICTION_COLUMNS,
  REJECTED_COLUMNS,
  encodeEvents,
} from './event-rows.ts'
import type { EncodedEventBatch, EventBatch } from './event-rows.ts'
import { insertRows } from './row-insert.ts'

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
  const token = options.deduplicationToken ?? ''
  const insert = (table: string, columns: readonly string[], body: Uint8Array) =>
    insertRows(client, { table: `${database}.${table}`, columns, format: 'RowBinary', body, token })
  await Promise.all([
    insert('predictions', PREDICTION_COLUMNS, encoded.predictions),
    insert('outcomes', OUTCOME_COLUMNS, encoded.outcomes),
    insert('rejected_events', REJECTED_COLUMNS, encoded.rejected),
  ])
}
