import type { BackoffConfig } from '../config/worker-config.ts'

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential from
 * `config.initialMs`, capped at `config.maxMs`, with "equal jitter" — a random point in the upper
 * half of the step — so that workers failing together do not retry in lockstep.
 */
export function backoffDelayMs(
  attempt: number,
  config: BackoffConfig,
  random: () => number = Math.random,
): number {
  const step = Math.min(config.maxMs, config.initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(step / 2 + random() * (step / 2))
}
