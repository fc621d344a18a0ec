import { assertProportion, type Interval, type Proportion } from './proportion'
import { wilsonInterval } from './wilson-interval'

/**
 * Newcombe's hybrid score interval for the difference of two proportions p₁ − p₂ (his method 10),
 * built from the Wilson intervals (l₁, u₁) and (l₂, u₂) of each proportion:
 * [d − √((p₁ − l₁)² + (u₂ − p₂)²), d + √((u₁ − p₁)² + (p₂ − l₂)²)].
 * It keeps good coverage for small samples and rates near 0 or 1, where the Wald interval fails,
 * and never leaves [−1, 1].
 *
 * @param confidence two-sided confidence level, default 0.95.
 * @throws StatisticInputInvalidError unless both are proportions with at least one trial, or on a
 *   confidence outside (0, 1).
 */
export function differenceIntervalNewcombe(
  first: Proportion,
  second: Proportion,
  confidence = 0.95,
): Interval {
  assertProportion('first', first, true)
  assertProportion('second', second, true)
  const p1 = first.successes / first.trials
  const p2 = second.successes / second.trials
  // Both have trials, so both Wilson intervals exist.
  const w1 = wilsonInterval(first, confidence) as Interval
  const w2 = wilsonInterval(second, confidence) as Interval
  const difference = p1 - p2
  return {
    low: difference - Math.hypot(p1 - w1.low, w2.high - p2),
    high: difference + Math.hypot(w1.high - p1, p2 - w2.low),
  }
}
