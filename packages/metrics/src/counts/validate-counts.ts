import { CountsInvalidError } from '../errors'
import type { GroupCounts } from '../types'

const COUNT_FIELDS = [
  'predictions',
  'selected',
  'labelled',
  'tp',
  'fp',
  'tn',
  'fn',
  'scored',
  'labelledScored',
  'labelledScoredPositives',
] as const satisfies readonly (keyof GroupCounts)[]

const SUM_FIELDS = [
  'scoreSum',
  'labelledScoreSum',
] as const satisfies readonly (keyof GroupCounts)[]

/**
 * Checks that counts could have come from counting predictions: every count a non-negative
 * integer, both score sums finite, and the fields consistent with one another.
 *
 * @throws CountsInvalidError naming the attribute, group and first offending field.
 */
export function assertValidCounts(attribute: string, group: string, counts: GroupCounts): void {
  for (const field of COUNT_FIELDS) {
    const value: unknown = counts[field]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new CountsInvalidError(
        attribute,
        group,
        field,
        `is ${String(value)}, expected a non-negative integer`,
      )
    }
  }
  for (const field of SUM_FIELDS) {
    const value: unknown = counts[field]
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new CountsInvalidError(
        attribute,
        group,
        field,
        `is ${String(value)}, expected a finite number`,
      )
    }
  }

  const c = counts
  const relations: [field: string, holds: boolean, rule: string][] = [
    ['labelled', c.labelled === c.tp + c.fp + c.tn + c.fn, 'must equal tp + fp + tn + fn'],
    ['labelled', c.labelled <= c.predictions, 'must not exceed predictions'],
    ['selected', c.selected <= c.predictions, 'must not exceed predictions'],
    ['selected', c.tp + c.fp <= c.selected, 'must be at least tp + fp'],
    [
      'tn',
      c.tn + c.fn <= c.predictions - c.selected,
      '+ fn must not exceed unselected predictions',
    ],
    ['scored', c.scored <= c.predictions, 'must not exceed predictions'],
    ['labelledScored', c.labelledScored <= c.labelled, 'must not exceed labelled'],
    ['labelledScored', c.labelledScored <= c.scored, 'must not exceed scored'],
    [
      'labelledScoredPositives',
      c.labelledScoredPositives <= Math.min(c.labelledScored, c.tp + c.fn),
      'must not exceed labelledScored nor tp + fn',
    ],
  ]
  for (const [field, holds, rule] of relations) {
    if (!holds) {
      throw new CountsInvalidError(attribute, group, field, `${rule} (counts: ${describe(c)})`)
    }
  }
}

function describe(c: GroupCounts): string {
  return COUNT_FIELDS.map((field) => `${field}=${c[field]}`).join(' ')
}
