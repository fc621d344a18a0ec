import type { ClickHouseClient } from '@clickhouse/client'
import type { MetricOutputRow } from '@fairwatch/pipeline'

import { fromClickHouseTime } from './clickhouse-time.ts'
import { addFilterConditions, queryRows } from './query-rows.ts'
import type { Page } from './query-rows.ts'

/** Filter of a metrics query; every field but the model is optional. */
export interface MetricsFilter {
  modelId: string
  windowSize?: string
  /** Windows starting at or after this time. */
  from?: Date
  /** Windows starting before this time. */
  to?: Date
  attribute?: string
  group?: string
  metric?: string
  scope?: string
  limit: number
  offset: number
}

interface MetricDbRow {
  model_id: string
  window_size: string
  window_start: string
  window_end: string
  attribute: string
  group_label: string
  scope: string
  metric: string
  value: number | null
  numerator: number | null
  denominator: number | null
  ci_low: number | null
  ci_high: number | null
  p_value: number | null
  reference_group: string
  sample_size: string | number
  insufficient_evidence: number
  reason: string
  total?: string | number
}

const COLUMNS = `model_id, window_size, window_start, window_end, attribute, group_label, scope,
  metric, value, numerator, denominator, ci_low, ci_high, p_value, reference_group, sample_size,
  insufficient_evidence, reason`

function outputRow(row: MetricDbRow): MetricOutputRow {
  return {
    model_id: row.model_id,
    window_size: row.window_size,
    window_start: fromClickHouseTime(row.window_start),
    window_end: fromClickHouseTime(row.window_end),
    attribute: row.attribute,
    // The store writes an absent group or reference group as the empty string.
    group: row.scope === 'across_groups' ? null : row.group_label,
    scope: row.scope,
    metric: row.metric,
    value: row.value,
    numerator: row.numerator,
    denominator: row.denominator,
    ci_low: row.ci_low,
    ci_high: row.ci_high,
    p_value: row.p_value,
    reference_group: row.reference_group === '' ? null : row.reference_group,
    sample_size: Number(row.sample_size),
    insufficient_evidence: Number(row.insufficient_evidence) === 1,
    reason: row.reason === '' ? null : row.reason,
  }
}

/**
 * The current (latest revision) metrics of a model from `metrics_current`, ordered by window
 * size, window start, attribute, metric, scope and group. Throws StoreError.
 */
export async function queryMetrics(
  client: ClickHouseClient,
  database: string,
  filter: MetricsFilter,
): Promise<Page<MetricOutputRow>> {
  const where = ['model_id = {model:String}']
  const params: Record<string, unknown> = {
    model: filter.modelId,
    limit: filter.limit,
    offset: filter.offset,
  }
  const equal: [keyof MetricsFilter, string][] = [
    ['windowSize', 'window_size'],
    ['attribute', 'attribute'],
    ['group', 'group_label'],
    ['metric', 'metric'],
    ['scope', 'scope'],
  ]
  addFilterConditions(filter, equal, where, params)
  const rows = await queryRows<MetricDbRow>(
    client,
    `SELECT ${COLUMNS}, count() OVER () AS total
     FROM ${database}.metrics_current
     WHERE ${where.join(' AND ')}
     ORDER BY window_size, window_start, attribute, metric, scope, group_label
     LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
    'reading metrics',
  )
  const total =
    rows.length > 0 || filter.offset === 0
      ? Number(rows[0]?.total ?? 0)
      : await countMetrics(client, database, where, params)
  return { items: rows.map(outputRow), total, limit: filter.limit, offset: filter.offset }
}

async function countMetrics(
  client: ClickHouseClient,
  database: string,
  where: string[],
  params: Record<string, unknown>,
): Promise<number> {
  const [row] = await queryRows<{ total: string }>(
    client,
    `SELECT count() AS total FROM ${database}.metrics_current WHERE ${where.join(' AND ')}`,
    params,
    'counting metrics',
  )
  return Number(row?.total ?? 0)
}

/**
 * The disparities (rows comparing groups: `vs_reference` and `across_groups`) of the latest
 * window of each window size of a model. Throws StoreError.
 */
export async function queryLatestDisparities(
  client: ClickHouseClient,
  database: string,
  modelId: string,
): Promise<MetricOutputRow[]> {
  const rows = await queryRows<MetricDbRow>(
    client,
    `SELECT ${COLUMNS}
     FROM ${database}.metrics_current
     WHERE model_id = {model:String}
       AND scope IN ('vs_reference', 'across_groups')
       AND (window_size, window_start) IN (
         SELECT window_size, max(window_start) FROM ${database}.metrics_current
         WHERE model_id = {model:String} GROUP BY window_size)
     ORDER BY window_size, attribute, metric, scope, group_label`,
    { model: modelId },
    'reading latest disparities',
  )
  return rows.map(outputRow)
}

/** Models that have current metrics. Throws StoreError. */
export async function queryMetricModels(
  client: ClickHouseClient,
  database: string,
): Promise<{ model_id: string; window_sizes: string[]; latest_window_start: string }[]> {
  const rows = await queryRows<{ model_id: string; window_sizes: string[]; latest: string }>(
    client,
    `SELECT model_id, groupUniqArray(window_size) AS window_sizes, max(window_start) AS latest
     FROM ${database}.metrics_current GROUP BY model_id ORDER BY model_id`,
    {},
    'listing models',
  )
  return rows.map((r) => ({
    model_id: r.model_id,
    window_sizes: [...r.window_sizes].sort(),
    latest_window_start: fromClickHouseTime(r.latest),
  }))
}
