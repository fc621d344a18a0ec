import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { Logger } from '@fairwatch/observability'
import type { Registry } from 'prom-client'

/** What /readyz reports: ready only when every check passes. */
export interface Readiness {
  ready: boolean
  checks: Record<string, boolean>
}

/** A running health and metrics server. */
export interface HealthServer {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

/**
 * Serves GET /healthz (200 while the process runs), GET /readyz (200 when `readiness()` says
 * ready, else 503; the body lists every check) and GET /metrics (the registry in Prometheus text
 * format). Anything else is 404. Resolves once listening; rejects when the port cannot be bound.
 */
export async function startHealthServer(options: {
  host: string
  port: number
  registry: Registry
  readiness: () => Readiness
  logger: Logger
}): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const route = (request.url ?? '/').split('?')[0]
    const reply = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
      response.end(body)
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      reply(405, 'application/json', '{"error":"method not allowed"}')
    } else if (route === '/healthz') {
      reply(200, 'application/json', '{"status":"ok"}')
    } else if (route === '/readyz') {
      const readiness = options.readiness()
      const body = JSON.stringify({ status: readiness.ready ? 'ready' : 'not ready', ...readiness })
      reply(readiness.ready ? 200 : 503, 'application/json', body)
    } else if (route === '/metrics') {
      options.registry.metrics().then(
        (text) => reply(200, options.registry.contentType, text),
        (err: unknown) => {
          options.logger.error({ err }, 'metrics rendering failed')
          reply(500, 'text/plain', 'metrics unavailable\n')
        },
      )
    } else {
      reply(404, 'application/json', '{"error":"not found"}')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
