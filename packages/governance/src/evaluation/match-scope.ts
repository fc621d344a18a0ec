import { INTERSECTION_SEPARATOR, MISSING_GROUP, type MetricRow } from '@fairwatch/metrics'
import type { PolicyRule, RuleScope } from '../policy/policy-types'

/** Key of one evaluated series within a rule: the attribute and the group (`(all)` for none). */
export function scopeKeyOf(attribute: string, group: string | null): string {
  return `${attribute}:${group ?? '(all)'}`
}

/** How a rule's scope reads when it matched nothing (`*`, `sex`, `race&sex`). */
export function scopeLabel(scope: RuleScope): string {
  if (scope.intersection) return scope.intersection.join(INTERSECTION_SEPARATOR)
  return scope.attribute ?? '*'
}

function sameAttributes(a: string, wanted: readonly string[]): boolean {
  const names = a.split(INTERSECTION_SEPARATOR).sort()
  const sorted = [...wanted].sort()
  return names.length === sorted.length && names.every((n, i) => n === sorted[i])
}

/** The rows of a window a rule evaluates: its metric, on its attribute(s) and group. */
export function rowsForRule(rows: readonly MetricRow[], rule: PolicyRule): MetricRow[] {
  const { scope } = rule
  return rows.filter((row) => {
    if (row.metric !== rule.metric) return false
    if (scope.intersection) {
      if (!sameAttributes(row.attribute, scope.intersection)) return false
    } else if (scope.attribute !== '*' && row.attribute !== scope.attribute) {
      return false
    }
    if (scope.group !== undefined) return row.group === scope.group
    // Missing-attribute rows describe unattributed predictions, not a group: opt-in only.
    return row.group !== MISSING_GROUP
  })
}
