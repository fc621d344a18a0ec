import { assertProportion, type Proportion } from './proportion'

// Tables whose probability is within this relative distance of the observed one count as
// "as likely": it absorbs rounding so that tables tied by symmetry are not split.
const LOG_TOLERANCE = Math.log1p(1e-7)

/**
 * Fisher's exact test of H₀: p₁ = p₂ on the 2×2 table [[s₁, t₁ − s₁], [s₂, t₂ − s₂]], two-sided:
 * the sum of the hypergeometric probabilities (margins fixed) of every table as likely as or less
 * likely than the observed one.
 *
 * The probabilities are built as log-weights from the ratio of consecutive hypergeometric terms,
 * P(x+1)/P(x) = (t₁ − x)(k − x) / ((x + 1)(t₂ − k + x + 1)) with k = s₁ + s₂, and normalised by
 * their log-sum. Differences of log-factorials would lose about nine significant digits at a
 * million trials (ln(2·10⁶)! ≈ 2.7·10⁷); the ratios keep the result exact to about twelve digits
 * at any size and never overflow. Time and memory grow with the smaller margin. A p-value below
 * about 1e-308 underflows to 0.
 *
 * @returns the p-value, in [0, 1].
 * @throws StatisticInputInvalidError unless both are proportions (zero trials are allowed).
 */
export function fisherExactTest(first: Proportion, second: Proportion): number {
  assertProportion('first', first, false)
  assertProportion('second', second, false)
  const row1 = first.trials
  const row2 = second.trials
  const col1 = first.successes + second.successes
  const lowest = Math.max(0, col1 - row2)
  const highest = Math.min(row1, col1)

  const logWeights = new Float64Array(highest - lowest + 1)
  for (let i = 1; i < logWeights.length; i += 1) {
    const x = lowest + i - 1
    const ratio = ((row1 - x) * (col1 - x)) / ((x + 1) * (row2 - col1 + x + 1))
    logWeights[i] = (logWeights[i - 1] as number) + Math.log(ratio)
  }

  const threshold = (logWeights[first.successes - lowest] as number) + LOG_TOLERANCE
  const asOrLessLikely = (logWeight: number) => logWeight <= threshold
  const pValue = Math.exp(logSumExp(logWeights, asOrLessLikely) - logSumExp(logWeights, () => true))
  return Math.min(1, pValue)
}

/** ln Σ exp(w) over the selected weights, shifted by their maximum so nothing overflows. */
function logSumExp(logWeights: Float64Array, selected: (logWeight: number) => boolean): number {
  let max = Number.NEGATIVE_INFINITY
  for (const w of logWeights) if (selected(w) && w > max) max = w
  let sum = 0
  for (const w of logWeights) if (selected(w)) sum += Math.exp(w - max)
  return max + Math.log(sum)
}
