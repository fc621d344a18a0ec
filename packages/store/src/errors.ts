/** Error codes of the store. */
export type StoreErrorCode =
  | 'FW_STORE_UNAVAILABLE'
  | 'FW_STORE_QUERY_FAILED'
  | 'FW_STORE_MIGRATION_FAILED'
  | 'FW_STORE_CONFIG_INVALID'

/** A failure talking to ClickHouse. `retriable` says whether the same call may succeed later. */
export class StoreError extends Error {
  readonly code: StoreErrorCode
  readonly retriable: boolean

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { cause?: unknown; retriable: boolean },
  ) {
    super(message, { cause: options.cause })
    this.name = 'StoreError'
    this.code = code
    this.retriable = options.retriable
  }
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

// ClickHouse server error codes that mean "try again": too many parts/queries, timeouts,
// memory pressure, a replica or keeper briefly away.
const TRANSIENT_CLICKHOUSE_CODES = new Set([
  '159',
  '164',
  '202',
  '203',
  '209',
  '210',
  '241',
  '242',
  '252',
  '319',
  '425',
  '999',
])

/**
 * Wraps whatever the ClickHouse client threw into a StoreError, deciding from the error's code
 * (never its text) whether a retry can help.
 */
export function toStoreError(err: unknown, what: string): StoreError {
  if (err instanceof StoreError) return err
  const code = String((err as { code?: unknown } | null)?.code ?? '')
  const networkDown = TRANSIENT_NETWORK_CODES.has(code)
  const retriable = networkDown || TRANSIENT_CLICKHOUSE_CODES.has(code)
  const errorCode = networkDown ? 'FW_STORE_UNAVAILABLE' : 'FW_STORE_QUERY_FAILED'
  return new StoreError(errorCode, `${what} failed`, { cause: err, retriable })
}
