import { randomUUID } from 'node:crypto'

import type { ClickHouseClient } from '@clickhouse/client'
import fastifyCors from '@fastify/cors'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { AuditTrail, GovernanceService } from '@fairwatch/governance'
import Fastify, { LogController } from 'fastify'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

import { hashKey } from '../auth/api-key-secret.ts'
import { presentedKey } from '../auth/authenticate.ts'
import { KeyStore } from '../auth/key-store.ts'
import type { ApiConfig } from '../config/api-config.ts'
import { ApiError, NotFoundError } from '../errors.ts'
import { problemErrorHandler, sendProblem } from '../http/error-handler.ts'
import { IngestCommitter } from '../ingest/ingest-committer.ts'
import { registerIngestRoutes } from '../ingest/ingest-routes.ts'
import type { IngestSink } from '../ingest/ingest-sink.ts'
import { createApiMetrics } from '../metrics/api-metrics.ts'
import { openApiDocument } from '../openapi/openapi-document.ts'
import { registerOverviewRoutes } from '../overview/overview-routes.ts'
import type { OverviewOptions } from '../overview/overview-routes.ts'
import { adminRoutes } from '../routes/admin-routes.ts'
import { readRoutes } from '../routes/read-routes.ts'
import { registerRoutes } from '../routes/register-routes.ts'
import type { RouteSpec } from '../routes/route-spec.ts'
import { workflowRoutes } from '../routes/workflow-routes.ts'
import type { ApiContext } from './api-context.ts'

/** Dependencies and settings of the API server. */
export interface ApiServerOptions {
  /** Store client (the embedded engine or a ClickHouse server); its schema must be migrated. */
  client: ClickHouseClient
  database: string
  governance: GovernanceService
  /** Where key creation and revocation are audited (a chain of this process's own). */
  audit: AuditTrail
  sink: IngestSink
  logger: Logger
  /** The service's own Prometheus registry (see createRegistry). */
  registry: Registry
  config: ApiConfig
  /** See KeyStoreOptions.refreshMs. */
  keyRefreshMs?: number
  /** Serves the overview page at /overview (see registerOverviewRoutes); off when omitted. */
  overview?: OverviewOptions
}

/** A built API server, not yet listening. */
export interface ApiServer {
  app: FastifyInstance
  keys: KeyStore
  /** The OpenAPI document served at /openapi.json. */
  document: Record<string, unknown>
}

/**
 * Builds the HTTP API: ingest, queries, record workflow and administration under /v1, health,
 * readiness and Prometheus metrics, the OpenAPI document at /openapi.json and interactive docs at
 * /docs. Every error is answered as an RFC 9457 problem document. Call `app.listen` to serve.
 */
export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { config, logger } = options
  const keys = new KeyStore({
    client: options.client,
    database: options.database,
    audit: options.audit,
    adminKey: config.adminKey,
    refreshMs: options.keyRefreshMs,
  })
  const metrics = createApiMetrics(options.registry)
  const context: ApiContext = {
    client: options.client,
    database: options.database,
    governance: options.governance,
    keys,
    sink: options.sink,
    committer: new IngestCommitter({
      sink: options.sink,
      client: options.client,
      database: options.database,
    }),
    metrics,
  }

  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Requests are counted in Prometheus, not logged one by one.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
  })

  app.setErrorHandler(problemErrorHandler(logger))
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new NotFoundError(`no operation at ${request.method} ${request.url.split('?')[0]}`),
      request.id,
    ),
  )

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.requests.inc({ method: request.method, route, status_code: reply.statusCode })
    metrics.requestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store')
    return payload
  })

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  })
  if (config.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: config.corsOrigins,
      allowedHeaders: ['authorization', 'x-api-key', 'content-type'],
      methods: ['GET', 'POST'],
    })
  }
  await app.register(fastifyRateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      // Count per key presented; requests without one are counted per address.
      let presented: string | null = null
      try {
        presented = presentedKey(request)
      } catch {
        presented = null
      }
      return presented ? `key:${hashKey(presented).slice(0, 32)}` : `ip:${request.ip}`
    },
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        'FW_API_RATE_LIMITED',
        429,
        'Too many requests',
        `the rate limit of ${context.max} requests per minute for this key is exceeded; retry after ${context.after}`,
        { retriable: true, extensions: { retry_after_seconds: Math.ceil(context.ttl / 1000) } },
      ),
  })

  const routes: RouteSpec[] = [
    ...readRoutes(context),
    ...workflowRoutes(context),
    ...adminRoutes(context),
  ]
  const document = openApiDocument(routes)

  const unlimited = { config: { rateLimit: false } } as const
  app.get('/healthz', unlimited, async () => ({ status: 'ok' }))
  app.get('/readyz', unlimited, async (request, reply) => {
    const [store, sink] = await Promise.all([
      options.client.ping().then(
        (result) => result.success,
        () => false,
      ),
      options.sink.ready().catch(() => false),
    ])
    if (store && sink) return { status: 'ok', checks: { store, sink } }
    const error = new ApiError('FW_API_UNAVAILABLE', 503, 'Service unavailable', 'not ready', {
      retriable: true,
      extensions: { checks: { store, sink } },
    })
    return sendProblem(reply, error, request.id)
  })
  app.get('/metrics', unlimited, async (_request, reply) => {
    reply.type(options.registry.contentType)
    return options.registry.metrics()
  })
  app.get('/openapi.json', unlimited, async () => document)

  await app.register(fastifySwagger, {
    mode: 'static',
    specification: { document: document as never },
  })
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { url: '/openapi.json', deepLinking: true },
  })

  await registerIngestRoutes(app, context, config)
  registerRoutes(app, routes, keys, { bodyLimit: config.bodyLimit })
  if (options.overview) registerOverviewRoutes(app, context, options.overview)
  return { app, keys, document }
}
