import { randomBytes } from 'node:crypto'

import type { ClickHouseClient } from '@clickhouse/client'
import { AuditTrail } from '@fairwatch/governance'
import type { GovernanceService } from '@fairwatch/governance'
import { applyMigrations } from '@fairwatch/store'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

import { apiMigrations } from '../auth/api-key-migrations.ts'
import type { ApiConfig } from '../config/api-config.ts'
import { createEmbeddedSink } from '../ingest/embedded-sink.ts'
import type { EventStoreRuntime } from '../ingest/embedded-sink.ts'
import { isLoopbackHost } from '../overview/overview-routes.ts'
import { createApiServer } from './create-api-server.ts'
import type { ApiServer } from './create-api-server.ts'

/** What startEmbeddedApi needs of the embedded runtime: EmbeddedRuntime has this shape. */
export interface EmbeddedApiOptions {
  runtime: EventStoreRuntime & {
    client: ClickHouseClient
    database: string
    governance: GovernanceService
    windowsComputed: number
    pipeline: { pendingWindows: number }
  }
  logger: Logger
  registry: Registry
  config: ApiConfig
}

/** A running embedded API. */
export interface EmbeddedApi extends ApiServer {
  /** Base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string
  /** The bootstrap admin key: FW_ADMIN_KEY, or the one generated at start when it was unset. */
  adminKey: string
  close(): Promise<void>
}

/**
 * Serves the API in the process of an embedded runtime: applies the API's migration, ingests
 * through the runtime and listens on `config.host:config.port`. Without a configured admin key it
 * generates one and logs it once (warn level, `admin_key`), so a fresh install can create keys;
 * it is valid until the process stops. Serves the overview page at /overview (and redirects /
 * to it), open without a key when `config.host` is a loopback address. Throws StoreError when
 * the migration fails and the listen error when the port is taken.
 */
export async function startEmbeddedApi(options: EmbeddedApiOptions): Promise<EmbeddedApi> {
  const { runtime, logger } = options
  await applyMigrations(runtime.client, runtime.database, apiMigrations)
  const generated = options.config.adminKey === null
  const adminKey = options.config.adminKey ?? randomBytes(32).toString('base64url')
  const server = await createApiServer({
    client: runtime.client,
    database: runtime.database,
    governance: runtime.governance,
    audit: new AuditTrail(runtime.client, runtime.database, () => new Date()),
    sink: createEmbeddedSink(runtime),
    logger,
    registry: options.registry,
    config: { ...options.config, adminKey },
    overview: {
      open: isLoopbackHost(options.config.host),
      redirectRoot: true,
      pipelineStatus: () => ({
        windowsComputed: runtime.windowsComputed,
        windowsPending: runtime.pipeline.pendingWindows,
        lastError: runtime.lastError,
      }),
    },
  })
  const url = await server.app.listen({ host: options.config.host, port: options.config.port })
  if (generated) {
    logger.warn(
      { admin_key: adminKey },
      'bootstrap admin key generated; set FW_ADMIN_KEY to choose one',
    )
  }
  return { ...server, url, adminKey, close: () => server.app.close() }
}
