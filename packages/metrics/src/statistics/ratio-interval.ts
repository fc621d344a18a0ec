import { twoSidedCriticalValue } from './normal-distribution'
import { assertProportion, type Interval, type Proportion } from './proportion'

/**
 * Katz log interval for the ratio of two proportions p₁ / p₂:
 * exp(ln(p₁/p₂) ± z·√(1/s₁ − 1/t₁ + 1/s₂ − 1/t₂)).
 *
 * @param confidence two-sided confidence level, default 0.95.
 * @returns null when either proportion has no successes: the log ratio, or its variance, is then
 *   infinite and the method gives no interval.
 * @throws StatisticInputInvalidError unless both are proportions with at least one trial, or on a
 *   confidence outside (0, 1).
 */
export function ratioIntervalKatz(
  numerator: Proportion,
  denominator: Proportion,
  confidence = 0.95,
): Interval | null {
  assertProportion('numerator', numerator, true)
  assertProportion('denominator', denominator, true)
  const z = twoSidedCriticalValue(confidence)
  if (numerator.successes === 0 || denominator.successes === 0) return null
  const logRatio =
    Math.log(numerator.successes / numerator.trials) -
    Math.log(denominator.successes / denominator.trials)
  const standardError = Math.sqrt(
    1 / numerator.successes -
      1 / numerator.trials +
      1 / denominator.successes -
      1 / denominator.trials,
  )
  return {
    low: Math.exp(logRatio - z * standardError),
    high: Math.exp(logRatio + z * standardError),
  }
}
