import { adjustBenjaminiHochberg, type MetricRow } from '@fairwatch/metrics'
import { InputInvalidError } from '../errors'
import type { LoadedPolicy, PolicyRule } from '../policy/policy-types'
import { isBaselineWindow } from './baselines'
import type {
  BaselineLookup,
  InsufficiencyReason,
  RuleEvaluation,
  WindowContext,
} from './evaluation-types'
import { rowsForRule, scopeKeyOf, scopeLabel } from './match-scope'
import { applyThresholds, classifyValue } from './thresholds'

/** Input of one window's evaluation. */
export interface EvaluateWindowInput {
  window: WindowContext
  rows: readonly MetricRow[]
  policy: LoadedPolicy
  /**
   * Baselines for relative thresholds. For `first_window` baselines a null answer means no
   * earlier window has evidence, so this window becomes the baseline. Not asked for a window
   * inside its rule's baseline range.
   */
  baselines?: BaselineLookup
}

interface Pending {
  rule: PolicyRule
  row: MetricRow | null
  severity: 'warning' | 'critical' | null
  reason: InsufficiencyReason | null
  baseline: number | null
  thresholds: ReturnType<typeof applyThresholds>
}

function checkInput(window: WindowContext, rows: readonly MetricRow[]): void {
  if (!window.modelId) throw new InputInvalidError('window.modelId', 'must not be empty')
  if (!window.windowSize) throw new InputInvalidError('window.windowSize', 'must not be empty')
  const start = window.windowStart.getTime()
  const end = window.windowEnd.getTime()
  if (Number.isNaN(start)) throw new InputInvalidError('window.windowStart', 'is not a valid date')
  if (Number.isNaN(end) || end <= start) {
    throw new InputInvalidError('window.windowEnd', 'must be a valid date after windowStart')
  }
  const coverage = window.labelCoverage
  if (coverage !== null && !(coverage >= 0 && coverage <= 1)) {
    throw new InputInvalidError('window.labelCoverage', `expected null or 0..1, got ${coverage}`)
  }
  rows.forEach((row, i) => {
    if (row.pValue !== null && !(row.pValue >= 0 && row.pValue <= 1)) {
      throw new InputInvalidError(`rows[${i}].pValue`, `expected null or 0..1, got ${row.pValue}`)
    }
    if (row.value !== null && !Number.isFinite(row.value)) {
      throw new InputInvalidError(`rows[${i}].value`, `expected null or a finite number`)
    }
  })
}

function rowKey(row: MetricRow): string {
  return `${row.scope}|${row.attribute}|${row.group ?? ''}|${row.metric}`
}

/**
 * Evaluates every rule of the policy on the metric rows of one window. Each rule yields one
 * result per matching row (attribute × group), or a single insufficient_evidence result when no
 * row matches, so a missing metric never reads as a pass.
 *
 * A row is insufficient evidence when it has no value, is flagged insufficient by the metrics
 * stage, or its smallest group has fewer predictions than the rule's `minSample`.
 *
 * Relative thresholds: a window starting inside its rule's baseline range `{start, end}` is not
 * judged; its result is insufficient_evidence with reason `baseline_window`, and its value is
 * what later windows are compared with. A window outside the range whose baseline is unknown gets
 * `no_baseline`. Under `first_window`, a window with no earlier baseline becomes the baseline and is
 * reported like a baseline-range window.
 *
 * False discovery rate: the p-values of every distinct row that some rule evaluates as evidence
 * form one family, adjusted together with Benjamini–Hochberg; each result carries its adjusted
 * p-value. For a rule requiring significance, a value beyond a threshold counts as a breach only
 * when the adjusted p-value is below the rule's alpha; otherwise the result is
 * insufficient_evidence (`not_significant`, or `no_p_value` when the row has none).
 *
 * Rules restricted to another window size are skipped. Pure: reads nothing, writes nothing.
 * @throws InputInvalidError naming the field of a malformed window or row (empty model id, end
 *   not after start, label coverage or p-value outside 0..1, non-finite value).
 */
export function evaluateWindow(input: EvaluateWindowInput): RuleEvaluation[] {
  const { window, rows, policy } = input
  checkInput(window, rows)
  const pending: Pending[] = []

  for (const rule of policy.policy.rules) {
    if (rule.windowSize !== null && rule.windowSize !== window.windowSize) continue
    const matched = rowsForRule(rows, rule)
    if (matched.length === 0) {
      pending.push({
        rule,
        row: null,
        severity: null,
        reason: 'no_metric_rows',
        baseline: null,
        thresholds: null,
      })
      continue
    }
    for (const row of matched) {
      const base = { rule, row, severity: null, baseline: null, thresholds: null }
      if (row.value === null) {
        pending.push({ ...base, reason: row.reason ?? 'no_value' })
        continue
      }
      if (row.insufficientEvidence || row.sampleSize < rule.minSample) {
        pending.push({ ...base, reason: 'sample_below_minimum' })
        continue
      }
      let baseline: number | null = null
      if (rule.thresholds.kind === 'relative') {
        if (isBaselineWindow(rule.thresholds.baseline, window.windowStart)) {
          pending.push({ ...base, reason: 'baseline_window' })
          continue
        }
        baseline = input.baselines?.(rule.id, scopeKeyOf(row.attribute, row.group)) ?? null
        if (baseline === null && rule.thresholds.baseline === 'first_window') {
          // The first window with enough evidence is the baseline itself: nothing to judge yet.
          pending.push({ ...base, reason: 'baseline_window' })
          continue
        }
      }
      const thresholds = applyThresholds(rule, baseline)
      if (thresholds === null) {
        pending.push({ ...base, reason: 'no_baseline' })
        continue
      }
      const severity = classifyValue(row.value, rule.comparison, thresholds)
      pending.push({ rule, row, severity, reason: null, baseline, thresholds })
    }
  }

  const family = new Map<string, number>()
  for (const p of pending) {
    if (p.row && p.reason === null && p.row.pValue !== null) family.set(rowKey(p.row), p.row.pValue)
  }
  const keys = [...family.keys()]
  const adjusted = adjustBenjaminiHochberg(keys.map((k) => family.get(k) as number))
  const adjustedByKey = new Map(keys.map((k, i) => [k, adjusted[i] ?? null]))

  return pending.map((p): RuleEvaluation => {
    const row = p.row
    const adjustedPValue = row ? (adjustedByKey.get(rowKey(row)) ?? null) : null
    let status: RuleEvaluation['status'] =
      p.reason === null ? (p.severity ?? 'pass') : 'insufficient_evidence'
    let reason = p.reason
    if (p.severity !== null && p.rule.significance.required) {
      if (adjustedPValue === null) {
        status = 'insufficient_evidence'
        reason = 'no_p_value'
      } else if (adjustedPValue >= p.rule.significance.alpha) {
        status = 'insufficient_evidence'
        reason = 'not_significant'
      }
    }
    const attribute = row?.attribute ?? scopeLabel(p.rule.scope)
    const group = row ? row.group : (p.rule.scope.group ?? null)
    return {
      modelId: window.modelId,
      windowStart: window.windowStart,
      windowEnd: window.windowEnd,
      windowSize: window.windowSize,
      policyName: policy.policy.name,
      policyVersion: policy.version,
      ruleId: p.rule.id,
      metric: p.rule.metric,
      attribute,
      group,
      referenceGroup: row?.referenceGroup ?? null,
      rowScope: row?.scope ?? null,
      scopeKey: scopeKeyOf(attribute, group),
      status,
      reason,
      value: row?.value ?? null,
      ciLow: row?.ciLow ?? null,
      ciHigh: row?.ciHigh ?? null,
      pValue: row?.pValue ?? null,
      adjustedPValue,
      numerator: row?.numerator ?? null,
      denominator: row?.denominator ?? null,
      sampleSize: row?.sampleSize ?? 0,
      labelCoverage: window.labelCoverage,
      thresholds: p.thresholds,
      baseline: p.baseline,
    }
  })
}
