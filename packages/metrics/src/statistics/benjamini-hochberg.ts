import { StatisticInputInvalidError } from '../errors'

/**
 * Benjamini–Hochberg adjusted p-values ("q-values"), in the order of the input. Rejecting every
 * hypothesis whose adjusted p-value is at most α controls the false discovery rate at α for
 * independent or positively dependent tests. The adjusted value of the i-th smallest of m
 * p-values is min over j ≥ i of p₍ⱼ₎·m/j, capped at 1.
 *
 * @returns a new array, same length and order as `pValues` (empty for empty input).
 * @throws StatisticInputInvalidError when a p-value is not a number in [0, 1]; its index is named.
 */
export function adjustBenjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length
  for (let i = 0; i < m; i += 1) {
    const p = pValues[i]
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new StatisticInputInvalidError(`pValues[${i}]`, p, 'a number in [0, 1]')
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort(
    (a, b) => (pValues[a] as number) - (pValues[b] as number),
  )
  const adjusted = new Array<number>(m)
  let runningMinimum = 1
  for (let rank = m; rank >= 1; rank -= 1) {
    const index = order[rank - 1] as number
    runningMinimum = Math.min(runningMinimum, ((pValues[index] as number) * m) / rank)
    adjusted[index] = runningMinimum
  }
  return adjusted
}
