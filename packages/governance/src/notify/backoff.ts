/** Retry timing of webhook deliveries. */
export interface BackoffPolicy {
  /** Delay after the first failure, in milliseconds (default 5 s). */
  initialMs: number
  /** Longest delay between attempts, in milliseconds (default 15 min). */
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 5_000, maxMs: 15 * 60_000 }

/**
 * Delay before the next attempt after `failedAttempts` failures: doubles from `initialMs` up to
 * `maxMs`. There is no last attempt: a notification is retried until it is delivered.
 */
export function retryDelayMs(
  failedAttempts: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const exponent = Math.max(0, failedAttempts - 1)
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(exponent, 30))
}
