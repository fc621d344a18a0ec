import type { ClickHouseClient } from '@clickhouse/client'
import type { GroupCounts } from '@fairwatch/metrics'

import { toStoreError } from './errors.ts'

/** What to count for one model. */
export interface WindowCountsQuery {
  modelId: string
  /** Window length in milliseconds, aligned to the Unix epoch (UTC); null for one window over all. */
  windowSizeMs: number | null
  /** Count only these windows (their starts, epoch ms). Absent: every window of the model. */
  windowStarts?: readonly number[]
  /** Attributes to report. Absent: every attribute present on the model's predictions. */
  attributes?: readonly string[]
  /** Intersections to report, each a list of attribute names. */
  intersections?: readonly (readonly string[])[]
  /** Joins the names, and the labels, of an intersection. */
  intersectionSeparator: string
}

/** Counts of one window: all predictions, and per attribute (or intersection) per group. */
export interface WindowCounts {
  windowStart: number
  totals: GroupCounts
  /** attribute → group label → counts. Predictions lacking the attribute are in no group. */
  attributes: Map<string, Map<string, GroupCounts>>
}

/** The counts of the requested windows, and the revision they describe. */
export interface WindowCountsResult {
  /**
   * The engine's clock when the counting query started (ISO, microseconds). A later revision of
   * a window always includes every event stored before it was taken.
   */
  revision: string
  windows: WindowCounts[]
}

interface CountsRow {
  window_start: string
  attribute: string
  group_label: string
  predictions: string
  selected: string
  labelled: string
  tp: string
  fp: string
  tn: string
  fn: string
  scored: string
  score_sum: number
  labelled_scored: string
  labelled_score_sum: number
  labelled_scored_positives: string
  revision: string
}

function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function pairsExpression(query: WindowCountsQuery): string {
  const keys = query.attributes
    ? `arrayFilter(k -> has({attributes:Array(String)}, k), mapKeys(attributes))`
    : 'mapKeys(attributes)'
  const parts = [
    "[tuple('', '')]",
    `arrayMap(k -> tuple(toString(k), toString(attributes[k])), ${keys})`,
  ]

  const sep = sqlString(query.intersectionSeparator)
  const intersections = (query.intersections ?? []).map((names) => {
    const present = names.map((name) => `mapContains(attributes, ${sqlString(name)})`).join(' AND ')
    const label = names.map((name) => `toString(attributes[${sqlString(name)}])`).join(`, ${sep}, `)
    const attribute = sqlString(names.join(query.intersectionSeparator))
    return `tuple(${attribute}, if(${present}, concat(${label}), ''))`
  })
  if (intersections.length > 0) {
    parts.push(`arrayFilter(x -> tupleElement(x, 2) != '', [${intersections.join(', ')}])`)
  }
  return `arrayConcat(${parts.join(', ')})`
}

function countsSql(database: string, query: WindowCountsQuery): string {
  const windowExpr =
    query.windowSizeMs === null
      ? 'toInt64(0)'
      : `intDiv(toUnixTimestamp64Milli(tupleElement(latest, 1)), {size:Int64}) * {size:Int64}`
  const timeFilter = query.windowStarts
    ? `AND event_time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND event_time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
    : ''
  const windowFilter = query.windowStarts ? 'WHERE window_start IN {starts:Array(Int64)}' : ''

  return `
    WITH
      p AS (
        SELECT prediction_id,
          argMax(tuple(event_time, decision, score, attributes), tuple(event_time, event_id)) AS latest
        FROM ${database}.predictions
        WHERE model_id = {model:String} ${timeFilter}
        GROUP BY prediction_id
      ),
      o AS (
        SELECT prediction_id, argMax(outcome, tuple(event_time, event_id)) AS outcome
        FROM ${database}.outcomes
        WHERE model_id = {model:String} AND prediction_id IN (SELECT prediction_id FROM p)
        GROUP BY prediction_id
      )
    SELECT
      window_start,
      tupleElement(pair, 1) AS attribute,
      tupleElement(pair, 2) AS group_label,
      count() AS predictions,
      countIf(decision = 1) AS selected,
      countIf(outcome IS NOT NULL) AS labelled,
      countIf(decision = 1 AND outcome = 1) AS tp,
      countIf(decision = 1 AND outcome = 0) AS fp,
      countIf(decision = 0 AND outcome = 0) AS tn,
      countIf(decision = 0 AND outcome = 1) AS fn,
      countIf(score IS NOT NULL) AS scored,
      sumIf(assumeNotNull(score), score IS NOT NULL) AS score_sum,
      countIf(score IS NOT NULL AND outcome IS NOT NULL) AS labelled_scored,
      sumIf(assumeNotNull(score), score IS NOT NULL AND outcome IS NOT NULL) AS labelled_score_sum,
      countIf(score IS NOT NULL AND outcome = 1) AS labelled_scored_positives,
      toString(now64(6, 'UTC')) AS revision
    FROM (
      SELECT
        ${windowExpr} AS window_start,
        tupleElement(latest, 2) AS decision,
        tupleElement(latest, 3) AS score,
        tupleElement(latest, 4) AS attributes,
        o.outcome AS outcome
      FROM p LEFT JOIN o ON p.prediction_id = o.prediction_id
      ${windowFilter}
    )
    ARRAY JOIN ${pairsExpression(query)} AS pair
    GROUP BY window_start, attribute, group_label
    SETTINGS join_use_nulls = 1`
}

function toCounts(row: CountsRow): GroupCounts {
  return {
    predictions: Number(row.predictions),
    selected: Number(row.selected),
    labelled: Number(row.labelled),
    tp: Number(row.tp),
    fp: Number(row.fp),
    tn: Number(row.tn),
    fn: Number(row.fn),
    scored: Number(row.scored),
    scoreSum: Number(row.score_sum),
    labelledScored: Number(row.labelled_scored),
    labelledScoreSum: Number(row.labelled_score_sum),
    labelledScoredPositives: Number(row.labelled_scored_positives),
  }
}

/**
 * Counts, per window and group, the latest version of every prediction joined with the latest
 * outcome of each (a later outcome replaces an earlier one). Outcomes whose prediction is not
 * stored are not counted here; see countOrphanOutcomes. Throws StoreError.
 */
export async function queryWindowCounts(
  client: ClickHouseClient,
  database: string,
  query: WindowCountsQuery,
): Promise<WindowCountsResult> {
  const starts = query.windowStarts ?? []
  const size = query.windowSizeMs ?? 0
  if (query.windowStarts && starts.length === 0) return { revision: '', windows: [] }

  let rows: CountsRow[]
  try {
    const result = await client.query({
      query: countsSql(database, query),
      format: 'JSONEachRow',
      query_params: {
        model: query.modelId,
        size,
        attributes: query.attributes ?? [],
        starts,
        from: starts.length ? Math.min(...starts) : 0,
        to: starts.length ? Math.max(...starts) + size : 0,
      },
    })
    rows = await result.json<CountsRow>()
  } catch (err) {
    throw toStoreError(err, `counting windows of model ${query.modelId}`)
  }

  return groupRows(rows)
}

function groupRows(rows: CountsRow[]): WindowCountsResult {
  const windows = new Map<number, WindowCounts>()
  let revision = ''
  for (const row of rows) {
    revision = row.revision
    const start = Number(row.window_start)
    let window = windows.get(start)
    if (!window) {
      window = { windowStart: start, totals: toCounts(row), attributes: new Map() }
      windows.set(start, window)
    }
    if (row.attribute === '') {
      window.totals = toCounts(row)
      continue
    }
    let groups = window.attributes.get(row.attribute)
    if (!groups) {
      groups = new Map()
      window.attributes.set(row.attribute, groups)
    }
    groups.set(row.group_label, toCounts(row))
  }
  const sorted = [...windows.values()].sort((a, b) => a.windowStart - b.windowStart)
  return { revision, windows: sorted }
}
