import { Readable } from 'node:stream'

import type { ClickHouseClient } from '@clickhouse/client'

import { stagedInsertOf } from './client.ts'
import { toStoreError } from './errors.ts'

/**
 * Inserts rows encoded as TabSeparated text (one per line) into `table`. With a deduplication
 * token, inserting the same rows again under the same token stores nothing new. Uses the embedded
 * engine's staged insert when the client has one, the client's insert otherwise.
 * Throws StoreError (check `retriable`).
 */
export async function insertTsv(
  client: ClickHouseClient,
  table: string,
  columns: readonly string[],
  body: string,
  token?: string,
): Promise<void> {
  if (body.length === 0) return
  try {
    const staged = stagedInsertOf(client)
    if (staged) {
      await staged({ table, columns, body, token: token ?? '' })
      return
    }
    await client.insert({
      table,
      columns: [...columns] as [string, ...string[]],
      values: Readable.from([body], { objectMode: false }),
      format: 'TabSeparated',
      clickhouse_settings: token ? { insert_deduplication_token: token } : {},
    })
  } catch (err) {
    throw toStoreError(err, `insert into ${table}`)
  }
}
