import type { ClickHouseClient } from '@clickhouse/client'

import { fromClickHouseTime } from './clickhouse-time.ts'
import { addFilterConditions, queryRows } from './query-rows.ts'
import type { Page } from './query-rows.ts'

/** One stored rule evaluation of one window, as the API returns it. */
export interface EvaluationOutput {
  model_id: string
  window_size: string
  window_start: string
  window_end: string
  rule_id: string
  scope_key: string
  metric: string
  attribute: string
  group: string | null
  reference_group: string | null
  status: string
  reason: string | null
  value: number | null
  ci_low: number | null
  ci_high: number | null
  p_value: number | null
  adjusted_p_value: number | null
  sample_size: number
  label_coverage: number | null
  thresholds: unknown
  baseline: number | null
  policy_name: string
  policy_version: string
  evaluated_at: string
}

/** Filter of an evaluations query. */
export interface EvaluationsFilter {
  modelId?: string
  windowSize?: string
  ruleId?: string
  status?: string
  from?: Date
  to?: Date
  limit: number
  offset: number
}

type EvaluationRow = Omit<EvaluationOutput, 'group' | 'thresholds' | 'sample_size'> & {
  group_label: string | null
  thresholds: string
  sample_size: string
  total: string
}

/**
 * The latest evaluation of each window, rule and scope (`evaluations FINAL`), newest windows
 * first. Throws StoreError.
 */
export async function queryEvaluations(
  client: ClickHouseClient,
  database: string,
  filter: EvaluationsFilter,
): Promise<Page<EvaluationOutput>> {
  const where = ['1 = 1']
  const params: Record<string, unknown> = { limit: filter.limit, offset: filter.offset }
  const equal: [keyof EvaluationsFilter, string][] = [
    ['modelId', 'model_id'],
    ['windowSize', 'window_size'],
    ['ruleId', 'rule_id'],
    ['status', 'status'],
  ]
  addFilterConditions(filter, equal, where, params)
  const rows = await queryRows<EvaluationRow>(
    client,
    `SELECT model_id, window_size, window_start, window_end, rule_id, scope_key, metric, attribute,
       group_label, reference_group, status, reason, value, ci_low, ci_high, p_value,
       adjusted_p_value, sample_size, label_coverage, thresholds, baseline, policy_name,
       policy_version, evaluated_at, count() OVER () AS total
     FROM ${database}.evaluations FINAL
     WHERE ${where.join(' AND ')}
     ORDER BY window_start DESC, model_id, window_size, rule_id, scope_key
     LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
    'reading evaluations',
  )
  const items = rows.map(({ group_label, total: _total, ...row }) => ({
    ...row,
    group: group_label,
    window_start: fromClickHouseTime(row.window_start),
    window_end: fromClickHouseTime(row.window_end),
    evaluated_at: fromClickHouseTime(row.evaluated_at),
    sample_size: Number(row.sample_size),
    thresholds: parseJson(row.thresholds),
  }))
  let total = Number(rows[0]?.total ?? 0)
  if (rows.length === 0 && filter.offset > 0) {
    const [count] = await queryRows<{ total: string }>(
      client,
      `SELECT count() AS total FROM ${database}.evaluations FINAL WHERE ${where.join(' AND ')}`,
      params,
      'counting evaluations',
    )
    total = Number(count?.total ?? 0)
  }
  return { items, total, limit: filter.limit, offset: filter.offset }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** One stored version of a policy. */
export interface PolicyVersionOutput {
  name: string
  version: string
  source: string
  models: string[]
  loaded_at: string
  loaded_by: string
  reason: string
  content: unknown
}

/** Every stored version of the named policy (or of all policies), newest first. Throws StoreError. */
export async function queryPolicyVersions(
  client: ClickHouseClient,
  database: string,
  name?: string,
): Promise<PolicyVersionOutput[]> {
  const rows = await queryRows<Omit<PolicyVersionOutput, 'content'> & { content: string }>(
    client,
    `SELECT name, version, source, models, loaded_at, loaded_by, reason, content
     FROM ${database}.governance_policies FINAL
     ${name === undefined ? '' : 'WHERE name = {name:String}'}
     ORDER BY loaded_at DESC, name`,
    { name },
    'reading policy versions',
  )
  return rows.map((row) => ({
    ...row,
    loaded_at: fromClickHouseTime(row.loaded_at),
    content: parseJson(row.content),
  }))
}
