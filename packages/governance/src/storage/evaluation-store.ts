import type { ClickHouseClient } from '@clickhouse/client'
import type {
  EvaluationStatus,
  InsufficiencyReason,
  RuleEvaluation,
} from '../evaluation/evaluation-types'
import { fromClickHouseTime, toClickHouseTime } from './clickhouse-time'
import { storageCall } from './storage-call'

/** One stored evaluation, as much as persistence, baselines and effectiveness checks need. */
export interface StoredEvaluation {
  ruleId: string
  scopeKey: string
  windowStart: Date
  status: EvaluationStatus
  reason: InsufficiencyReason | null
  value: number | null
  sampleSize: number
  adjustedPValue: number | null
}

/** A stored evaluation with the time it was made, which decides which of two results is kept. */
export interface TimedEvaluation {
  evaluation: StoredEvaluation
  evaluatedAt: Date
}

/** A result about to be stored and the time it was made. */
export interface EvaluationToStore {
  result: RuleEvaluation
  evaluatedAt: Date
}

interface SeriesRow {
  rule_id: string
  scope_key: string
  window_start: string
  status: EvaluationStatus
  reason: InsufficiencyReason | null
  value: number | null
  sample_size: string | number
  adjusted_p_value: number | null
  evaluated_at: string
}

interface SeriesQuery {
  modelId: string
  windowSize: string
  ruleIds: readonly string[]
  scopeKey?: string
  from?: Date
}

/** Reads and writes the `evaluations` table. */
export class EvaluationStore {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
  ) {}

  /**
   * Stores results in one insert. A window evaluated again replaces its earlier result: of two
   * results for the same rule, scope and window the one with the newest evaluated_at is kept.
   */
  async insert(rows: readonly EvaluationToStore[]): Promise<void> {
    if (rows.length === 0) return
    const values = rows.map(({ result: r, evaluatedAt }) => ({
      model_id: r.modelId,
      window_size: r.windowSize,
      rule_id: r.ruleId,
      scope_key: r.scopeKey,
      window_start: toClickHouseTime(r.windowStart),
      window_end: toClickHouseTime(r.windowEnd),
      metric: r.metric,
      attribute: r.attribute,
      group_label: r.group,
      reference_group: r.referenceGroup,
      status: r.status,
      reason: r.reason,
      value: r.value,
      ci_low: r.ciLow,
      ci_high: r.ciHigh,
      p_value: r.pValue,
      adjusted_p_value: r.adjustedPValue,
      numerator: r.numerator,
      denominator: r.denominator,
      sample_size: r.sampleSize,
      label_coverage: r.labelCoverage,
      thresholds: JSON.stringify(r.thresholds),
      baseline: r.baseline,
      policy_name: r.policyName,
      policy_version: r.policyVersion,
      evaluated_at: toClickHouseTime(evaluatedAt),
    }))
    await storageCall('insert evaluations', () =>
      this.client.insert({ table: `${this.database}.evaluations`, values, format: 'JSONEachRow' }),
    )
  }

  /**
   * The latest result of every window of the given rules of a model and window size, ordered by
   * rule, scope and window start; optionally one scope only and windows from a time on.
   */
  async series(q: SeriesQuery): Promise<StoredEvaluation[]> {
    return (await this.timedSeries(q)).map((t) => t.evaluation)
  }

  /** As `series`, with the time each kept result was made. */
  async timedSeries(q: SeriesQuery): Promise<TimedEvaluation[]> {
    if (q.ruleIds.length === 0) return []
    const filters = [
      'model_id = {modelId:String}',
      'window_size = {windowSize:String}',
      'rule_id IN {ruleIds:Array(String)}',
    ]
    if (q.scopeKey !== undefined) filters.push('scope_key = {scopeKey:String}')
    if (q.from !== undefined) filters.push(`window_start >= {from:DateTime64(3, 'UTC')}`)
    const rows = await storageCall('read evaluation series', async () => {
      const result = await this.client.query({
        query: `SELECT rule_id, scope_key, window_start, status, reason, value, sample_size,
            adjusted_p_value, evaluated_at
          FROM ${this.database}.evaluations FINAL
          WHERE ${filters.join(' AND ')}
          ORDER BY rule_id, scope_key, window_start`,
        query_params: {
          modelId: q.modelId,
          windowSize: q.windowSize,
          ruleIds: [...q.ruleIds],
          scopeKey: q.scopeKey ?? '',
          from: q.from ? toClickHouseTime(q.from) : '',
        },
        format: 'JSONEachRow',
      })
      return result.json<SeriesRow>()
    })
    return rows.map((r) => ({
      evaluation: {
        ruleId: r.rule_id,
        scopeKey: r.scope_key,
        windowStart: fromClickHouseTime(r.window_start),
        status: r.status,
        reason: r.reason,
        value: r.value,
        sampleSize: Number(r.sample_size),
        adjustedPValue: r.adjusted_p_value,
      },
      evaluatedAt: fromClickHouseTime(r.evaluated_at),
    }))
  }
}
