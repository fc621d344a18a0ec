import type { ClickHouseClient } from '@clickhouse/client'
import type { GovernanceService, Incident, Nonconformity, PolicyRule } from '@fairwatch/governance'
import { parseWindowSize } from '@fairwatch/pipeline'

import { fromClickHouseTime, toClickHouseTime } from '../query/clickhouse-time.ts'
import { queryRows } from '../query/query-rows.ts'

/** What the embedded runtime knows about its recompute loop; absent when the API runs alone. */
export interface OverviewPipelineStatus {
  windowsComputed: number
  windowsPending: number
  /** The last error of the recompute loop, or null when its last cycle succeeded. */
  lastError: unknown
}

/** The disparities the page charts, in chart order. */
export const OVERVIEW_METRICS = [
  'disparate_impact',
  'equal_opportunity_difference',
  'equalized_odds_difference',
] as const

/** Group label of rows about predictions lacking the attribute; not a group, left off charts. */
const MISSING_GROUP = '(missing)'
const INTERSECTION_SEPARATOR = '&'

/** One window's value of one series. */
export interface OverviewPoint {
  window_start: string
  value: number | null
  ci_low: number | null
  ci_high: number | null
  insufficient_evidence: boolean
}

/** A threshold line: the rule's warning and critical limits (a number or a band). */
export interface OverviewThreshold {
  rule_id: string
  title: string | null
  comparison: string
  warning: number | { low: number; high: number }
  critical: number | { low: number; high: number }
}

/** One chart: a metric over time, one series per group (vs reference) or per attribute. */
export interface OverviewChart {
  id: string
  metric: string
  /** The attribute for disparate impact charts; null for across-group charts (series per attribute). */
  attribute: string | null
  reference_group: string | null
  thresholds: OverviewThreshold[]
  /** Rules on this metric whose thresholds are relative to a baseline: no fixed line to draw. */
  relative_rules: string[]
  series: { key: string; attribute: string; group: string | null; points: OverviewPoint[] }[]
}

/** A disparity of the disparities window with the worst status any rule gave it. */
export interface OverviewLatest {
  metric: string
  attribute: string
  group: string | null
  reference_group: string | null
  value: number | null
  ci_low: number | null
  ci_high: number | null
  sample_size: number
  insufficient_evidence: boolean
  status: string | null
}

/** The page's view of one model. */
export interface OverviewModel {
  model_id: string
  window_size: string
  window_sizes: string[]
  window_starts: string[]
  latest_window_start: string
  /**
   * The window the `latest` table shows: the newest one in which at least one disparity has
   * sufficient evidence (the newest window of a live stream is usually still filling), else the
   * newest window.
   */
  disparities_window_start: string
  policy: { name: string; version: string } | null
  groups: { attribute: string; groups: string[] }[]
  charts: OverviewChart[]
  latest: OverviewLatest[]
  label_coverage: { window_start: string; value: number | null }[]
}

/** An open nonconformity or incident as the page lists it. */
export interface OverviewRecord {
  kind: 'nonconformity' | 'incident'
  id: string
  model_id: string
  title: string
  rule_id: string | null
  scope: string | null
  severity: string
  status: string
  opened_at: string
  age_seconds: number
  /** When the corrective action of a nonconformity is due, where set. */
  due_at: string | null
  /** Article 73 reporting due date of an incident classified as serious. */
  article_73_due_at: string | null
}

/** Everything the overview page shows, as GET /overview/data.json returns it. */
export interface OverviewData {
  generated_at: string
  models: OverviewModel[]
  records: OverviewRecord[]
  pipeline: {
    windows_computed: number | null
    windows_pending: number | null
    last_error: string | null
    predictions_stored: number
    outcomes_stored: number
    rejected: { reason: string; count: number }[]
  }
}

/** Options of readOverview. */
export interface ReadOverviewOptions {
  client: ClickHouseClient
  database: string
  governance: GovernanceService
  pipelineStatus?: () => OverviewPipelineStatus
  /** Windows charted per model, newest last. Default 60. */
  windowCount?: number
  clock?: () => Date
}

interface SeriesRow {
  window_start: string
  attribute: string
  group_label: string
  scope: string
  metric: string
  value: number | null
  ci_low: number | null
  ci_high: number | null
  reference_group: string
  sample_size: string
  insufficient_evidence: number
}

/**
 * Reads what the overview page shows: per model the disparities of its last `windowCount`
 * windows of its shortest window size (from `metrics_current`, bounded by the primary key),
 * the rule statuses and label coverage from `evaluations FINAL`, the thresholds of the policy in
 * force, open nonconformities and incidents, and pipeline counters. The metric and evaluation
 * reads are bounded by model, window size and time; the event counts are table totals. Listing
 * the models reads three dictionary-encoded columns of the whole `metrics_current` table, which
 * grows with history (measured at 3-20 ms per query on a month of daily windows on a loaded
 * 2-core machine; the whole read took 100-300 ms there). Throws StoreError when the store cannot
 * be read.
 */
export async function readOverview(options: ReadOverviewOptions): Promise<OverviewData> {
  const { client, database, governance } = options
  const now = (options.clock ?? (() => new Date()))()
  const windowCount = options.windowCount ?? 60

  const [sizes, nonconformities, incidents, totals, rejected] = await Promise.all([
    queryRows<{ model_id: string; window_size: string; latest: string }>(
      client,
      `SELECT model_id, window_size, max(window_start) AS latest
       FROM ${database}.metrics_current GROUP BY model_id, window_size ORDER BY model_id`,
      {},
      'listing models for the overview',
    ),
    governance.listNonconformities({ openOnly: true }),
    governance.listIncidents({ openOnly: true }),
    queryRows<{ predictions: string; outcomes: string }>(
      client,
      `SELECT (SELECT count() FROM ${database}.predictions) AS predictions,
         (SELECT count() FROM ${database}.outcomes) AS outcomes`,
      {},
      'counting stored events',
    ),
    queryRows<{ reason: string; count: string }>(
      client,
      `SELECT reason, count() AS count FROM ${database}.rejected_events
       GROUP BY reason ORDER BY count DESC, reason`,
      {},
      'counting rejected events',
    ),
  ])

  const byModel = new Map<string, { label: string; ms: number | null; latest: string }[]>()
  for (const row of sizes) {
    const list = byModel.get(row.model_id) ?? []
    list.push({
      label: row.window_size,
      ms: parseWindowSize(row.window_size).ms,
      latest: row.latest,
    })
    byModel.set(row.model_id, list)
  }
  const models: OverviewModel[] = []
  for (const [modelId, list] of byModel) {
    models.push(await readModel(options, modelId, list, windowCount))
  }

  const status = options.pipelineStatus?.()
  const totalsRow = totals[0]
  return {
    generated_at: now.toISOString(),
    models,
    records: openRecords(nonconformities, incidents, now),
    pipeline: {
      windows_computed: status?.windowsComputed ?? null,
      windows_pending: status?.windowsPending ?? null,
      last_error: status ? errorText(status.lastError) : null,
      predictions_stored: Number(totalsRow?.predictions ?? 0),
      outcomes_stored: Number(totalsRow?.outcomes ?? 0),
      rejected: rejected.map((r) => ({ reason: r.reason, count: Number(r.count) })),
    },
  }
}

function errorText(err: unknown): string | null {
  if (err === null || err === undefined) return null
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message
  }
  return String(err)
}

async function readModel(
  options: ReadOverviewOptions,
  modelId: string,
  sizes: { label: string; ms: number | null; latest: string }[],
  windowCount: number,
): Promise<OverviewModel> {
  const { client, database } = options
  // The shortest window size shows drift soonest; `all` only when it is the only one.
  const chosen = [...sizes].sort((a, b) => (a.ms ?? Infinity) - (b.ms ?? Infinity))[0]!
  const latestMs = Date.parse(fromClickHouseTime(chosen.latest))
  const fromMs = chosen.ms === null ? 0 : latestMs - (windowCount - 1) * chosen.ms
  const params = {
    model: modelId,
    size: chosen.label,
    from: toClickHouseTime(new Date(fromMs)),
    metrics: [...OVERVIEW_METRICS],
  }
  const [rows, coverage] = await Promise.all([
    queryRows<SeriesRow>(
      client,
      `SELECT window_start, attribute, group_label, scope, metric, value, ci_low, ci_high,
         reference_group, sample_size, insufficient_evidence
       FROM ${database}.metrics_current
       WHERE model_id = {model:String} AND window_size = {size:String}
         AND window_start >= {from:DateTime64(3, 'UTC')}
         AND metric IN {metrics:Array(String)} AND scope IN ('vs_reference', 'across_groups')
       ORDER BY attribute, metric, group_label, window_start`,
      params,
      `reading disparities of model ${modelId}`,
    ),
    queryRows<{ window_start: string; coverage: number | null }>(
      client,
      `SELECT window_start, max(label_coverage) AS coverage
       FROM ${database}.evaluations FINAL
       WHERE model_id = {model:String} AND window_size = {size:String}
         AND window_start >= {from:DateTime64(3, 'UTC')}
       GROUP BY window_start ORDER BY window_start`,
      params,
      `reading label coverage of model ${modelId}`,
    ),
  ])

  // The newest window of a live stream is usually still filling and has no evidence yet; the
  // table shows the newest window in which some disparity has sufficient evidence.
  let shown = ''
  for (const row of rows) {
    if (Number(row.insufficient_evidence) === 0 && row.window_start > shown)
      shown = row.window_start
  }
  if (shown === '') shown = chosen.latest
  const statuses = await queryRows<{ metric: string; scope_key: string; statuses: string[] }>(
    client,
    `SELECT metric, scope_key, groupArray(status) AS statuses
     FROM ${database}.evaluations FINAL
     WHERE model_id = {model:String} AND window_size = {size:String}
       AND window_start = {shown:DateTime64(3, 'UTC')}
     GROUP BY metric, scope_key`,
    { ...params, shown },
    `reading rule statuses of model ${modelId}`,
  )

  let policy: { name: string; version: string } | null = null
  let rules: PolicyRule[] = []
  try {
    const loaded = options.governance.registry.policyFor(modelId)
    policy = { name: loaded.policy.name, version: loaded.version }
    rules = loaded.policy.rules.filter(
      (r) => r.windowSize === null || r.windowSize === chosen.label,
    )
  } catch {
    // No policy governs the model: the charts are drawn without threshold lines.
  }

  const windowStarts = new Set<string>()
  const groups = new Map<string, Set<string>>()
  const charts = new Map<string, OverviewChart>()
  const latest: OverviewLatest[] = []
  const worst = worstStatuses(statuses)
  for (const row of rows) {
    const start = fromClickHouseTime(row.window_start)
    windowStarts.add(start)
    const across = row.scope === 'across_groups'
    const group = across ? null : row.group_label
    if (group === MISSING_GROUP) continue
    if (group !== null) {
      const known = groups.get(row.attribute) ?? new Set<string>()
      known.add(group)
      if (row.reference_group !== '') known.add(row.reference_group)
      groups.set(row.attribute, known)
    }
    const chartId = across ? row.metric : `${row.metric}:${row.attribute}`
    let chart = charts.get(chartId)
    if (!chart) {
      chart = newChart(chartId, row, across, rules)
      charts.set(chartId, chart)
    }
    const key = across ? row.attribute : `${row.attribute}=${group}`
    let series = chart.series.find((s) => s.key === key)
    if (!series) {
      series = { key, attribute: row.attribute, group, points: [] }
      chart.series.push(series)
    }
    const insufficient = Number(row.insufficient_evidence) === 1
    series.points.push({
      window_start: start,
      value: row.value,
      ci_low: row.ci_low,
      ci_high: row.ci_high,
      insufficient_evidence: insufficient,
    })
    if (row.window_start === shown) {
      latest.push({
        metric: row.metric,
        attribute: row.attribute,
        group,
        reference_group: row.reference_group === '' ? null : row.reference_group,
        value: row.value,
        ci_low: row.ci_low,
        ci_high: row.ci_high,
        sample_size: Number(row.sample_size),
        insufficient_evidence: insufficient,
        status: worst.get(`${row.metric}|${row.attribute}:${group ?? '(all)'}`) ?? null,
      })
    }
  }

  const order = (metric: string) => OVERVIEW_METRICS.indexOf(metric as never)
  return {
    model_id: modelId,
    window_size: chosen.label,
    window_sizes: sizes.map((s) => s.label).sort(),
    window_starts: [...windowStarts].sort(),
    latest_window_start: fromClickHouseTime(chosen.latest),
    disparities_window_start: fromClickHouseTime(shown),
    policy,
    groups: [...groups]
      .map(([attribute, set]) => ({ attribute, groups: [...set].sort() }))
      .sort((a, b) => a.attribute.localeCompare(b.attribute)),
    charts: [...charts.values()].sort(
      (a, b) =>
        order(a.metric) - order(b.metric) || (a.attribute ?? '').localeCompare(b.attribute ?? ''),
    ),
    latest: latest.sort(
      (a, b) =>
        order(a.metric) - order(b.metric) ||
        a.attribute.localeCompare(b.attribute) ||
        (a.group ?? '').localeCompare(b.group ?? ''),
    ),
    label_coverage: coverage.map((c) => ({
      window_start: fromClickHouseTime(c.window_start),
      value: c.coverage,
    })),
  }
}

const SEVERITY: Record<string, number> = {
  pass: 0,
  insufficient_evidence: 1,
  warning: 2,
  critical: 3,
}

function worstStatuses(
  rows: readonly { metric: string; scope_key: string; statuses: string[] }[],
): Map<string, string> {
  const worst = new Map<string, string>()
  for (const row of rows) {
    const pick = [...row.statuses].sort((a, b) => (SEVERITY[b] ?? 0) - (SEVERITY[a] ?? 0))[0]
    if (pick !== undefined) worst.set(`${row.metric}|${row.scope_key}`, pick)
  }
  return worst
}

/** Whether a rule's scope covers rows of `attribute` (an attribute or an `a&b` intersection). */
function ruleCovers(rule: PolicyRule, attribute: string | null): boolean {
  const { scope } = rule
  if (attribute === null) return true
  if (scope.intersection) {
    const names = attribute.split(INTERSECTION_SEPARATOR).sort()
    const wanted = [...scope.intersection].sort()
    return names.length === wanted.length && names.every((n, i) => n === wanted[i])
  }
  return scope.attribute === '*' || scope.attribute === attribute
}

function newChart(
  id: string,
  row: SeriesRow,
  across: boolean,
  rules: readonly PolicyRule[],
): OverviewChart {
  const attribute = across ? null : row.attribute
  const matching = rules.filter((r) => r.metric === row.metric && ruleCovers(r, attribute))
  const thresholds: OverviewThreshold[] = []
  const relative: string[] = []
  for (const rule of matching) {
    if (rule.thresholds.kind === 'absolute') {
      thresholds.push({
        rule_id: rule.id,
        title: rule.title,
        comparison: rule.comparison,
        warning: rule.thresholds.warning,
        critical: rule.thresholds.critical,
      })
    } else {
      relative.push(rule.id)
    }
  }
  return {
    id,
    metric: row.metric,
    attribute,
    reference_group: across || row.reference_group === '' ? null : row.reference_group,
    thresholds,
    relative_rules: relative,
    series: [],
  }
}

function openRecords(
  nonconformities: readonly Nonconformity[],
  incidents: readonly Incident[],
  now: Date,
): OverviewRecord[] {
  const age = (iso: string) => Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000))
  const byId = new Map(nonconformities.map((nc) => [nc.id, nc]))
  const records: OverviewRecord[] = nonconformities.map((nc) => ({
    kind: 'nonconformity',
    id: nc.id,
    model_id: nc.modelId,
    title: nc.title,
    rule_id: nc.ruleId,
    scope: nc.scopeKey,
    severity: nc.breach.severity,
    status: nc.status,
    opened_at: nc.raisedAt,
    age_seconds: age(nc.raisedAt),
    due_at: nc.dueDate,
    article_73_due_at: null,
  }))
  for (const incident of incidents) {
    // An incident names no rule itself; it takes them from the nonconformities it links.
    const linked = incident.nonconformityIds
      .map((id) => byId.get(id))
      .filter((nc): nc is Nonconformity => nc !== undefined)
    const join = (values: string[]) => (values.length > 0 ? [...new Set(values)].join(', ') : null)
    records.push({
      kind: 'incident',
      id: incident.id,
      model_id: incident.modelId,
      title: incident.title,
      rule_id: join(linked.map((nc) => nc.ruleId)),
      scope: join(linked.map((nc) => nc.scopeKey)),
      severity: incident.severity,
      status: incident.status,
      opened_at: incident.openedAt,
      age_seconds: age(incident.openedAt),
      due_at: null,
      article_73_due_at: incident.serious?.reportDueAt ?? null,
    })
  }
  return records
}
