import { rateProportion } from '../rates/group-rates'
import { compareProportions } from '../statistics/compare-proportions'
import { differenceIntervalNewcombe } from '../statistics/difference-interval'
import type { Interval } from '../statistics/proportion'
import { ratioIntervalKatz } from '../statistics/ratio-interval'
import type { MetricReason, MetricRow, ReferenceMetricName } from '../types'
import { evidenceFields, type GroupEvidence } from './group-evidence'

type ComparedRate = 'selection_rate' | 'tpr' | 'fpr' | 'fnr'
type Kind = 'difference' | 'ratio'

const COMPARED_RATES: readonly ComparedRate[] = ['selection_rate', 'tpr', 'fpr', 'fnr']

const COMPARISONS: readonly [ReferenceMetricName, ComparedRate, Kind][] = [
  ['disparate_impact', 'selection_rate', 'ratio'],
  ['statistical_parity_difference', 'selection_rate', 'difference'],
  ['tpr_difference', 'tpr', 'difference'],
  ['tpr_ratio', 'tpr', 'ratio'],
  ['fpr_difference', 'fpr', 'difference'],
  ['fpr_ratio', 'fpr', 'ratio'],
  ['fnr_difference', 'fnr', 'difference'],
  ['fnr_ratio', 'fnr', 'ratio'],
]

interface Comparison {
  value: number | null
  /** Why value is null, when it is. */
  reason: MetricReason
  numerator: number | null
  denominator: number | null
  interval: Interval | null
  pValue: number | null
}

const REFERENCE_ABSENT: Comparison = {
  value: null,
  reason: 'reference_group_missing',
  numerator: null,
  denominator: null,
  interval: null,
  pValue: null,
}

/** The difference and the ratio of one rate between a group and the reference. */
function compareRate(
  group: GroupEvidence,
  reference: GroupEvidence,
  rate: ComparedRate,
  confidence: number,
): Record<Kind, Comparison> {
  const groupRate = group.rates[rate].value
  const referenceRate = reference.rates[rate].value
  const undefinedRate: Comparison = {
    value: null,
    reason: 'zero_denominator',
    numerator: groupRate,
    denominator: referenceRate,
    interval: null,
    pValue: null,
  }
  if (groupRate === null || referenceRate === null) {
    return { difference: undefinedRate, ratio: undefinedRate }
  }

  const g = rateProportion(group.counts, rate)
  const r = rateProportion(reference.counts, rate)
  // One test serves both rows: a difference and a ratio of the same rate share H₀ (equal rates).
  const { pValue } = compareProportions(g, r)
  const difference: Comparison = {
    ...undefinedRate,
    value: groupRate - referenceRate,
    interval: differenceIntervalNewcombe(g, r, confidence),
    pValue,
  }
  const ratio: Comparison =
    referenceRate === 0
      ? undefinedRate
      : {
          ...undefinedRate,
          value: groupRate / referenceRate,
          interval: ratioIntervalKatz(g, r, confidence),
          pValue,
        }
  return { difference, ratio }
}

/**
 * Every group but the reference compared with the reference group; see computeAttributeMetrics
 * for the meaning of every field. `reference` null means the requested reference group is
 * absent: every row then has value null and reason 'reference_group_missing'.
 */
export function referenceRows(
  attribute: string,
  groups: readonly GroupEvidence[],
  reference: GroupEvidence | null,
  referenceLabel: string,
  minSample: number,
  confidence: number,
): MetricRow[] {
  const rows: MetricRow[] = []
  for (const group of groups) {
    if (group === reference) continue
    const byRate = new Map<ComparedRate, Record<Kind, Comparison>>()
    if (reference !== null) {
      for (const rate of COMPARED_RATES) {
        byRate.set(rate, compareRate(group, reference, rate, confidence))
      }
    }
    for (const [metric, rate, kind] of COMPARISONS) {
      const comparison = byRate.get(rate)?.[kind] ?? REFERENCE_ABSENT
      // The evidence is the smaller of the two rates' observations, e.g. labelled positives for
      // a TPR comparison: a large group with few outcomes is still thin evidence.
      const sampleSize = Math.min(
        group.rates[rate].denominator ?? 0,
        reference?.rates[rate].denominator ?? Number.POSITIVE_INFINITY,
      )
      rows.push({
        attribute,
        group: group.label,
        scope: 'vs_reference',
        metric,
        value: comparison.value,
        numerator: comparison.numerator,
        denominator: comparison.denominator,
        ciLow: comparison.interval?.low ?? null,
        ciHigh: comparison.interval?.high ?? null,
        pValue: comparison.pValue,
        referenceGroup: referenceLabel,
        ...evidenceFields(comparison.value, comparison.reason, sampleSize, minSample),
      })
    }
  }
  return rows
}
