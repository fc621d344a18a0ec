import { Readable } from 'node:stream'

import type { ClickHouseClient } from '@clickhouse/client'

import { rawInserterOf } from './client.ts'
import { toStoreError } from './errors.ts'

/**
 * Inserts rows encoded as TabSeparated text (one per line) into `table`. With a deduplication
 * token, inserting the same rows again under the same token stores nothing new. Uses the embedded
 * engine's raw insert when the client has one, the client's insert otherwise.
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
    const raw = rawInserterOf(client)
    if (raw) {
      // Every insert names its token, empty for none: the engine keeps settings between requests.
      const settings = { insert_deduplication_token: token ?? '' }
      await raw({
        table,
        columns: [...columns],
        values: Buffer.from(body),
        format: 'TabSeparated',
        settings,
      })
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
