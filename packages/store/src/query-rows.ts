import type { ClickHouseClient } from '@clickhouse/client'

import { toStoreError } from './errors.ts'

/** The rows a query returns; a failure becomes a StoreError saying what was being done. */
export async function rowsOf<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown>,
  what: string,
): Promise<T[]> {
  try {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' })
    return await result.json<T>()
  } catch (err) {
    throw toStoreError(err, what)
  }
}
