import type { LoadedPolicy } from '../policy/policy-types'
import type { EvaluationHistory } from './evaluation-history'
import type { BaselineLookup } from './evaluation-types'

/**
 * Baselines of the policy's relative rules for a window starting at `windowStart`, from the
 * evaluation history of its model and window size. Only results with evidence count (a value, and
 * a status other than insufficient_evidence):
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
      const evidence = series.filter(
        (e) => e.status !== 'insufficient_evidence' && e.value !== null,
      )
      const first = evidence[0]
      if (!first) continue
      const key = `${rule.id}\n${first.scopeKey}`
      if (spec === 'first_window') {
        if (first.windowStart.getTime() < windowStart.getTime()) {
          baselines.set(key, first.value as number)
        }
        continue
      }
      const from = Date.parse(spec.start)
      const to = Date.parse(spec.end)
      let weighted = 0
      let weight = 0
      for (const e of evidence) {
        const t = e.windowStart.getTime()
        if (t < from || t >= to) continue
        weighted += (e.value as number) * e.sampleSize
        weight += e.sampleSize
      }
      if (weight > 0) baselines.set(key, weighted / weight)
    }
  }
  return (ruleId, scopeKey) => baselines.get(`${ruleId}\n${scopeKey}`) ?? null
}
