import { twoSidedCriticalValue } from './normal-distribution'
import { assertProportion, type Interval, type Proportion } from './proportion'

/**
 * Wilson score interval of a binomial proportion: the set of p whose score test does not reject
 * at the given confidence. Unlike the Wald interval it stays inside [0, 1] and keeps its coverage
 * near 0 and 1 and for small samples.
 *
 * @param confidence two-sided confidence level, default 0.95.
 * @returns null when trials is 0 (no proportion to estimate).
 * @throws StatisticInputInvalidError on counts that are not a proportion or a confidence outside
 *   (0, 1).
 */
export function wilsonInterval(proportion: Proportion, confidence = 0.95): Interval | null {
  assertProportion('proportion', proportion, false)
  const z = twoSidedCriticalValue(confidence)
  const { successes, trials: n } = proportion
  if (n === 0) return null
  const p = successes / n
  const zSquaredOverN = (z * z) / n
  const scale = 1 + zSquaredOverN
  const centre = (p + zSquaredOverN / 2) / scale
  const halfWidth = (z / scale) * Math.sqrt((p * (1 - p)) / n + zSquaredOverN / (4 * n))
  // At p = 0 or 1 one bound is exactly 0 or 1; rounding must not push it past.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    high: successes === n ? 1 : Math.min(1, centre + halfWidth),
  }
}
