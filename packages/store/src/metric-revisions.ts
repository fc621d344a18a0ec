import type { ClickHouseClient } from '@clickhouse/client'
import type { MetricRow } from '@fairwatch/metrics'

import { StoreError } from './errors.ts'
import { insertRows } from './row-insert.ts'
import { RowBinaryWriter } from './row-binary.ts'

/** The metrics of one window of one model, as computed at one revision. */
export interface WindowMetrics {
  modelId: string
  /** Window size label: `1h`, `1d`, `7d`, … or `all`. */
  windowSize: string
  /** Epoch milliseconds (UTC). */
  windowStart: number
  windowEnd: number
  /** Share of the window's predictions that have an outcome, 0..1; null for an empty window. */
  labelCoverage: number | null
  /** See WindowCellsResult.revision. */
  revision: string
  rows: readonly MetricRow[]
}

const REVISION = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/

/**
 * A revision (the engine's clock as `YYYY-MM-DD hh:mm:ss.ffffff`, UTC) as microseconds since the
 * Unix epoch, the RowBinary form of a DateTime64(6). Throws StoreError when it is none.
 */
function revisionMicros(revision: string): number {
  const parts = REVISION.exec(revision)
  if (!parts) {
    throw new StoreError('FW_STORE_QUERY_FAILED', `"${revision}" is not a metric revision time`, {
      retriable: false,
    })
  }
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as number[]
  const millis = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second)
  return millis * 1000 + Number((parts[7] ?? '').padEnd(6, '0'))
}

function writeRows(out: RowBinaryWriter, window: WindowMetrics): void {
  const revision = revisionMicros(window.revision)
  for (const row of window.rows) {
    out.string(window.modelId)
    out.string(window.windowSize)
    out.int64(window.windowStart)
    out.int64(window.windowEnd)
    out.string(row.attribute)
    out.string(row.group ?? '')
    out.string(row.scope)
    out.string(row.metric)
    out.nullableFloat64(row.value)
    out.nullableFloat64(row.numerator)
    out.nullableFloat64(row.denominator)
    out.nullableFloat64(row.ciLow)
    out.nullableFloat64(row.ciHigh)
    out.nullableFloat64(row.pValue)
    out.string(row.referenceGroup ?? '')
    out.int64(row.sampleSize)
    out.uint8(row.insufficientEvidence ? 1 : 0)
    out.string(row.reason ?? '')
    out.int64(revision)
  }
}

const COLUMNS = [
  'model_id',
  'window_size',
  'window_start',
  'window_end',
  'attribute',
  'group_label',
  'scope',
  'metric',
  'value',
  'numerator',
  'denominator',
  'ci_low',
  'ci_high',
  'p_value',
  'reference_group',
  'sample_size',
  'insufficient_evidence',
  'reason',
  'revision',
] as const

/**
 * Appends a revision of each window's metrics. Earlier revisions stay in `metric_revisions`;
 * the view `metrics_current` shows each window's latest. Throws StoreError.
 */
export async function writeMetricRevisions(
  client: ClickHouseClient,
  database: string,
  windows: readonly WindowMetrics[],
): Promise<void> {
  const out = new RowBinaryWriter(1 << 16)
  for (const window of windows) writeRows(out, window)
  if (out.length === 0) return

  await insertRows(client, {
    table: `${database}.metric_revisions`,
    columns: COLUMNS,
    format: 'RowBinary',
    body: out.bytes(),
    token: '',
  })
}
