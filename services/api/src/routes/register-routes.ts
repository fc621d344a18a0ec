import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { z } from 'zod'

import { authorize } from '../auth/authenticate.ts'
import type { Caller, KeyStore } from '../auth/key-store.ts'
import { RequestInvalidError } from '../errors.ts'
import type { InvalidParam } from '../errors.ts'
import type { RouteSpec } from './route-spec.ts'

/** `/v1/incidents/{id}` → `/v1/incidents/:id`. */
export function fastifyPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1')
}

function parsePart(
  schema: z.ZodType | undefined,
  value: unknown,
  part: 'path' | 'query' | 'body',
  problems: InvalidParam[],
): unknown {
  if (!schema) return undefined
  const parsed = schema.safeParse(value ?? (part === 'body' ? undefined : {}))
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) {
    const at = issue.path.map(String).join('.')
    problems.push({ name: at ? `${part}.${at}` : part, reason: issue.message })
  }
  return undefined
}

/**
 * Registers routes on a Fastify instance: authorizes the caller, validates path parameters,
 * query string and body against the route's schemas (every problem reported at once, with where
 * it is), runs the handler and answers with the route's success status.
 */
export function registerRoutes(
  app: FastifyInstance,
  routes: readonly RouteSpec[],
  keys: KeyStore,
  options: { bodyLimit: number },
): void {
  const callers = new WeakMap<FastifyRequest, Caller>()
  for (const route of routes) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      bodyLimit: options.bodyLimit,
      // Authorize before the body is read, so an unauthenticated caller cannot make the server
      // parse a large body.
      onRequest: async (request) => {
        if (route.access !== 'public')
          callers.set(request, await authorize(keys, request, route.access))
      },
      handler: async (request, reply) => {
        const caller = callers.get(request) ?? null
        const problems: InvalidParam[] = []
        const params = parsePart(route.params, request.params, 'path', problems)
        const query = parsePart(route.query, request.query, 'query', problems)
        const body = parsePart(route.body, request.body, 'body', problems)
        if (problems.length > 0) {
          throw new RequestInvalidError(
            problems.map((p) => `${p.name}: ${p.reason}`).join('; '),
            problems,
          )
        }
        const result = await route.handler({ params, query, body, caller, request, reply })
        return reply.code(route.response.status).send(result)
      },
    })
  }
}
