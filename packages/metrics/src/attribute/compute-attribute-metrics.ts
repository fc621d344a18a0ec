import { assertValidCounts } from '../counts/validate-counts'
import { GroupReservedError } from '../errors'
import { computeGroupRates } from '../rates/group-rates'
import { MISSING_GROUP, type GroupCounts, type MetricRow, type MetricScope } from '../types'
import { acrossGroupRows } from './across-group-metrics'
import { resolveAttributeMetricsOptions, type AttributeMetricsOptions } from './attribute-options'
import { evidenceFields, type GroupEvidence } from './group-evidence'
import { GROUP_METRIC_NAMES } from './metric-names'
import { referenceRows } from './reference-metrics'

/** The counts of one attribute in one window. */
export interface AttributeMetricsInput {
  /** Attribute name, or an intersection's names joined by INTERSECTION_SEPARATOR. */
  attribute: string
  /** Counts per group label. MISSING_GROUP may not be used as a label here. */
  groups: ReadonlyMap<string, GroupCounts>
  /** Counts of the predictions that lack the attribute. */
  missing?: GroupCounts
  options?: AttributeMetricsOptions
}

/**
 * Every fairness metric of one attribute, as rows in this order: the per-group rates of each
 * group (groups in label order, i.e. ascending UTF-16 code units), the rates of the missing
 * counts, the across-group metrics, then each non-reference group's comparisons with the
 * reference group (groups in label order).
 *
 * Per-group rows (scope 'group'): every rate of computeGroupRates, with its numerator,
 * denominator and Wilson interval; sampleSize is the rate's denominator: the observations it rests
 * on (predictions for selection_rate, labelled positives for tpr and fnr, and so on).
 *
 * Missing rows (scope 'missing', group MISSING_GROUP): the same rates over the predictions lacking
 * the attribute. They take no part in any across-group or reference comparison and cannot be
 * the reference group.
 *
 * Across-group rows (scope 'across_groups', group null), over the groups whose rate is defined:
 * demographic_parity_difference = max − min selection rate, demographic_parity_ratio = min / max,
 * equal_opportunity_difference = max − min TPR, equalized_odds_difference = the larger of the TPR
 * and FPR differences, equalized_odds_ratio = the smaller of the TPR and FPR ratios.
 * - numerator and denominator are the two extreme rates, ordered so that value = numerator −
 *   denominator (max, min) on differences and value = numerator / denominator (min, max) on
 *   ratios; for equalized odds they come from whichever of TPR and FPR gave the value.
 * - ciLow, ciHigh and pValue are null: the extreme groups are picked after looking at the data,
 *   so a two-group interval would overstate certainty. The vs_reference rows carry the tests.
 * - sampleSize is the smallest denominator, among the groups that took part, of the rates compared
 *   (0 when none did): labelled positives for equal opportunity, for instance.
 * - Fewer than two groups with a defined rate gives value null with reason
 *   'fewer_than_two_groups'; a ratio whose largest rate is 0 gives 'zero_denominator'.
 *
 * Reference rows (scope 'vs_reference', referenceGroup set, no row for the reference itself):
 * disparate_impact = SR_g / SR_ref, statistical_parity_difference = SR_g − SR_ref, and the
 * difference and ratio of TPR, FPR and FNR.
 * - numerator is the group's rate and denominator the reference's, so value = numerator −
 *   denominator on differences and numerator / denominator on ratios.
 * - pValue: two-sided test of equal rates (pooled z test, or Fisher's exact test when an expected
 *   cell count is below 5), shared by the difference and the ratio of the same rate. Not adjusted
 *   for multiple comparisons; adjustBenjaminiHochberg does that across rows.
 * - Intervals: Newcombe's hybrid score interval on differences, Katz's log interval on ratios
 *   (null when the group's rate is 0, where Katz's method has no interval).
 * - sampleSize is the smaller of the two groups' denominators of the compared rate.
 * - Either rate undefined, or a ratio over a reference rate of 0, gives value null with reason
 *   'zero_denominator'. An explicitly requested referenceGroup that is absent gives every row
 *   value null and reason 'reference_group_missing'.
 *
 * Evidence, on every row: insufficientEvidence is true when sampleSize is below minSample (a
 * small group is never read as fair). A row with a value that is flagged this way has reason
 * 'insufficient_evidence'; a row without a value keeps the reason it has no value. Values are
 * never NaN or infinite: a value that cannot be computed is null with a reason, and a row
 * without a value has no interval and no p-value.
 *
 * @throws OptionsInvalidError on a minSample that is not a non-negative integer or a confidence
 *   outside (0, 1).
 * @throws GroupReservedError when a group is labelled MISSING_GROUP.
 * @throws CountsInvalidError when a group's (or the missing) counts are impossible: negative,
 *   fractional, or inconsistent with one another.
 */
export function computeAttributeMetrics(input: AttributeMetricsInput): MetricRow[] {
  const { attribute, missing } = input
  const { minSample, confidence, referenceGroup } = resolveAttributeMetricsOptions(input.options)
  const labels = [...input.groups.keys()].sort()
  const groups: GroupEvidence[] = labels.map((label) => {
    if (label === MISSING_GROUP) throw new GroupReservedError(attribute, label)
    const counts = input.groups.get(label) as GroupCounts
    assertValidCounts(attribute, label, counts)
    return { label, counts, rates: computeGroupRates(counts, confidence) }
  })
  if (missing !== undefined) assertValidCounts(attribute, MISSING_GROUP, missing)

  const rows: MetricRow[] = []
  for (const group of groups) rows.push(...rateRows(attribute, group, 'group', minSample))
  if (missing !== undefined) {
    const evidence = {
      label: MISSING_GROUP,
      counts: missing,
      rates: computeGroupRates(missing, confidence),
    }
    rows.push(...rateRows(attribute, evidence, 'missing', minSample))
  }
  rows.push(...acrossGroupRows(attribute, groups, minSample))

  const referenceLabel = referenceGroup ?? largestGroup(groups)?.label
  if (referenceLabel !== undefined) {
    const reference = groups.find((group) => group.label === referenceLabel) ?? null
    rows.push(...referenceRows(attribute, groups, reference, referenceLabel, minSample, confidence))
  }
  return rows
}

/** The group with the most predictions; the earliest label wins a tie (groups are in order). */
function largestGroup(groups: readonly GroupEvidence[]): GroupEvidence | undefined {
  let largest: GroupEvidence | undefined
  for (const group of groups) {
    if (largest === undefined || group.counts.predictions > largest.counts.predictions) {
      largest = group
    }
  }
  return largest
}

function rateRows(
  attribute: string,
  group: GroupEvidence,
  scope: Extract<MetricScope, 'group' | 'missing'>,
  minSample: number,
): MetricRow[] {
  return GROUP_METRIC_NAMES.map((metric) => {
    const rate = group.rates[metric]
    return {
      attribute,
      group: group.label,
      scope,
      metric,
      value: rate.value,
      numerator: rate.numerator,
      denominator: rate.denominator,
      ciLow: rate.ciLow,
      ciHigh: rate.ciHigh,
      pValue: null,
      referenceGroup: null,
      ...evidenceFields(rate.value, 'zero_denominator', rate.denominator ?? 0, minSample),
    }
  })
}
