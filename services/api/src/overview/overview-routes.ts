import { readFileSync } from 'node:fs'

import type { FastifyInstance } from 'fastify'

import { authorize } from '../auth/authenticate.ts'
import type { ApiContext } from '../server/api-context.ts'
import { readOverview } from './overview-data.ts'
import type { OverviewPipelineStatus } from './overview-data.ts'

/** How the overview page is served. */
export interface OverviewOptions {
  /**
   * Serve the page's data without an API key. Only for an embedded process listening on a
   * loopback address, where whoever can connect can read the data directory anyway; otherwise
   * the data needs a key whose role may read (viewer, responder or admin).
   */
  open: boolean
  /** Answer GET / with a redirect to /overview. */
  redirectRoot: boolean
  /** Counters of the recompute loop when it runs in this process. */
  pipelineStatus?: () => OverviewPipelineStatus
}

function asset(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')
}

/**
 * Registers the overview page: GET /overview (HTML), /overview/overview.js and
 * /overview/overview.css (static, no data in them) and GET /overview/data.json (the data, see
 * readOverview), plus GET / → /overview when `redirectRoot`. The data answers 401/403 problem
 * documents like every other read unless `open`. Reads the asset files at registration and
 * throws when one is missing.
 */
export function registerOverviewRoutes(
  app: FastifyInstance,
  context: ApiContext,
  options: OverviewOptions,
): void {
  const html = asset('overview-page.html')
  const script = asset('overview-page.js')
  const style = asset('overview-page.css')
  const unlimited = { config: { rateLimit: false } } as const

  app.get('/overview', unlimited, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(html),
  )
  app.get('/overview/overview.js', unlimited, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(script),
  )
  app.get('/overview/overview.css', unlimited, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(style),
  )
  app.get('/overview/data.json', async (request) => {
    if (!options.open) await authorize(context.keys, request, 'read')
    return readOverview({
      client: context.client,
      database: context.database,
      governance: context.governance,
      pipelineStatus: options.pipelineStatus,
    })
  })
  if (options.redirectRoot) {
    app.get('/', unlimited, async (_request, reply) => reply.redirect('/overview', 302))
  }
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i

/** Whether a listen host is a loopback address (127.0.0.0/8, ::1 or localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''))
}
