export { MISSING_GROUP, INTERSECTION_SEPARATOR } from './types'
export type {
  AcrossGroupMetricName,
  GroupCounts,
  GroupMetricName,
  MetricName,
  MetricReason,
  MetricRow,
  MetricScope,
  ReferenceMetricName,
} from './types'
export {
  CountsInvalidError,
  GroupReservedError,
  MetricsError,
  OptionsInvalidError,
  PredictionInvalidError,
  StatisticInputInvalidError,
} from './errors'
export type { MetricsErrorCode } from './errors'
export { addPrediction, emptyCounts, mergeCounts } from './counts/group-counts'
export type { CountedPrediction } from './counts/group-counts'
export { assertValidCounts } from './counts/validate-counts'
export { computeGroupRates, rateProportion } from './rates/group-rates'
export type { GroupRates, ProportionRateName, RateEstimate } from './rates/group-rates'
export type { Interval, Proportion } from './statistics/proportion'
export {
  complementaryErrorFunction,
  normalCdf,
  normalQuantile,
  normalTwoSidedPValue,
  twoSidedCriticalValue,
} from './statistics/normal-distribution'
export { wilsonInterval } from './statistics/wilson-interval'
export { twoProportionZTest } from './statistics/two-proportion-z-test'
export type { ZTestResult } from './statistics/two-proportion-z-test'
export { fisherExactTest } from './statistics/fisher-exact-test'
export { compareProportions, MIN_EXPECTED_CELL_COUNT } from './statistics/compare-proportions'
export type { ProportionComparison } from './statistics/compare-proportions'
export { ratioIntervalKatz } from './statistics/ratio-interval'
export { differenceIntervalNewcombe } from './statistics/difference-interval'
export { adjustBenjaminiHochberg } from './statistics/benjamini-hochberg'
export { computeAttributeMetrics } from './attribute/compute-attribute-metrics'
export type { AttributeMetricsInput } from './attribute/compute-attribute-metrics'
export {
  DEFAULT_CONFIDENCE,
  DEFAULT_MIN_SAMPLE,
  type AttributeMetricsOptions,
} from './attribute/attribute-options'
export {
  ACROSS_GROUP_METRIC_NAMES,
  GROUP_METRIC_NAMES,
  REFERENCE_METRIC_NAMES,
} from './attribute/metric-names'
