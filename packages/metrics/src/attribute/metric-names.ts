import type { AcrossGroupMetricName, GroupMetricName, ReferenceMetricName } from '../types'

/** Every per-group rate, in the order computeAttributeMetrics emits them for each group. */
export const GROUP_METRIC_NAMES = [
  'selection_rate',
  'base_rate',
  'tpr',
  'fpr',
  'tnr',
  'fnr',
  'ppv',
  'npv',
  'accuracy',
  'mean_score',
  'calibration_gap',
  'label_coverage',
] as const satisfies readonly GroupMetricName[]

/** Every across-group metric, in emission order. */
export const ACROSS_GROUP_METRIC_NAMES = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equal_opportunity_difference',
  'equalized_odds_difference',
  'equalized_odds_ratio',
] as const satisfies readonly AcrossGroupMetricName[]

/** Every comparison with the reference group, in emission order for each group. */
export const REFERENCE_METRIC_NAMES = [
  'disparate_impact',
  'statistical_parity_difference',
  'tpr_difference',
  'tpr_ratio',
  'fpr_difference',
  'fpr_ratio',
  'fnr_difference',
  'fnr_ratio',
] as const satisfies readonly ReferenceMetricName[]

// Compile-time guard: each list names every member of its union.
type Missing<All, Listed> = Exclude<All, Listed>
const everyNameListed: [
  Missing<GroupMetricName, (typeof GROUP_METRIC_NAMES)[number]>,
  Missing<AcrossGroupMetricName, (typeof ACROSS_GROUP_METRIC_NAMES)[number]>,
  Missing<ReferenceMetricName, (typeof REFERENCE_METRIC_NAMES)[number]>,
] extends [never, never, never]
  ? true
  : false = true
void everyNameListed
