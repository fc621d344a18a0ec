import type { ClickHouseClient } from '@clickhouse/client'

import { rowsOf } from './query-rows.ts'

/** Which windows of which model to count. */
export interface WindowCellsQuery {
  modelId: string
  /** Window length in ms, aligned to the Unix epoch (UTC); null for one window over everything. */
  windowSizeMs: number | null
  /** Count only these windows (their starts, epoch ms). Absent: every window of the model. */
  windowStarts?: readonly number[]
  /**
   * Most prediction events one run of the count reads; absent, one run reads them all. Runs go
   * one after another, each over the predictions whose id hashes into it, and their cells are
   * added up. The engine holds the latest event of every prediction of a run while it counts
   * (about 1.3 KB each), so runs bound its memory, at the price of reading every event once
   * per run.
   */
  eventsPerRun?: number
}

/**
 * Predictions of one window that share every attribute label, the decision and the outcome
 * (null while unlabelled): the finest counts a window breaks into. Any group or intersection of
 * groups is a sum of cells.
 */
export interface WindowCell {
  windowStart: number
  attributes: Record<string, string>
  decision: 0 | 1
  outcome: 0 | 1 | null
  predictions: number
  scored: number
  scoreSum: number
}

/** The cells of the requested windows, and the revision they describe. */
export interface WindowCellsResult {
  /**
   * The engine's clock when the counting query started (ISO, microseconds). A later revision of
   * a window always includes every event stored before it was taken.
   */
  revision: string
  cells: WindowCell[]
}

interface CellRow {
  window_start: string
  attribute_set: string
  decision: number
  outcome: number | null
  predictions: string
  scored: string
  score_sum: number
  revision: string
}

/**
 * An event's place in the order (event time, event id) as one string: the time in milliseconds
 * since -0001-12-31 as 15 digits, then the event id. Every time the contract accepts (years 0000
 * to 9999, offsets under a day) is positive on that scale and fits in 15 digits, and strings
 * compare byte by byte, so this orders exactly like the pair.
 */
const SHIFTED_MS = 'toUInt64(toUnixTimestamp64Milli(event_time) + 62167305600000)'
const VERSION = `concat(leftPad(toString(${SHIFTED_MS}), 15, '0'), event_id)`

/** An event in the time range given by the query parameters `from` and `to` (epoch ms). */
const IN_RANGE = `event_time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
  AND event_time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`

/** How a count runs: in how many runs, and whether it first narrows to the requested range. */
interface CountPlan {
  /**
   * Counts only the predictions with an event in the time range of the requested windows.
   * Finding them reads that range and tests every event of both tables against the set found,
   * which costs more than it saves once the range holds a good part of the model's events.
   */
  narrow: boolean
  runs: number
}

function cellsSql(database: string, query: WindowCellsQuery, plan: CountPlan, run: number): string {
  const windowStart =
    query.windowSizeMs === null
      ? 'toInt64(0)'
      : 'intDiv(toUnixTimestamp64Milli(latest_time), {size:Int64}) * {size:Int64}'
  const bounded = plan.narrow
  const timeFilter = bounded ? `AND ${IN_RANGE}` : ''
  // Every event of a prediction seen in the requested range takes part, wherever its time falls,
  // so the latest event decides the prediction's window in a partial recount as in a full one.
  const idFilter = bounded
    ? `AND prediction_id IN (SELECT prediction_id FROM ${database}.predictions
         WHERE model_id = {model:String} ${timeFilter})`
    : ''
  // The windows between the first and the last requested; countRun keeps only those requested.
  // A list of them as a parameter would grow with the windows, and in the URL on a server.
  const windowFilter =
    query.windowStarts && query.windowSizeMs !== null
      ? 'WHERE window_start >= {from:Int64} AND window_start < {to:Int64}'
      : ''
  // Every event of a prediction hashes into the same run. Whole numbers, written in place.
  const runFilter = plan.runs > 1 ? `AND cityHash64(prediction_id) % ${plan.runs} = ${run}` : ''

  // One pass over the window's predictions and their outcomes, grouped by prediction: no join.
  // The latest prediction event and the latest outcome (by event time, then event id) win, so
  // duplicates count once and a later outcome replaces an earlier one. `version` orders events
  // exactly like the pair (event time, event id): the time as fixed-width digits, then the id.
  // One argMax per column with this string key costs the engine about half of one argMax of a
  // tuple ordered by a tuple.
  return `
    SELECT
      window_start,
      attribute_set,
      decision,
      outcome,
      count() AS predictions,
      countIf(score IS NOT NULL) AS scored,
      sum(ifNull(score, 0)) AS score_sum,
      toString(now64(6, 'UTC')) AS revision
    FROM (
      SELECT
        ${windowStart} AS window_start,
        latest_decision AS decision,
        latest_score AS score,
        latest_attribute_set AS attribute_set,
        if(labelled, latest_outcome, NULL) AS outcome
      FROM (
        SELECT
          prediction_id,
          argMaxIf(event_time, version, is_prediction = 1) AS latest_time,
          argMaxIf(decision, version, is_prediction = 1) AS latest_decision,
          argMaxIf(score, version, is_prediction = 1) AS latest_score,
          argMaxIf(attribute_set, version, is_prediction = 1) AS latest_attribute_set,
          argMaxIf(outcome, version, is_prediction = 0) AS latest_outcome,
          countIf(is_prediction = 0) > 0 AS labelled,
          countIf(is_prediction = 1) > 0 AS predicted
        FROM (
          SELECT prediction_id, event_time, ${VERSION} AS version, toUInt8(1) AS is_prediction,
            decision, score, attribute_set, toUInt8(0) AS outcome
          FROM ${database}.predictions
          WHERE model_id = {model:String} ${runFilter} ${idFilter}
          UNION ALL
          SELECT prediction_id, event_time, ${VERSION}, toUInt8(0), toUInt8(0),
            CAST(NULL, 'Nullable(Float64)'), toLowCardinality(''), outcome
          FROM ${database}.outcomes
          WHERE model_id = {model:String} ${runFilter} ${idFilter}
        )
        GROUP BY prediction_id
        HAVING predicted
      )
      ${windowFilter}
    )
    GROUP BY window_start, attribute_set, decision, outcome`
}

/**
 * Counts the latest version of every prediction of the requested windows, joined with its latest
 * outcome, as cells. Outcomes whose prediction is not stored are left out here (see
 * countOrphanOutcomes). With several runs, the revision is the first run's: every event stored
 * before it began is counted. Throws StoreError.
 */
export async function queryWindowCells(
  client: ClickHouseClient,
  database: string,
  query: WindowCellsQuery,
): Promise<WindowCellsResult> {
  const starts = query.windowStarts ?? []
  if (query.windowStarts && starts.length === 0) return { revision: '', cells: [] }
  const plan = await planCount(client, database, query)
  let revision = ''
  const cells = new Map<string, KeyedCell>()
  const attributeSets = new Map<string, Record<string, string>>()
  for (let run = 0; run < plan.runs; run += 1) {
    const counted = await countRun(client, database, query, plan, run, attributeSets)
    // Every run but an empty one has the clock; the first such run's is the earliest.
    if (revision === '') revision = counted.revision
    for (const cell of counted.cells) {
      const key = `${cell.windowStart}\t${cell.decision}\t${cell.outcome}\t${cell.attributeSet}`
      const known = cells.get(key)
      if (!known) {
        cells.set(key, cell)
        continue
      }
      known.predictions += cell.predictions
      known.scored += cell.scored
      known.scoreSum += cell.scoreSum
    }
  }
  return { revision, cells: [...cells.values()].map(withoutAttributeSet) }
}

/** A cell with its attributes as the store holds them (JSON), by which runs' cells are added up. */
type KeyedCell = WindowCell & { attributeSet: string }

function withoutAttributeSet(cell: KeyedCell): WindowCell {
  const { attributeSet: _, ...rest } = cell
  return rest
}

/**
 * Narrows to the requested windows' time range when it holds at most half of the model's
 * prediction events, and splits what is read into runs of at most `eventsPerRun`. The single
 * window over everything has no range to narrow to.
 */
async function planCount(
  client: ClickHouseClient,
  database: string,
  query: WindowCellsQuery,
): Promise<CountPlan> {
  const starts = query.windowStarts ?? []
  const size = query.windowSizeMs
  const ranged = starts.length > 0 && size !== null
  if (!ranged && query.eventsPerRun === undefined) return { narrow: false, runs: 1 }
  const [row] = await rowsOf<{ in_range: string; events: string }>(
    client,
    `SELECT ${ranged ? `countIf(${IN_RANGE})` : 'count()'} AS in_range, count() AS events
     FROM ${database}.predictions WHERE model_id = {model:String}`,
    { model: query.modelId, ...rangeOf(starts, size ?? 0) },
    `counting prediction events of model ${query.modelId}`,
  )
  const events = Number(row?.events ?? 0)
  const inRange = Number(row?.in_range ?? 0)
  const narrow = ranged && inRange * 2 <= events
  const read = narrow ? inRange : events
  const perRun = query.eventsPerRun
  return { narrow, runs: perRun ? Math.max(1, Math.ceil(read / Math.max(1, perRun))) : 1 }
}

/** The time range of the windows starting at `starts`, as query parameters (epoch ms). */
function rangeOf(starts: readonly number[], size: number): { from: number; to: number } {
  if (starts.length === 0) return { from: 0, to: 0 }
  let from = Infinity
  let to = -Infinity
  for (const start of starts) {
    from = Math.min(from, start)
    to = Math.max(to, start + size)
  }
  return { from, to }
}

async function countRun(
  client: ClickHouseClient,
  database: string,
  query: WindowCellsQuery,
  plan: CountPlan,
  run: number,
  attributeSets: Map<string, Record<string, string>>,
): Promise<{ revision: string; cells: KeyedCell[] }> {
  const starts = query.windowStarts ?? []
  const size = query.windowSizeMs ?? 0
  const rows = await rowsOf<CellRow>(
    client,
    cellsSql(database, query, plan, run),
    { model: query.modelId, size, ...rangeOf(starts, size) },
    `counting windows of model ${query.modelId}`,
  )

  const wanted = query.windowStarts && query.windowSizeMs !== null ? new Set(starts) : null
  let revision = ''
  const cells: KeyedCell[] = []
  for (const row of rows) {
    revision = row.revision
    const windowStart = Number(row.window_start)
    if (wanted && !wanted.has(windowStart)) continue
    let attributes = attributeSets.get(row.attribute_set)
    if (!attributes) {
      attributes = JSON.parse(row.attribute_set) as Record<string, string>
      attributeSets.set(row.attribute_set, attributes)
    }
    cells.push({
      windowStart,
      attributes,
      attributeSet: row.attribute_set,
      decision: row.decision === 1 ? 1 : 0,
      outcome: row.outcome === null ? null : row.outcome === 1 ? 1 : 0,
      predictions: Number(row.predictions),
      scored: Number(row.scored),
      scoreSum: Number(row.score_sum),
    })
  }
  return { revision, cells }
}
