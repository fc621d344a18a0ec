import type { ClickHouseClient } from '@clickhouse/client'
import { ROW_INSERT, toStoreError } from '@fairwatch/store'

import type { WorkerMetrics } from '../metrics/worker-metrics.ts'

type Operation = 'insert' | 'query' | 'command' | 'exec'
const OPERATIONS = new Set<string | symbol>(['insert', 'query', 'command', 'exec'])

/** The operation a client property performs, or null when it is passed through untouched. */
function operationOf(property: string | symbol): Operation | null {
  // The store's insert of encoded rows is an insert like any other.
  if (property === ROW_INSERT) return 'insert'
  return OPERATIONS.has(property) ? (property as Operation) : null
}

/**
 * Wraps a ClickHouse client so that every insert is timed by table
 * (`fairwatch_store_insert_seconds`), every failed call is counted by operation
 * (`fairwatch_store_failures_total`) and `fairwatch_store_available` drops to 0 when a call cannot
 * reach the store and returns to 1 with the next call that succeeds. Everything else passes
 * through unchanged.
 */
export function instrumentClient(
  client: ClickHouseClient,
  metrics: Pick<WorkerMetrics, 'storeInsertSeconds' | 'storeFailures' | 'storeAvailable'>,
): ClickHouseClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      const operation = operationOf(property)
      if (typeof value !== 'function' || operation === null) return value
      return async (params: { table?: string }) => {
        const started = performance.now()
        try {
          const result: unknown = await (value as (p: unknown) => Promise<unknown>).call(
            target,
            params,
          )
          if (operation === 'insert') {
            const table = tableName(params.table)
            metrics.storeInsertSeconds.observe({ table }, (performance.now() - started) / 1000)
          }
          metrics.storeAvailable.set(1)
          return result
        } catch (err) {
          metrics.storeFailures.inc({ operation })
          // A refused query says nothing about availability; a connection that failed does.
          if (toStoreError(err, operation).code === 'FW_STORE_UNAVAILABLE') {
            metrics.storeAvailable.set(0)
          }
          throw err
        }
      }
    },
  })
}

function tableName(qualified: string | undefined): string {
  if (!qualified) return 'unknown'
  const dot = qualified.lastIndexOf('.')
  return dot === -1 ? qualified : qualified.slice(dot + 1)
}
