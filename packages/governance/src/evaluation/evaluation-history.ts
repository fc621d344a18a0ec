import type {
  EvaluationToStore,
  StoredEvaluation,
  TimedEvaluation,
} from '../storage/evaluation-store'
import type { RuleEvaluation } from './evaluation-types'

interface Entry {
  evaluation: StoredEvaluation
  evaluatedAt: number
  /** The result behind the entry when it was recorded here and is not stored yet. */
  unsaved: RuleEvaluation | null
}

/**
 * The stored evaluations of one model and window size, held in memory while a batch of windows is
 * evaluated and updated with each window's results the way the `evaluations` table keeps them:
 * one result per rule, scope and window start, the one with the newest evaluated_at (the later
 * one on a tie). Reading it after recording some windows therefore gives what reading storage
 * would give after storing them one by one.
 */
export class EvaluationHistory {
  /** Rule id → scope key → entries ordered by window start. */
  private readonly rules = new Map<string, Map<string, Entry[]>>()

  /** @param stored the latest stored result of every window, in any order. */
  constructor(stored: readonly TimedEvaluation[]) {
    for (const t of stored) this.put(t.evaluation, t.evaluatedAt.getTime(), null)
  }

  /** Records one window's results as made at `evaluatedAt`. */
  record(results: readonly RuleEvaluation[], evaluatedAt: Date): void {
    for (const r of results) {
      const evaluation: StoredEvaluation = {
        ruleId: r.ruleId,
        scopeKey: r.scopeKey,
        windowStart: r.windowStart,
        status: r.status,
        reason: r.reason,
        value: r.value,
        sampleSize: r.sampleSize,
        adjustedPValue: r.adjustedPValue,
      }
      this.put(evaluation, evaluatedAt.getTime(), r)
    }
  }

  /** The kept results of one rule and scope, ordered by window start. */
  series(ruleId: string, scopeKey: string): StoredEvaluation[] {
    return (this.rules.get(ruleId)?.get(scopeKey) ?? []).map((e) => e.evaluation)
  }

  /** The kept results of one rule, one series per scope, each ordered by window start. */
  seriesOfRule(ruleId: string): StoredEvaluation[][] {
    return [...(this.rules.get(ruleId)?.values() ?? [])].map((entries) =>
      entries.map((e) => e.evaluation),
    )
  }

  /** Recorded results that are kept (not replaced since) and therefore need storing. */
  unsaved(): EvaluationToStore[] {
    const rows: EvaluationToStore[] = []
    for (const scopes of this.rules.values()) {
      for (const entries of scopes.values()) {
        for (const e of entries) {
          if (e.unsaved) rows.push({ result: e.unsaved, evaluatedAt: new Date(e.evaluatedAt) })
        }
      }
    }
    return rows
  }

  private put(evaluation: StoredEvaluation, evaluatedAt: number, unsaved: RuleEvaluation | null) {
    let scopes = this.rules.get(evaluation.ruleId)
    if (!scopes) {
      scopes = new Map()
      this.rules.set(evaluation.ruleId, scopes)
    }
    let entries = scopes.get(evaluation.scopeKey)
    if (!entries) {
      entries = []
      scopes.set(evaluation.scopeKey, entries)
    }
    const start = evaluation.windowStart.getTime()
    const at = insertionPoint(entries, start)
    const existing = entries[at]
    const entry = { evaluation, evaluatedAt, unsaved }
    if (existing && existing.evaluation.windowStart.getTime() === start) {
      if (evaluatedAt >= existing.evaluatedAt) entries[at] = entry
    } else {
      entries.splice(at, 0, entry)
    }
  }
}

/** Index of the first entry starting at or after `start` (entries are ordered by start). */
function insertionPoint(entries: readonly Entry[], start: number): number {
  let low = 0
  let high = entries.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if ((entries[mid] as Entry).evaluation.windowStart.getTime() < start) low = mid + 1
    else high = mid
  }
  return low
}
