import type { Band, Comparison, PolicyRule } from '../policy/policy-types'
import type { AppliedThresholds } from './evaluation-types'

/** Severity a value reaches under thresholds, or null when it is within them. */
export function classifyValue(
  value: number,
  comparison: Comparison,
  thresholds: AppliedThresholds,
): 'warning' | 'critical' | null {
  const breaches = (limit: number | Band): boolean => {
    if (typeof limit !== 'number') return value < limit.low || value > limit.high
    return comparison === 'below' ? value < limit : value > limit
  }
  if (breaches(thresholds.critical)) return 'critical'
  if (breaches(thresholds.warning)) return 'warning'
  return null
}

/**
 * Turns a rule's thresholds into values for this window. Relative thresholds move the baseline by
 * the allowed deviation in the breaching direction; they need a baseline (null when missing).
 */
export function applyThresholds(
  rule: PolicyRule,
  baseline: number | null,
): AppliedThresholds | null {
  const t = rule.thresholds
  if (t.kind === 'absolute') return { warning: t.warning, critical: t.critical }
  if (baseline === null) return null
  const shift = (d: number): number | Band => {
    switch (rule.comparison) {
      case 'below':
        return baseline - d
      case 'above':
        return baseline + d
      case 'outside':
        return { low: baseline - d, high: baseline + d }
    }
  }
  return { warning: shift(t.warning), critical: shift(t.critical) }
}
