import type { ClickHouseClient } from '@clickhouse/client'
import { toStoreError } from '@fairwatch/store'

/** Runs a parameterised query and returns its rows. Throws StoreError naming `what`. */
export async function queryRows<T>(
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

/** A page of results: the items, how many match in all, and the window asked for. */
export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}
