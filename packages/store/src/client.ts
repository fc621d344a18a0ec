import { mkdirSync } from 'node:fs'

import { createClient } from '@clickhouse/client'
import type { ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'

import type { StoreConfig } from './config.ts'
import { ConnectionPool } from './connection-pool.ts'
import { ROW_INSERT, createHttpRowInsert } from './row-insert.ts'
import { createStagedFile, createStagedInsert } from './staged-insert.ts'
import type { StagedFile } from './staged-insert.ts'

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

/**
 * Connections to the embedded engine (see ConnectionPool): enough for an insert of predictions,
 * one of outcomes and a recount to run at once.
 */
const EMBEDDED_CONNECTIONS = 3

/** Defaults of every setting this code base passes per request (see createStoreClient). */
const EMBEDDED_SETTING_DEFAULTS = { insert_deduplication_token: '' }

/** Key of the embedded engine's staging files (see createStagedFile) on an embedded client. */
const STAGED_FILE: unique symbol = Symbol('fairwatch.store.stagedFile')

type WithStaging = ClickHouseClient & { [STAGED_FILE]?: StagedFile }

/**
 * The staging files of an embedded client, through which a query can read a long list (say, of
 * ids) as a table instead of a parameter; undefined for a server client.
 */
export function stagedFileOf(client: ClickHouseClient): StagedFile | undefined {
  return (client as WithStaging)[STAGED_FILE]
}

/** Which engine a client talks to. */
export type StoreMode = 'server' | 'embedded'

/**
 * Creates the one ClickHouse client the process uses: HTTP to a server when `config.url` is set,
 * otherwise the embedded engine (chDB) in `config.dataDir`. Both speak the same SQL through the
 * same client API. The embedded engine binds one data directory per process; the client holds a
 * few connections to it, so that an insert need not wait for a long count (see ConnectionPool).
 */
export function createStoreClient(config: StoreConfig): {
  client: ClickHouseClient
  mode: StoreMode
} {
  if (config.url) {
    const client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      request_timeout: 60_000,
      compression: { request: false, response: true },
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    })
    Object.defineProperty(client, ROW_INSERT, {
      value: createHttpRowInsert(client),
      configurable: true,
    })
    return { client, mode: 'server' }
  }

  mkdirSync(config.dataDir, { recursive: true })
  // chdb declares the Connection interface from @clickhouse/client-common, the client bundles its
  // own copy of the same interface; the two are identical at run time but distinct to the compiler.
  const pool = new ConnectionPool(
    Array.from({ length: EMBEDDED_CONNECTIONS }, () =>
      createChdbConnection({ path: config.dataDir }),
    ),
  )
  const connection = pool.asConnection() as unknown as ClientConnection
  // The embedded engine applies a request's settings as SET statements of the connection's
  // session, so a setting given to one request would stay in force for every later one there: an
  // insert's deduplication token would make the engine drop later, unrelated inserts as
  // duplicates. Every setting passed per request therefore has a default here, which every
  // request restores.
  const client = createClient({ connection, clickhouse_settings: EMBEDDED_SETTING_DEFAULTS })
  const staged = createStagedFile()
  // Configurable, so that a Proxy of the client may hand out a wrapped version of them.
  Object.defineProperty(client, STAGED_FILE, { value: staged, configurable: true })
  Object.defineProperty(client, ROW_INSERT, {
    value: createStagedInsert((sql) => pool.run((c) => c.chdb.queryAsync(sql)), staged),
    configurable: true,
  })
  return { client, mode: 'embedded' }
}
