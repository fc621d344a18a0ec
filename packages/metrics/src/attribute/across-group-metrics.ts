import type { AcrossGroupMetricName, MetricReason, MetricRow } from '../types'
import { evidenceFields, type GroupEvidence } from './group-evidence'

type ComparedRate = 'selection_rate' | 'tpr' | 'fpr'

/** Lowest and highest value of one rate over the groups where it is defined. */
interface Spread {
  participants: GroupEvidence[]
  min: number
  max: number
}

/** A difference (max − min) or ratio (min / max) of a spread, or why there is none. */
type Gap =
  { value: number; numerator: number; denominator: number } | { value: null; reason: MetricReason }

function spreadOf(groups: readonly GroupEvidence[], rate: ComparedRate): Spread {
  const participants: GroupEvidence[] = []
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const group of groups) {
    const value = group.rates[rate].value
    if (value === null) continue
    participants.push(group)
    min = Math.min(min, value)
    max = Math.max(max, value)
  }
  return { participants, min, max }
}

/** Observations a group's rate rests on: its denominator (0 when the rate is undefined). */
function trialsOf(group: GroupEvidence, rate: ComparedRate): number {
  return group.rates[rate].denominator ?? 0
}

function differenceOf(spread: Spread): Gap {
  if (spread.participants.length < 2) return { value: null, reason: 'fewer_than_two_groups' }
  return { value: spread.max - spread.min, numerator: spread.max, denominator: spread.min }
}

function ratioOf(spread: Spread): Gap {
  if (spread.participants.length < 2) return { value: null, reason: 'fewer_than_two_groups' }
  if (spread.max === 0) return { value: null, reason: 'zero_denominator' }
  return { value: spread.min / spread.max, numerator: spread.min, denominator: spread.max }
}

// Of the TPR and FPR gaps, the one that decides equalized odds: the larger difference or the
// smaller ratio; either gap missing leaves equalized odds undefined (fewer groups first).
function decidingGap(tpr: Gap, fpr: Gap, pick: (a: number, b: number) => boolean): Gap {
  if (tpr.value === null && tpr.reason === 'fewer_than_two_groups') return tpr
  if (fpr.value === null && fpr.reason === 'fewer_than_two_groups') return fpr
  if (tpr.value === null) return tpr
  if (fpr.value === null) return fpr
  return pick(fpr.value, tpr.value) ? fpr : tpr
}

/**
 * The between-groups metrics of one attribute (Fairlearn's definitions), over the groups whose
 * rate is defined; see computeAttributeMetrics for the meaning of every field.
 */
export function acrossGroupRows(
  attribute: string,
  groups: readonly GroupEvidence[],
  minSample: number,
): MetricRow[] {
  const selection = spreadOf(groups, 'selection_rate')
  const tpr = spreadOf(groups, 'tpr')
  const fpr = spreadOf(groups, 'fpr')
  const tprFpr = [...new Set([...tpr.participants, ...fpr.participants])]

  const row = (
    metric: AcrossGroupMetricName,
    gap: Gap,
    participants: readonly GroupEvidence[],
    rates: readonly ComparedRate[],
  ): MetricRow => {
    let sampleSize = participants.length === 0 ? 0 : Number.POSITIVE_INFINITY
    for (const group of participants) {
      for (const rate of rates) sampleSize = Math.min(sampleSize, trialsOf(group, rate))
    }
    const evidence = evidenceFields(
      gap.value,
      gap.value === null ? gap.reason : 'zero_denominator',
      sampleSize,
      minSample,
    )
    return {
      attribute,
      group: null,
      scope: 'across_groups',
      metric,
      value: gap.value,
      numerator: gap.value === null ? null : gap.numerator,
      denominator: gap.value === null ? null : gap.denominator,
      ciLow: null,
      ciHigh: null,
      pValue: null,
      referenceGroup: null,
      ...evidence,
    }
  }

  return [
    row('demographic_parity_difference', differenceOf(selection), selection.participants, [
      'selection_rate',
    ]),
    row('demographic_parity_ratio', ratioOf(selection), selection.participants, ['selection_rate']),
    row('equal_opportunity_difference', differenceOf(tpr), tpr.participants, ['tpr']),
    row(
      'equalized_odds_difference',
      decidingGap(differenceOf(tpr), differenceOf(fpr), (f, t) => f > t),
      tprFpr,
      ['tpr', 'fpr'],
    ),
    row(
      'equalized_odds_ratio',
      decidingGap(ratioOf(tpr), ratioOf(fpr), (f, t) => f < t),
      tprFpr,
      ['tpr', 'fpr'],
    ),
  ]
}
