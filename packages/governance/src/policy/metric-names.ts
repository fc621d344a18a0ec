import type { MetricName } from '@fairwatch/metrics'

/** Every metric a rule may name, as a runtime list (MetricName is only a type). */
export const METRIC_NAMES = [
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
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equal_opportunity_difference',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'disparate_impact',
  'statistical_parity_difference',
  'tpr_difference',
  'tpr_ratio',
  'fpr_difference',
  'fpr_ratio',
  'fnr_difference',
  'fnr_ratio',
] as const satisfies readonly MetricName[]

// Fails to compile when the metrics package adds a name this list lacks.
type MissingMetricNames = Exclude<MetricName, (typeof METRIC_NAMES)[number]>
const _metricNamesComplete: [MissingMetricNames] extends [never] ? true : never = true
