import type { FastifyInstance, FastifyRequest } from 'fastify'

import { authorize } from '../auth/authenticate.ts'
import type { Caller } from '../auth/key-store.ts'
import { BodyMalformedError, EventRejectedError, RequestInvalidError } from '../errors.ts'
import type { ApiContext } from '../server/api-context.ts'
import { NDJSON_TYPES, decodeBatch, isNdjson } from './decode-batch.ts'
import { ingestEvents } from './ingest-events.ts'

/** Path of the one-event ingest. */
export const EVENT_PATH = '/v1/events'
/** Path of the batch ingest. */
export const BATCH_PATH = '/v1/events/batch'

/**
 * Registers the ingest operations in their own scope, whose body parsers keep bodies as text:
 * events are checked by the contract's own parser (with its fast path), not by a generic JSON
 * parser first.
 */
export async function registerIngestRoutes(
  app: FastifyInstance,
  context: ApiContext,
  limits: { bodyLimit: number; batchBodyLimit: number },
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      ['application/json', ...NDJSON_TYPES],
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    )
    const callers = new WeakMap<FastifyRequest, Caller>()
    const onRequest = async (request: FastifyRequest) => {
      callers.set(request, await authorize(context.keys, request, 'ingest'))
    }

    scope.post(EVENT_PATH, { bodyLimit: limits.bodyLimit, onRequest }, async (request, reply) => {
      const body = textBody(request.body)
      if (isNdjson(request.headers['content-type'])) {
        throw new RequestInvalidError('send NDJSON to ' + BATCH_PATH, [
          { name: 'header.content-type', reason: 'must be application/json here' },
        ])
      }
      const result = await ingestEvents(context, [{ text: body.trim(), line: 1 }], request.id)
      const only = result.results[0]
      if (!only || only.status === 'rejected') {
        throw new EventRejectedError(
          only?.reason ?? 'malformed_json',
          only?.field ?? null,
          only?.message ?? 'the event was refused',
        )
      }
      return reply.code(202).send({ event_id: only.event_id, status: only.status })
    })

    scope.post(
      BATCH_PATH,
      { bodyLimit: limits.batchBodyLimit, onRequest },
      async (request, reply) => {
        const body = textBody(request.body)
        const events = decodeBatch(body, isNdjson(request.headers['content-type']))
        const result = await ingestEvents(context, events, request.id)
        return reply.code(200).send(result)
      },
    )
  })
}

function textBody(body: unknown): string {
  if (typeof body !== 'string' || body.trim() === '') {
    throw new BodyMalformedError('the body is empty; send JSON (application/json) or NDJSON')
  }
  return body
}
