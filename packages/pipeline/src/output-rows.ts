import type { WindowMetrics } from '@fairwatch/store'

/** One metric as replay prints it and the API returns it: snake_case, times in RFC 3339. */
export interface MetricOutputRow {
  model_id: string
  window_size: string
  window_start: string
  window_end: string
  attribute: string
  group: string | null
  scope: string
  metric: string
  value: number | null
  numerator: number | null
  denominator: number | null
  ci_low: number | null
  ci_high: number | null
  p_value: number | null
  reference_group: string | null
  sample_size: number
  insufficient_evidence: boolean
  reason: string | null
}

/** Flattens window metrics into output rows, in the order the windows and rows come. */
export function metricOutputRows(windows: readonly WindowMetrics[]): MetricOutputRow[] {
  const rows: MetricOutputRow[] = []
  for (const window of windows) {
    const windowStart = new Date(window.windowStart).toISOString()
    const windowEnd = new Date(window.windowEnd).toISOString()
    for (const row of window.rows) {
      rows.push({
        model_id: window.modelId,
        window_size: window.windowSize,
        window_start: windowStart,
        window_end: windowEnd,
        attribute: row.attribute,
        group: row.group,
        scope: row.scope,
        metric: row.metric,
        value: row.value,
        numerator: row.numerator,
        denominator: row.denominator,
        ci_low: row.ciLow,
        ci_high: row.ciHigh,
        p_value: row.pValue,
        reference_group: row.referenceGroup,
        sample_size: row.sampleSize,
        insufficient_evidence: row.insufficientEvidence,
        reason: row.reason,
      })
    }
  }
  return rows
}
