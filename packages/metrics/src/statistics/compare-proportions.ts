import { fisherExactTest } from './fisher-exact-test'
import { assertProportion, type Proportion } from './proportion'
import { twoProportionZTest } from './two-proportion-z-test'

/** Smallest expected cell count at which the z test's normal approximation is trusted. */
export const MIN_EXPECTED_CELL_COUNT = 5

/** Which test produced a p-value, and the p-value. */
export interface ProportionComparison {
  test: 'z' | 'fisher_exact'
  pValue: number
}

/**
 * Two-sided test of H₀: p₁ = p₂. Uses the pooled two-proportion z test, or Fisher's exact test
 * when any expected cell count of the 2×2 table (row total × column total / grand total) is
 * below MIN_EXPECTED_CELL_COUNT, where the normal approximation is unreliable.
 *
 * @throws StatisticInputInvalidError unless both are proportions with at least one trial.
 */
export function compareProportions(first: Proportion, second: Proportion): ProportionComparison {
  assertProportion('first', first, true)
  assertProportion('second', second, true)
  const total = first.trials + second.trials
  const successes = first.successes + second.successes
  const failures = total - successes
  const smallestExpected =
    (Math.min(first.trials, second.trials) * Math.min(successes, failures)) / total
  if (smallestExpected < MIN_EXPECTED_CELL_COUNT) {
    return { test: 'fisher_exact', pValue: fisherExactTest(first, second) }
  }
  return { test: 'z', pValue: twoProportionZTest(first, second).pValue }
}
