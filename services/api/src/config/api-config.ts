import { ConfigInvalidError } from '../errors.ts'

/** Settings of the HTTP API. */
export interface ApiConfig {
  /** Interface to listen on. Default 127.0.0.1 (0.0.0.0 in containers). */
  host: string
  /** Port to listen on. Default 8080; 0 picks a free port. */
  port: number
  /** Largest batch ingest body, in bytes. Default 10 MiB. */
  batchBodyLimit: number
  /** Largest body of every other request, in bytes. Default 1 MiB. */
  bodyLimit: number
  /** Requests per minute allowed per API key (per address for unauthenticated requests). */
  rateLimitPerMinute: number
  /** Origins allowed by CORS; empty turns CORS off. */
  corsOrigins: string[]
  /** The bootstrap admin key (FW_ADMIN_KEY), or null when none is configured. */
  adminKey: string | null
}

/** Defaults of every setting. */
export const DEFAULT_API_CONFIG: ApiConfig = {
  host: '127.0.0.1',
  port: 8080,
  batchBodyLimit: 10 * 1024 * 1024,
  bodyLimit: 1024 * 1024,
  rateLimitPerMinute: 6000,
  corsOrigins: [],
  adminKey: null,
}

/** Shortest bootstrap admin key accepted, so a guessable one is refused at start. */
export const MIN_ADMIN_KEY_LENGTH = 24

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigInvalidError(`${name} must be a whole number >= ${min}, got "${text}"`)
  }
  return value
}

/**
 * Reads the API's settings from the environment: FW_HTTP_HOST, FW_HTTP_PORT,
 * FW_HTTP_BATCH_BODY_LIMIT and FW_HTTP_BODY_LIMIT (bytes), FW_RATE_LIMIT_PER_MINUTE,
 * FW_CORS_ORIGINS (comma-separated) and FW_ADMIN_KEY. Unset variables take the defaults of
 * DEFAULT_API_CONFIG. Throws ConfigInvalidError naming the variable at fault.
 */
export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const adminKey = env.FW_ADMIN_KEY || null
  if (adminKey !== null && adminKey.length < MIN_ADMIN_KEY_LENGTH) {
    throw new ConfigInvalidError(
      `FW_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters of random text`,
    )
  }
  const port = positiveInteger(env, 'FW_HTTP_PORT', DEFAULT_API_CONFIG.port, 0)
  if (port > 65535) throw new ConfigInvalidError(`FW_HTTP_PORT must be at most 65535`)
  return {
    host: env.FW_HTTP_HOST || DEFAULT_API_CONFIG.host,
    port,
    batchBodyLimit: positiveInteger(
      env,
      'FW_HTTP_BATCH_BODY_LIMIT',
      DEFAULT_API_CONFIG.batchBodyLimit,
    ),
    bodyLimit: positiveInteger(env, 'FW_HTTP_BODY_LIMIT', DEFAULT_API_CONFIG.bodyLimit),
    rateLimitPerMinute: positiveInteger(
      env,
      'FW_RATE_LIMIT_PER_MINUTE',
      DEFAULT_API_CONFIG.rateLimitPerMinute,
    ),
    corsOrigins: (env.FW_CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    adminKey,
  }
}
