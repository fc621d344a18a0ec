import type { ClickHouseClient } from '@clickhouse/client'
import { toStoreError } from '@fairwatch/store'

import { toClickHouseTime } from './clickhouse-time.ts'

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

/**
 * Appends the conditions of a listing's filter to `where` and their values to `params`: one
 * `column = {key:String}` for each field of `equal` that the filter sets, and the window start range
 * [from, to).
 */
export function addFilterConditions<F extends { from?: Date; to?: Date }>(
  filter: F,
  equal: readonly (readonly [keyof F & string, string])[],
  where: string[],
  params: Record<string, unknown>,
): void {
  for (const [key, column] of equal) {
    if (filter[key] === undefined) continue
    where.push(`${column} = {${key}:String}`)
    params[key] = filter[key]
  }
  if (filter.from) {
    where.push(`window_start >= {from:DateTime64(3, 'UTC')}`)
    params.from = toClickHouseTime(filter.from)
  }
  if (filter.to) {
    where.push(`window_start < {to:DateTime64(3, 'UTC')}`)
    params.to = toClickHouseTime(filter.to)
  }
}
