/** Every condition the API reports, as a closed list. Clients branch on these, never on text. */
export type ApiErrorCode =
  | 'FW_API_UNAUTHENTICATED'
  | 'FW_API_FORBIDDEN'
  | 'FW_API_NOT_FOUND'
  | 'FW_API_METHOD_NOT_ALLOWED'
  | 'FW_API_REQUEST_INVALID'
  | 'FW_API_BODY_MALFORMED'
  | 'FW_API_BODY_TOO_LARGE'
  | 'FW_API_MEDIA_TYPE_UNSUPPORTED'
  | 'FW_API_EVENT_REJECTED'
  | 'FW_API_RATE_LIMITED'
  | 'FW_API_CONFLICT'
  | 'FW_API_POLICY_INVALID'
  | 'FW_API_UNAVAILABLE'
  | 'FW_API_INTERNAL'
  | 'FW_API_CONFIG_INVALID'

/** One invalid part of a request: where it is (`query.limit`, `body.reason`) and what is wrong. */
export interface InvalidParam {
  name: string
  reason: string
}

/**
 * A failure the API answers with a problem document (RFC 9457). `status` is the HTTP status,
 * `retriable` says whether the same request may succeed later, `extensions` are extra members of
 * the problem document (e.g. `invalid_params`).
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode
  readonly status: number
  readonly title: string
  readonly retriable: boolean
  readonly extensions: Readonly<Record<string, unknown>>

  constructor(
    code: ApiErrorCode,
    status: number,
    title: string,
    detail: string,
    options: { cause?: unknown; retriable?: boolean; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail, { cause: options.cause })
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.title = title
    this.retriable = options.retriable ?? false
    this.extensions = options.extensions ?? {}
  }
}

/** The request carries no credentials, or credentials that match no active key (401). */
export class UnauthenticatedError extends ApiError {
  constructor(detail: string) {
    super('FW_API_UNAUTHENTICATED', 401, 'Authentication required', detail)
    this.name = 'UnauthenticatedError'
  }
}

/** The caller is known but its role does not allow the operation (403). */
export class ForbiddenError extends ApiError {
  constructor(detail: string) {
    super('FW_API_FORBIDDEN', 403, 'Not allowed', detail)
    this.name = 'ForbiddenError'
  }
}

/** No such route or record (404). */
export class NotFoundError extends ApiError {
  constructor(detail: string) {
    super('FW_API_NOT_FOUND', 404, 'Not found', detail)
    this.name = 'NotFoundError'
  }
}

/** Path parameters, query string or body do not match the operation's schema (400). */
export class RequestInvalidError extends ApiError {
  constructor(detail: string, invalidParams: readonly InvalidParam[]) {
    super('FW_API_REQUEST_INVALID', 400, 'Invalid request', detail, {
      extensions: { invalid_params: invalidParams },
    })
    this.name = 'RequestInvalidError'
  }
}

/** The body could not be decoded at all (not JSON, not NDJSON, empty where one is needed) (400). */
export class BodyMalformedError extends ApiError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super('FW_API_BODY_MALFORMED', 400, 'Malformed body', detail, options)
    this.name = 'BodyMalformedError'
  }
}

/** A single event was refused by the contract (422); carries the contract's reason and field. */
export class EventRejectedError extends ApiError {
  constructor(reason: string, field: string | null, message: string) {
    super('FW_API_EVENT_REJECTED', 422, 'Event rejected', message, {
      extensions: { reason, field },
    })
    this.name = 'EventRejectedError'
  }
}

/** The record changed state in a way that conflicts with the request (409). */
export class ConflictError extends ApiError {
  constructor(detail: string, options: { retriable: boolean; cause?: unknown }) {
    super('FW_API_CONFLICT', 409, 'Conflict', detail, options)
    this.name = 'ConflictError'
  }
}

/** An uploaded policy document was refused; `issues` lists every problem by path (422). */
export class PolicyRejectedError extends ApiError {
  constructor(detail: string, issues: readonly { path: string; message: string }[]) {
    super('FW_API_POLICY_INVALID', 422, 'Policy refused', detail, { extensions: { issues } })
    this.name = 'PolicyRejectedError'
  }
}

/** The store or the event transport cannot be reached; try again later (503). */
export class UnavailableError extends ApiError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super('FW_API_UNAVAILABLE', 503, 'Service unavailable', detail, {
      ...options,
      retriable: true,
    })
    this.name = 'UnavailableError'
  }
}

/** A configuration value (environment variable or option) is invalid; names the variable. */
export class ConfigInvalidError extends ApiError {
  constructor(detail: string) {
    super('FW_API_CONFIG_INVALID', 500, 'Invalid configuration', detail)
    this.name = 'ConfigInvalidError'
  }
}
