import path from 'node:path'

import { StoreError } from './errors.ts'

/** Where the store lives: a ClickHouse server over HTTP, or the embedded engine in a directory. */
export interface StoreConfig {
  /** HTTP(S) URL of a ClickHouse server. When absent the embedded engine is used. */
  url?: string
  username?: string
  password?: string
  /** Database holding Fairwatch's tables. Default `fairwatch`. */
  database: string
  /** Data directory of the embedded engine. Default `.data/clickhouse` under the working directory. */
  dataDir: string
  /** Days that raw events and rejected events are kept; unset keeps them until deleted. */
  retentionDays?: number
}

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

/**
 * Reads the store's configuration from the environment:
 * FW_CLICKHOUSE_URL, FW_CLICKHOUSE_USER, FW_CLICKHOUSE_PASSWORD, FW_CLICKHOUSE_DATABASE
 * (default `fairwatch`), FW_DATA_DIR (embedded engine, default `.data/clickhouse`) and
 * FW_RETENTION_DAYS. Throws StoreError FW_STORE_CONFIG_INVALID naming the variable at fault.
 */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const database = env.FW_CLICKHOUSE_DATABASE ?? 'fairwatch'
  if (!DATABASE_NAME.test(database)) {
    throw configError(`FW_CLICKHOUSE_DATABASE must be a plain identifier, got "${database}"`)
  }

  let retentionDays: number | undefined
  if (env.FW_RETENTION_DAYS !== undefined && env.FW_RETENTION_DAYS !== '') {
    retentionDays = Number(env.FW_RETENTION_DAYS)
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw configError(`FW_RETENTION_DAYS must be a whole number of days >= 1`)
    }
  }

  const url = env.FW_CLICKHOUSE_URL || undefined
  if (url !== undefined && !/^https?:\/\//.test(url)) {
    throw configError(`FW_CLICKHOUSE_URL must start with http:// or https://`)
  }

  return {
    url,
    username: env.FW_CLICKHOUSE_USER || undefined,
    password: env.FW_CLICKHOUSE_PASSWORD || undefined,
    database,
    dataDir: path.resolve(env.FW_DATA_DIR ?? '.data/clickhouse'),
    retentionDays,
  }
}

function configError(message: string): StoreError {
  return new StoreError('FW_STORE_CONFIG_INVALID', message, { retriable: false })
}
