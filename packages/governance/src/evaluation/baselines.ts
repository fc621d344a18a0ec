import type { BaselineSpec, LoadedPolicy } from '../policy/policy-types'
import type { StoredEvaluation } from '../storage/evaluation-store'
import type { EvaluationHistory } from './evaluation-history'
import type { BaselineLookup, InsufficiencyReason } from './evaluation-types'

/**
 * Reasons a result can have that say nothing against its measured value: the metric was
 * measured on enough predictions, and only judging it against thresholds was not possible.
 */
const UNJUDGED_REASONS: ReadonlySet<InsufficiencyReason> = new Set<InsufficiencyReason>([
  'no_baseline',
  'baseline_window',
  'no_p_value',
  'not_significant',
])

/**
 * Whether a stored result measured its rule's metric: it has a value, and its window had enough
 * predictions (the result was judged, or could not be judged for want of a baseline or of
 * significance).
 */
function measured(e: StoredEvaluation): boolean {
  return e.value !== null && (e.reason === null || UNJUDGED_REASONS.has(e.reason))
}

/**
 * Whether a window starting at `windowStart` is one of a baseline range's windows, which make the
 * baseline rather than being judged against it. Always false for `first_window`.
 */
export function isBaselineWindow(spec: BaselineSpec, windowStart: Date): boolean {
  if (spec === 'first_window') return false
  const t = windowStart.getTime()
  return t >= Date.parse(spec.start) && t < Date.parse(spec.end)
}

/**
 * Baselines of the policy's relative rules for a window starting at `windowStart`, from the
 * evaluation history of its model and window size. Only results that measured the metric count
 * (a value from a window with enough predictions, whatever its status; results of baseline
 * windows and results left unjudged for want of a baseline count too):
 * - `first_window`: the value of the earliest such window, when it starts before this window;
 * - `{start, end}`: the sample-weighted mean of such windows starting in [start, end).
 * The lookup answers null for a rule and scope without a baseline.
 */
export function baselinesAt(
  policy: LoadedPolicy,
  history: EvaluationHistory,
  windowStart: Date,
): BaselineLookup {
  const baselines = new Map<string, number>()
  for (const rule of policy.policy.rules) {
    if (rule.thresholds.kind !== 'relative') continue
    const spec = rule.thresholds.baseline
    for (const series of history.seriesOfRule(rule.id)) {
      const evidence = series.filter(measured)
      const first = evidence[0]
      if (!first) continue
      const key = `${rule.id}\n${first.scopeKey}`
      if (spec === 'first_window') {
        if (first.windowStart.getTime() < windowStart.getTime()) {
          baselines.set(key, first.value as number)
        }
        continue
      }
      let weighted = 0
      let weight = 0
      for (const e of evidence) {
        if (!isBaselineWindow(spec, e.windowStart)) continue
        weighted += (e.value as number) * e.sampleSize
        weight += e.sampleSize
      }
      if (weight > 0) baselines.set(key, weighted / weight)
    }
  }
  return (ruleId, scopeKey) => baselines.get(`${ruleId}\n${scopeKey}`) ?? null
}
