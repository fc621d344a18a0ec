import type { ClickHouseClient } from '@clickhouse/client'
import type { MetricRow } from '@fairwatch/metrics'

import { insertRows } from './row-insert.ts'
import { escapeTsv, tsvNullable, tsvTime } from './tsv.ts'

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

/** The columns every row of a window shares, encoded once per window. */
function windowPrefix(window: WindowMetrics): string {
  return (
    `${window.modelId}\t${escapeTsv(window.windowSize)}\t` +
    `${tsvTime(window.windowStart)}\t${tsvTime(window.windowEnd)}\t`
  )
}

function rowLine(prefix: string, revision: string, row: MetricRow): string {
  return (
    prefix +
    [
      escapeTsv(row.attribute),
      escapeTsv(row.group ?? ''),
      row.scope,
      row.metric,
      tsvNullable(row.value),
      tsvNullable(row.numerator),
      tsvNullable(row.denominator),
      tsvNullable(row.ciLow),
      tsvNullable(row.ciHigh),
      tsvNullable(row.pValue),
      escapeTsv(row.referenceGroup ?? ''),
      String(row.sampleSize),
      row.insufficientEvidence ? '1' : '0',
      row.reason ?? '',
      revision,
    ].join('\t')
  )
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
  let body = ''
  for (const window of windows) {
    const prefix = windowPrefix(window)
    for (const row of window.rows) body += rowLine(prefix, window.revision, row) + '\n'
  }
  if (body.length === 0) return

  await insertRows(client, {
    table: `${database}.metric_revisions`,
    columns: COLUMNS,
    format: 'TabSeparated',
    body,
    token: '',
  })
}
