/**
 * Sufficient statistics of one group in one window. Every per-group and across-group metric is a
 * function of these counts, and counts from different workers, batches or windows merge by
 * addition, so partial aggregates combine exactly.
 */
export interface GroupCounts {
  /** Every prediction of the group, labelled or not. */
  predictions: number
  /** Predictions whose decision is 1. */
  selected: number
  /** Predictions that have an outcome. Equals tp + fp + tn + fn. */
  labelled: number
  tp: number
  fp: number
  tn: number
  fn: number
  /** Predictions that carry a score, and the sum of those scores. */
  scored: number
  scoreSum: number
  /** Labelled predictions that carry a score: their count, score sum and positive outcomes. */
  labelledScored: number
  labelledScoreSum: number
  labelledScoredPositives: number
}

/** Names of the per-group rates. */
export type GroupMetricName =
  | 'selection_rate'
  | 'base_rate'
  | 'tpr'
  | 'fpr'
  | 'tnr'
  | 'fnr'
  | 'ppv'
  | 'npv'
  | 'accuracy'
  | 'mean_score'
  | 'calibration_gap'
  | 'label_coverage'

/** Names of the across-group (between groups) metrics of one attribute. */
export type AcrossGroupMetricName =
  | 'demographic_parity_difference'
  | 'demographic_parity_ratio'
  | 'equal_opportunity_difference'
  | 'equalized_odds_difference'
  | 'equalized_odds_ratio'

/** Names of the metrics that compare one group with the reference group. */
export type ReferenceMetricName =
  | 'disparate_impact'
  | 'statistical_parity_difference'
  | 'tpr_difference'
  | 'tpr_ratio'
  | 'fpr_difference'
  | 'fpr_ratio'
  | 'fnr_difference'
  | 'fnr_ratio'

export type MetricName = GroupMetricName | AcrossGroupMetricName | ReferenceMetricName

/**
 * What kind of row a metric row is:
 * - `group`: a rate of one group;
 * - `missing`: a rate over the predictions that lack the attribute (group is MISSING_GROUP);
 * - `across_groups`: a between-groups metric of the attribute (group is null);
 * - `vs_reference`: one group compared with the reference group.
 */
export type MetricScope = 'group' | 'missing' | 'across_groups' | 'vs_reference'

/** Why a metric has no value, or why its value is not evidence. */
export type MetricReason =
  'zero_denominator' | 'insufficient_evidence' | 'fewer_than_two_groups' | 'reference_group_missing'

/** Group label of the row that reports predictions lacking the attribute. */
export const MISSING_GROUP = '(missing)'

/** Joins attribute names, and group labels, of an intersection: `race&sex`, `Black&Female`. */
export const INTERSECTION_SEPARATOR = '&'

/**
 * One metric value with its evidence. A value that cannot be computed is null with a reason;
 * never NaN, 0 or Infinity.
 */
export interface MetricRow {
  /** Attribute name, or the names of an intersection joined by INTERSECTION_SEPARATOR. */
  attribute: string
  /** Group label; null on across-group rows. */
  group: string | null
  scope: MetricScope
  metric: MetricName
  value: number | null
  numerator: number | null
  denominator: number | null
  /** 95% (by default) interval: Wilson for rates, a log-scale interval for ratios. */
  ciLow: number | null
  ciHigh: number | null
  /** Two-sided p-value of the comparison, where the metric is a comparison. */
  pValue: number | null
  /** The reference group of vs_reference rows. */
  referenceGroup: string | null
  /** Predictions behind the row (the smallest group's, for comparisons). */
  sampleSize: number
  /** True when a group behind the row has fewer predictions than the minimum sample. */
  insufficientEvidence: boolean
  reason: MetricReason | null
}
