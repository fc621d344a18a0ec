import type { ClickHouseClient } from '@clickhouse/client'

import { stagedFileOf } from './client.ts'
import { rowsOf } from './query-rows.ts'
import { escapeTsv } from './tsv.ts'

/** Models that have stored predictions. */
export async function listModels(client: ClickHouseClient, database: string): Promise<string[]> {
  const rows = await rowsOf<{ model_id: string }>(
    client,
    `SELECT DISTINCT model_id FROM ${database}.predictions ORDER BY model_id`,
    {},
    'listing models',
  )
  return rows.map((row) => row.model_id)
}

/**
 * Most prediction ids one look-up names as a parameter (server clients): parameters stay well
 * under the 1 MiB a ClickHouse server accepts in a request's URL.
 */
const IDS_PER_PARAMETER = 20_000

/**
 * Starts (epoch ms) of the windows of `sizeMs` that hold the given predictions of a model: the
 * windows an outcome for them revises. On the embedded engine the ids are read from a staging
 * file in one query, however many there are (the engine parses a long list given as a parameter
 * several times slower); a server gets them in parameters of at most 20,000 ids, one query each.
 */
export async function windowsOfPredictions(
  client: ClickHouseClient,
  database: string,
  modelId: string,
  predictionIds: readonly string[],
  sizeMs: number | null,
): Promise<number[]> {
  if (predictionIds.length === 0) return []
  const start =
    sizeMs === null
      ? 'toInt64(0)'
      : 'intDiv(toUnixTimestamp64Milli(event_time), {size:Int64}) * {size:Int64}'
  const lookUp = (idSource: string, params: Record<string, unknown>) =>
    rowsOf<{ window_start: string }>(
      client,
      `SELECT DISTINCT ${start} AS window_start FROM ${database}.predictions
       WHERE model_id = {model:String} AND prediction_id IN ${idSource}`,
      { model: modelId, size: sizeMs ?? 0, ...params },
      `finding windows of predictions of model ${modelId}`,
    )

  const starts = new Set<number>()
  const staged = stagedFileOf(client)
  if (staged) {
    let body = ''
    for (const id of predictionIds) body += `${escapeTsv(id)}\n`
    const rows = await staged(body, (file) =>
      lookUp(`(SELECT id FROM file(${file}, TabSeparated, 'id String'))`, {}),
    )
    for (const row of rows) starts.add(Number(row.window_start))
  } else {
    for (let i = 0; i < predictionIds.length; i += IDS_PER_PARAMETER) {
      const ids = predictionIds.slice(i, i + IDS_PER_PARAMETER)
      const rows = await lookUp('{ids:Array(String)}', { ids })
      for (const row of rows) starts.add(Number(row.window_start))
    }
  }
  return [...starts]
}

/** Per model, how many distinct predictions have outcomes but no stored prediction. */
export async function countOrphanOutcomes(
  client: ClickHouseClient,
  database: string,
): Promise<Map<string, number>> {
  const rows = await rowsOf<{ model_id: string; orphans: string }>(
    client,
    `SELECT model_id, uniqExact(prediction_id) AS orphans
     FROM ${database}.outcomes AS o
     LEFT ANTI JOIN (SELECT DISTINCT model_id, prediction_id FROM ${database}.predictions) AS p
       ON o.model_id = p.model_id AND o.prediction_id = p.prediction_id
     GROUP BY model_id`,
    {},
    'counting orphan outcomes',
  )
  return new Map(rows.map((row) => [row.model_id, Number(row.orphans)]))
}

/**
 * Per model, how many distinct stored predictions have no stored outcome yet. Reads every
 * prediction id, so callers refresh it on a slow timer rather than per batch.
 */
export async function countPredictionsAwaitingOutcome(
  client: ClickHouseClient,
  database: string,
): Promise<Map<string, number>> {
  const rows = await rowsOf<{ model_id: string; awaiting: string }>(
    client,
    `SELECT model_id, uniqExact(prediction_id) AS awaiting
     FROM ${database}.predictions AS p
     LEFT ANTI JOIN (SELECT DISTINCT model_id, prediction_id FROM ${database}.outcomes) AS o
       ON p.model_id = o.model_id AND p.prediction_id = o.prediction_id
     GROUP BY model_id`,
    {},
    'counting predictions awaiting an outcome',
  )
  return new Map(rows.map((row) => [row.model_id, Number(row.awaiting)]))
}

/** Stored event counts: rows received and distinct events, per kind. */
export interface EventTotals {
  predictionEvents: number
  distinctPredictions: number
  outcomeEvents: number
  distinctOutcomeEvents: number
}

/** Counts what the store holds; duplicates are the difference of events and distinct ones. */
export async function eventTotals(
  client: ClickHouseClient,
  database: string,
): Promise<EventTotals> {
  const [row] = await rowsOf<Record<string, string>>(
    client,
    `SELECT
      (SELECT count() FROM ${database}.predictions) AS prediction_events,
      (SELECT uniqExact(model_id, prediction_id) FROM ${database}.predictions)
        AS distinct_predictions,
      (SELECT count() FROM ${database}.outcomes) AS outcome_events,
      (SELECT uniqExact(model_id, event_id) FROM ${database}.outcomes) AS distinct_outcome_events`,
    {},
    'counting stored events',
  )
  return {
    predictionEvents: Number(row?.prediction_events ?? 0),
    distinctPredictions: Number(row?.distinct_predictions ?? 0),
    outcomeEvents: Number(row?.outcome_events ?? 0),
    distinctOutcomeEvents: Number(row?.distinct_outcome_events ?? 0),
  }
}

/** The table that holds events of one kind. */
function eventTable(kind: 'prediction' | 'outcome'): string {
  return kind === 'prediction' ? 'predictions' : 'outcomes'
}

/**
 * Which of the given event ids of one kind are already stored (in `predictions` or `outcomes`).
 * Uses the event id skip index of store migration 3. Throws StoreError.
 */
export async function storedEventIds(
  client: ClickHouseClient,
  database: string,
  kind: 'prediction' | 'outcome',
  eventIds: readonly string[],
): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set()
  const table = eventTable(kind)
  const rows = await rowsOf<{ event_id: string }>(
    client,
    `SELECT DISTINCT event_id FROM ${database}.${table} WHERE event_id IN {ids:Array(String)}`,
    { ids: eventIds },
    `looking up stored ${kind} event ids`,
  )
  return new Set(rows.map((row) => row.event_id))
}

/**
 * Every stored event id of one kind, in pages of about `pageRows` ids (default 200 000), so that
 * a caller can index a large store without holding all its ids at once. Each page reads one
 * monthly partition, or a hash slice of one when the partition holds more ids than a page. An id
 * stored more than once (a duplicate that reached the store) may come more than once. Ids stored
 * while the pages are read may or may not be included. Throws StoreError.
 */
export async function* storedEventIdPages(
  client: ClickHouseClient,
  database: string,
  kind: 'prediction' | 'outcome',
  pageRows = 200_000,
): AsyncGenerator<string[]> {
  const table = `${database}.${eventTable(kind)}`
  const partitions = await rowsOf<{ partition: string; rows: string }>(
    client,
    `SELECT _partition_id AS partition, count() AS rows FROM ${table} GROUP BY partition
     ORDER BY partition`,
    {},
    `counting stored ${kind} event ids`,
  )
  for (const { partition, rows } of partitions) {
    const slices = Math.max(1, Math.ceil(Number(rows) / pageRows))
    for (let slice = 0; slice < slices; slice += 1) {
      const page = await rowsOf<{ event_id: string }>(
        client,
        `SELECT event_id FROM ${table}
         WHERE _partition_id = {partition:String}
           AND cityHash64(event_id) % {slices:UInt32} = {slice:UInt32}`,
        { partition, slices, slice },
        `reading stored ${kind} event ids`,
      )
      yield page.map((row) => row.event_id)
    }
  }
}
