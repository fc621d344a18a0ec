import type { MetricName, MetricScope } from '@fairwatch/metrics'
import type { Band } from '../policy/policy-types'

/** The window a set of metric rows belongs to, as the pipeline reports it. */
export interface WindowContext {
  modelId: string
  windowStart: Date
  windowEnd: Date
  /** Window size as the pipeline names it (e.g. `1h`, `1d`). */
  windowSize: string
  /** Share of the window's predictions that have an outcome, 0..1; null when unknown. */
  labelCoverage: number | null
}

/** Outcome of one rule on one scope of one window. A lack of data is never a pass. */
export type EvaluationStatus = 'pass' | 'warning' | 'critical' | 'insufficient_evidence'

/**
 * Why a result is insufficient_evidence. `baseline_window`: the window lies in its rule's baseline
 * range, so its value makes the baseline instead of being judged against it. `no_baseline`: the
 * rule's baseline has no measured window yet.
 */
export type InsufficiencyReason =
  | 'no_metric_rows'
  | 'no_value'
  | 'zero_denominator'
  | 'insufficient_evidence'
  | 'fewer_than_two_groups'
  | 'reference_group_missing'
  | 'sample_below_minimum'
  | 'baseline_window'
  | 'no_baseline'
  | 'no_p_value'
  | 'not_significant'

/** Thresholds as applied to this window (relative thresholds already resolved to values). */
export interface AppliedThresholds {
  warning: number | Band
  critical: number | Band
}

/** One rule × scope result with the evidence behind it. */
export interface RuleEvaluation {
  modelId: string
  windowStart: Date
  windowEnd: Date
  windowSize: string
  policyName: string
  policyVersion: string
  ruleId: string
  metric: MetricName
  /** Attribute (or `a&b` intersection) of the row; the rule's own scope text when no row matched. */
  attribute: string
  group: string | null
  referenceGroup: string | null
  rowScope: MetricScope | null
  /** Identifies the series for persistence: attribute and group. */
  scopeKey: string
  status: EvaluationStatus
  reason: InsufficiencyReason | null
  value: number | null
  ciLow: number | null
  ciHigh: number | null
  pValue: number | null
  /** Benjamini–Hochberg adjusted p-value within this evaluation's family of tests. */
  adjustedPValue: number | null
  numerator: number | null
  denominator: number | null
  sampleSize: number
  labelCoverage: number | null
  thresholds: AppliedThresholds | null
  baseline: number | null
}

/**
 * Baseline value of a rule on a scope for relative thresholds, or null when none is known.
 * Supplied by the caller (the service reads it from stored evaluations).
 */
export type BaselineLookup = (ruleId: string, scopeKey: string) => number | null
