import { describe, expect, it } from 'vitest'

import {
  loadDashboards,
  panelsOf,
  provisionedDataSources,
  referencedVariables,
  variableQuery,
  variablesOf,
} from './dashboard-files.ts'
import type { DataSourceRef, Panel } from './dashboard-files.ts'
import { expandQuery, QueryExpansionError } from './grafana-query.ts'

/** Prometheus metric names shared across the services (histograms as their base name). */
const SHARED_METRICS = new Set([
  'fairwatch_events_consumed_total',
  'fairwatch_events_ingested_total',
  'fairwatch_events_rejected_total',
  'fairwatch_events_dead_lettered_total',
  'fairwatch_batch_size',
  'fairwatch_store_insert_seconds',
  'fairwatch_store_failures_total',
  'fairwatch_store_available',
  'fairwatch_retries_total',
  'fairwatch_consumer_lag',
  'fairwatch_last_batch_timestamp_seconds',
  'fairwatch_consumer_paused',
  'fairwatch_predictions_awaiting_outcome',
  'fairwatch_windows_recomputed_total',
  'fairwatch_windows_pending',
  'fairwatch_evaluations_total',
  'fairwatch_open_incidents',
  'fairwatch_open_nonconformities',
  'fairwatch_http_requests_total',
  'fairwatch_http_request_duration_seconds',
])

const dashboards = loadDashboards()
const sources = provisionedDataSources()

function sourcesOf(panel: Panel): DataSourceRef[] {
  return [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)].filter(
    (ref): ref is DataSourceRef => ref !== undefined,
  )
}

function textsOf(panel: Panel): string[] {
  return [panel.title ?? '', ...(panel.targets ?? []).map((t) => t.rawSql ?? t.expr ?? '')]
}

describe('dashboard files', () => {
  it('holds the four Fairwatch dashboards with distinct uids', () => {
    const uids = dashboards.map((d) => d.dashboard.uid)

    expect(dashboards.map((d) => d.file)).toEqual([
      'fairness-overview.json',
      'model-drill-down.json',
      'nonconformities-incidents.json',
      'pipeline-health.json',
    ])
    expect(new Set(uids).size).toBe(uids.length)
  })

  it('provisions a ClickHouse and a Prometheus data source under the uids panels use', () => {
    expect(sources.get('fairwatch-clickhouse')?.type).toBe('grafana-clickhouse-datasource')
    expect(sources.get('fairwatch-prometheus')?.type).toBe('prometheus')
  })
})

describe.each(dashboards)('$file', ({ dashboard }) => {
  const panels = panelsOf(dashboard)
  const variables = variablesOf(dashboard)
  const names = variables.map((v) => v.name)

  it('has a uid, a title, panels and a variable list', () => {
    expect(typeof dashboard.uid).toBe('string')
    expect(typeof dashboard.title).toBe('string')
    expect(panels.length).toBeGreaterThan(0)
    expect(Array.isArray(dashboard.templating?.list)).toBe(true)
  })

  it('gives every panel, rows included, a distinct integer id', () => {
    const ids = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id)

    expect(ids.every((id) => Number.isInteger(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('places every panel inside the 24-column grid', () => {
    for (const panel of panels) {
      const pos = panel.gridPos
      expect(pos, panel.title).toBeDefined()
      expect(pos && pos.x >= 0 && pos.w > 0 && pos.x + pos.w <= 24 && pos.h > 0, panel.title).toBe(
        true,
      )
    }
  })

  it('names only provisioned data sources, with their provisioned type', () => {
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
      for (const ref of sourcesOf(panel)) {
        const source = ref.uid ? sources.get(ref.uid) : undefined
        expect(source, `${panel.title}: data source ${ref.uid}`).toBeDefined()
        expect(ref.type, `${panel.title}: type of ${ref.uid}`).toBe(source?.type)
      }
    }
    for (const variable of variables) {
      expect(sources.has(variable.datasource?.uid ?? ''), variable.name).toBe(true)
    }
  })

  it('gives every target a distinct refId and a query', () => {
    for (const panel of panels) {
      const refIds = (panel.targets ?? []).map((t) => t.refId)
      expect(new Set(refIds).size, panel.title).toBe(refIds.length)
      for (const target of panel.targets ?? []) {
        expect((target.rawSql ?? target.expr ?? '').trim(), panel.title).not.toBe('')
      }
    }
  })

  it('refers only to variables it defines, each after the variables it depends on', () => {
    for (const panel of panels) {
      for (const text of textsOf(panel)) {
        for (const name of referencedVariables(text)) {
          expect(names, `${panel.title} uses $${name}`).toContain(name)
        }
      }
      if (panel.repeat) {
        const repeated = variables.find((v) => v.name === panel.repeat)
        expect(repeated?.multi, `${panel.title} repeats over $${panel.repeat}`).toBe(true)
      }
    }
    variables.forEach((variable, index) => {
      expect(variableQuery(variable).trim(), variable.name).not.toBe('')
      for (const name of referencedVariables(variableQuery(variable))) {
        expect(names.slice(0, index), `$${variable.name} depends on $${name}`).toContain(name)
      }
    })
  })

  it('uses only macros the ClickHouse data source expands', () => {
    const context = {
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-01-02T00:00:00Z'),
      intervalMs: 60_000,
      variables: Object.fromEntries(names.map((n) => [n ?? '', ['x']])),
    }

    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.rawSql === undefined) continue
        expect(() => expandQuery(target.rawSql ?? '', context), panel.title).not.toThrow()
      }
    }
    for (const variable of variables.filter((v) => v.datasource?.uid === 'fairwatch-clickhouse')) {
      expect(() => expandQuery(variableQuery(variable), context), variable.name).not.toThrow()
    }
  })

  it('charts only the Prometheus metrics the services export', () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''))
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/fairwatch_[a-z_]+/g)) {
        const base = name.replace(/_(bucket|sum|count)$/, '')
        expect(SHARED_METRICS.has(name) || SHARED_METRICS.has(base), `${name} in ${expr}`).toBe(
          true,
        )
      }
    }
  })
})

describe('expandQuery', () => {
  const context = {
    from: new Date('2025-03-03T00:00:00Z'),
    to: new Date('2025-03-04T12:00:00Z'),
    intervalMs: 3_600_000,
    variables: { model: 'credit', group: ['black', "o'neil"] },
  }

  it('expands the time macros as the ClickHouse data source does', () => {
    const sql = 'SELECT $__timeInterval(t) AS time WHERE $__timeFilter(t) AND x < $__toTime'

    const expanded = expandQuery(sql, context)

    expect(expanded).toBe(
      'SELECT toStartOfInterval(toDateTime(t), INTERVAL 3600 second) AS time ' +
        'WHERE t >= toDateTime(1740960000) AND t <= toDateTime(1741089600) ' +
        'AND x < toDateTime(1741089600)',
    )
  })

  it('quotes and joins variable values with :sqlstring and inserts a single value raw', () => {
    const expanded = expandQuery(
      'm = ${model:sqlstring} AND g IN (${group:sqlstring}) AND $model',
      context,
    )

    expect(expanded).toBe("m = 'credit' AND g IN ('black','o''neil') AND credit")
  })

  it('refuses unknown macros, unknown variables and multi-values inserted raw', () => {
    expect(() => expandQuery('WHERE $__dateFilter(d)', context)).toThrow(QueryExpansionError)
    expect(() => expandQuery('WHERE m = $nothing', context)).toThrow(/unknown variable \$nothing/)
    expect(() => expandQuery('WHERE g = $group', context)).toThrow(/2 values/)
    expect(() => expandQuery('WHERE $__timeFilter()', context)).toThrow(/needs a column/)
  })
})
