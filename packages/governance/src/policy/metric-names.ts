import {
  ACROSS_GROUP_METRIC_NAMES,
  GROUP_METRIC_NAMES,
  REFERENCE_METRIC_NAMES,
} from '@fairwatch/metrics'

/** Every metric a rule may name, as a runtime list (MetricName is only a type). */
export const METRIC_NAMES = [
  ...GROUP_METRIC_NAMES,
  ...ACROSS_GROUP_METRIC_NAMES,
  ...REFERENCE_METRIC_NAMES,
] as const
