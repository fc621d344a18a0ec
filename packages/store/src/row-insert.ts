import { Readable } from 'node:stream'

import { drainStream } from '@clickhouse/client'
import type { ClickHouseClient } from '@clickhouse/client'

import { toStoreError } from './errors.ts'

/** The formats rows are inserted in: RowBinary for events, TabSeparated for the rest. */
export type RowFormat = 'RowBinary' | 'TabSeparated'

/** Rows already encoded in `format`, bound for `columns` of `table`. */
export interface EncodedRows {
  table: string
  columns: readonly string[]
  format: RowFormat
  body: string | Uint8Array
  /** Deduplication token; empty for none. */
  token: string
}

/** Inserts encoded rows; durable when it resolves. */
export type RowInsert = (rows: EncodedRows) => Promise<void>

/**
 * Key of the insert of encoded rows on a client made by createStoreClient: the embedded engine's
 * staged insert (see createStagedInsert), or an HTTP request to a server. A property rather than
 * a side table, so that a wrapper of the client (a Proxy that times calls, say) still reaches it,
 * and may wrap it like any other insert.
 */
export const ROW_INSERT: unique symbol = Symbol('fairwatch.store.rowInsert')

/** The insert of encoded rows of a client made by createStoreClient, if it is one. */
export function rowInsertOf(client: ClickHouseClient): RowInsert | undefined {
  return (client as ClickHouseClient & { [ROW_INSERT]?: RowInsert })[ROW_INSERT]
}

/**
 * The insert of encoded rows over HTTP: the statement goes in the URL and the rows, as they are,
 * in the request body. The client's own insert() takes only JSON and text formats; exec() sends
 * any format.
 */
export function createHttpRowInsert(client: ClickHouseClient): RowInsert {
  return async ({ table, columns, format, body, token }) => {
    const { stream } = await client.exec({
      query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT ${format}`,
      values: Readable.from([body], { objectMode: false }),
      clickhouse_settings: token ? { insert_deduplication_token: token } : {},
    })
    // The answer is empty; reading it to the end frees the connection.
    await drainStream(stream)
  }
}

/**
 * Inserts encoded rows with the client's row insert, or over HTTP for a client made elsewhere.
 * With a deduplication token, inserting the same rows again under the same token stores nothing
 * new. Throws StoreError (check `retriable`).
 */
export async function insertRows(client: ClickHouseClient, rows: EncodedRows): Promise<void> {
  if (rows.body.length === 0) return
  try {
    await (rowInsertOf(client) ?? createHttpRowInsert(client))(rows)
  } catch (err) {
    throw toStoreError(err, `insert into ${rows.table}`)
  }
}
