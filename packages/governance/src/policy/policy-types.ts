import type { MetricName } from '@fairwatch/metrics'

/**
 * Which metric rows a rule looks at. Exactly one of `attribute` or `intersection` is set.
 * `attribute: '*'` matches every attribute, intersections included. `group` narrows to one group;
 * without it every group (and the across-group row) of the attribute is evaluated separately.
 * Rows about predictions lacking the attribute (group `(missing)`) are only evaluated when the
 * rule names that group explicitly.
 */
export interface RuleScope {
  attribute?: string
  intersection?: string[]
  group?: string
}

/** A band of acceptable values; a value outside [low, high] breaches. */
export interface Band {
  low: number
  high: number
}

/** Thresholds given as metric values. */
export interface AbsoluteThresholds {
  kind: 'absolute'
  warning: number | Band
  critical: number | Band
}

/** Where a relative threshold's reference value comes from. */
export type BaselineSpec = 'first_window' | { start: string; end: string }

/**
 * Thresholds given as the allowed deviation from a baseline value of the same rule and scope, in
 * the breaching direction (`below`: baseline − d, `above`: baseline + d, `outside`: ± d).
 */
export interface RelativeThresholds {
  kind: 'relative'
  baseline: BaselineSpec
  warning: number
  critical: number
}

/** `below`: breach when value < threshold; `above`: value > threshold; `outside`: off the band. */
export type Comparison = 'below' | 'above' | 'outside'

/** Statistical significance gate of a rule. */
export interface Significance {
  required: boolean
  /** False discovery rate level the Benjamini–Hochberg adjusted p-value is compared with. */
  alpha: number
}

/** Hysteresis of a rule: consecutive breaching windows to confirm, clean windows to clear. */
export interface Persistence {
  raiseAfter: number
  clearAfter: number
}

/** Which regulatory texts a rule produces evidence for. */
export interface Evidences {
  iso42001: string[]
  euAiAct: string[]
}

/** One rule, with every default already applied. */
export interface PolicyRule {
  id: string
  title: string | null
  metric: MetricName
  scope: RuleScope
  comparison: Comparison
  thresholds: AbsoluteThresholds | RelativeThresholds
  /** Fewest predictions the smallest group behind a row must have for the row to be evidence. */
  minSample: number
  significance: Significance
  persistence: Persistence
  /** Evaluate only windows of this size (as the pipeline names them, e.g. `1d`); null: all. */
  windowSize: string | null
  owner: string
  runbook: string | null
  evidences: Evidences
}

/** A validated policy document, defaults resolved. */
export interface Policy {
  name: string
  description: string | null
  /** Models this policy governs; null for the default policy. */
  models: string[] | null
  rules: PolicyRule[]
}

/** A policy as loaded: its content, version (SHA-256 of the canonical content) and source. */
export interface LoadedPolicy {
  policy: Policy
  version: string
  source: string
  /** The canonical JSON whose SHA-256 is the version. */
  canonical: string
}
