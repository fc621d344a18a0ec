import type { ClickHouseClient } from '@clickhouse/client'

/** What a spied client was asked to do: each query's text and each insert's table. */
export interface ClientCalls {
  queries: string[]
  inserts: string[]
}

/** An injected insert failure: before the rows reach the engine, or after they landed. */
export type InsertFailure = 'before' | 'after'

/**
 * A real client that records every query and insert, and can make the next insert into a table
 * fail (`failNextInsert`): 'before' loses the rows, 'after' stores them and loses the answer.
 */
export function spiedClient(client: ClickHouseClient): {
  client: ClickHouseClient
  calls: ClientCalls
  failNextInsert: (table: string, when: InsertFailure) => void
} {
  const calls: ClientCalls = { queries: [], inserts: [] }
  const failures = new Map<string, InsertFailure>()
  const spied = new Proxy(client, {
    get(target, property) {
      if (property === 'query') {
        return (params: { query: string }) => {
          calls.queries.push(params.query)
          return target.query(params as Parameters<ClickHouseClient['query']>[0])
        }
      }
      if (property === 'insert') {
        return async (params: Parameters<ClickHouseClient['insert']>[0]) => {
          calls.inserts.push(params.table)
          const failure = failures.get(params.table)
          failures.delete(params.table)
          if (failure === 'before') throw new Error(`insert into ${params.table} refused`)
          const answer = await target.insert(params)
          if (failure === 'after') throw new Error(`answer of insert into ${params.table} lost`)
          return answer
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
  return {
    client: spied,
    calls,
    failNextInsert: (table, when) => failures.set(table, when),
  }
}
