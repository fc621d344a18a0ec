import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { GovernanceError } from '@fairwatch/governance'
import { StoreError } from '@fairwatch/store'
import type { Logger } from 'pino'

import { ApiError, PolicyRejectedError } from '../errors.ts'
import type { ApiErrorCode } from '../errors.ts'
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem.ts'
import type { Problem } from './problem.ts'

// Fastify's own request errors whose message is safe and useful to show the client.
const FASTIFY_CODES: Readonly<Record<string, { code: ApiErrorCode; title: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'FW_API_BODY_TOO_LARGE', title: 'Body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'FW_API_MEDIA_TYPE_UNSUPPORTED',
    title: 'Unsupported media type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'FW_API_BODY_MALFORMED', title: 'Malformed body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'FW_API_BODY_MALFORMED', title: 'Malformed body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'FW_API_BODY_MALFORMED', title: 'Malformed body' },
  FST_ERR_CTP_INSTANCE_ALREADY_STARTED: { code: 'FW_API_INTERNAL', title: 'Internal error' },
}

function fromGovernance(err: GovernanceError): ApiError {
  switch (err.code) {
    case 'FW_RECORD_NOT_FOUND':
    case 'FW_POLICY_NOT_FOUND':
      return new ApiError('FW_API_NOT_FOUND', 404, 'Not found', err.message)
    case 'FW_TRANSITION_ILLEGAL':
    case 'FW_CLOSE_NOT_VERIFIED':
    case 'FW_RECORD_CONFLICT':
      return new ApiError('FW_API_CONFLICT', 409, 'Conflict', err.message, {
        retriable: err.retriable,
        extensions: { reason: err.code },
      })
    case 'FW_INPUT_INVALID':
      return new ApiError('FW_API_REQUEST_INVALID', 400, 'Invalid request', err.message, {
        extensions: {
          invalid_params: [
            { name: `body.${(err as { field?: string }).field ?? ''}`, reason: err.message },
          ],
        },
      })
    case 'FW_POLICY_INVALID': {
      const issues = (err as { issues?: { path: string; message: string }[] }).issues ?? []
      return new PolicyRejectedError(err.message, issues)
    }
    case 'FW_STORAGE_FAILED':
    case 'FW_NOTIFICATION_FAILED':
      return new ApiError(
        'FW_API_UNAVAILABLE',
        503,
        'Service unavailable',
        'the store is unavailable; try again later',
        {
          retriable: true,
        },
      )
  }
}

/**
 * Turns any error into an ApiError fit to show a client: the API's own errors as they are,
 * governance and store errors by their code, Fastify's request errors by their code, and
 * anything else as a generic internal error (never its message, which may hold SQL or paths).
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof GovernanceError) return fromGovernance(err)
  if (err instanceof StoreError) {
    return err.retriable || err.code === 'FW_STORE_UNAVAILABLE'
      ? new ApiError(
          'FW_API_UNAVAILABLE',
          503,
          'Service unavailable',
          'the store is unavailable; try again later',
          {
            retriable: true,
          },
        )
      : new ApiError('FW_API_INTERNAL', 500, 'Internal error', 'the store refused the query')
  }
  const fastifyError = err as Partial<FastifyError> | null
  const known = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined
  const status = fastifyError?.statusCode ?? 500
  if (known && status < 500) {
    return new ApiError(known.code, status, known.title, fastifyError?.message ?? known.title)
  }
  if (status >= 400 && status < 500 && err instanceof SyntaxError) {
    return new ApiError(
      'FW_API_BODY_MALFORMED',
      400,
      'Malformed body',
      'the body is not valid JSON',
    )
  }
  if (status >= 400 && status < 500 && typeof fastifyError?.code === 'string') {
    return new ApiError(
      'FW_API_REQUEST_INVALID',
      status,
      'Invalid request',
      fastifyError.message ?? 'invalid request',
    )
  }
  return new ApiError('FW_API_INTERNAL', 500, 'Internal error', 'an unexpected error occurred')
}

/** Sends an ApiError as a problem document. */
export function sendProblem(reply: FastifyReply, error: ApiError, requestId: string): FastifyReply {
  const problem: Problem = problemOf(
    error.code,
    error.status,
    error.title,
    error.message,
    requestId,
    error.extensions,
    error.retriable,
  )
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(problem)
}

/**
 * Fastify error handler: answers every error with a problem document and logs the unexpected
 * ones (5xx) with the error under `err`, so the response never carries a stack trace.
 */
export function problemErrorHandler(logger: Logger) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const error = toApiError(err)
    if (error.status >= 500) {
      logger.error(
        { err, request_id: request.id, route: request.routeOptions.url },
        'request failed',
      )
    }
    if (error.status === 429 || error.status === 503) {
      const retryAfter = error.extensions.retry_after_seconds
      reply.header('retry-after', String(typeof retryAfter === 'number' ? retryAfter : 1))
    }
    return sendProblem(reply, error, request.id)
  }
}
