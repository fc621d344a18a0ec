import { normalTwoSidedPValue } from './normal-distribution'
import { assertProportion, type Proportion } from './proportion'

/** Result of a two-proportion z test. */
export interface ZTestResult {
  /** (p₁ − p₂) / pooled standard error; 0 when both samples are all successes or all failures. */
  z: number
  /** Two-sided p-value from the standard normal distribution. */
  pValue: number
}

/**
 * Pooled two-proportion z test of H₀: p₁ = p₂, two-sided. The normal approximation needs every
 * expected cell count of the 2×2 table to be reasonably large; see compareProportions, which
 * switches to Fisher's exact test when one is below 5.
 *
 * @returns z = 0 and p-value 1 when the pooled proportion is 0 or 1 (the samples cannot differ).
 * @throws StatisticInputInvalidError unless both are proportions with at least one trial.
 */
export function twoProportionZTest(first: Proportion, second: Proportion): ZTestResult {
  assertProportion('first', first, true)
  assertProportion('second', second, true)
  const p1 = first.successes / first.trials
  const p2 = second.successes / second.trials
  const pooled = (first.successes + second.successes) / (first.trials + second.trials)
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / first.trials + 1 / second.trials))
  if (standardError === 0) return { z: 0, pValue: 1 }
  const z = (p1 - p2) / standardError
  return { z, pValue: normalTwoSidedPValue(z) }
}
