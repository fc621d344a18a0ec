import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MISSING_GROUP } from '@fairwatch/metrics'
import type { RuleEvaluation } from '@fairwatch/governance'

import { loadDashboards, panelsOf, variableQuery, variablesOf } from './dashboard-files.ts'
import type { Dashboard, Panel } from './dashboard-files.ts'
import { expandQuery } from './grafana-query.ts'
import { seedStore } from './seeded-store.ts'
import type { SeededStore } from './seeded-store.ts'

type Row = Record<string, unknown>
type Values = Record<string, string | readonly string[]>

const DAY = 86_400_000
const FROM = new Date('2025-03-03T00:00:00Z')
const TO = new Date(FROM.getTime() + 30 * DAY)
const dashboards = new Map(loadDashboards().map((d) => [d.file, d.dashboard]))

let seed: SeededStore

beforeAll(async () => {
  seed = await seedStore()
})

afterAll(async () => {
  await seed?.close()
})

function dashboard(file: string): Dashboard {
  const found = dashboards.get(file)
  if (!found) throw new Error(`no dashboard ${file}`)
  return found
}

function panel(file: string, title: string): Panel {
  const found = panelsOf(dashboard(file)).find((p) => p.title === title)
  if (!found) throw new Error(`${file} has no panel "${title}"`)
  return found
}

async function query(sql: string): Promise<Row[]> {
  const result = await seed.client.query({
    query: sql,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  })
  return result.json<Row>()
}

/** Runs one target of a panel as Grafana would, over the given range and variables. */
async function runPanel(
  file: string,
  title: string,
  variables: Values,
  options: { refId?: string; from?: Date; to?: Date; intervalMs?: number } = {},
): Promise<Row[]> {
  const target = (panel(file, title).targets ?? []).find(
    (t) => options.refId === undefined || t.refId === options.refId,
  )
  if (!target?.rawSql) throw new Error(`${title} has no SQL target ${options.refId ?? ''}`)
  const sql = expandQuery(target.rawSql, {
    from: options.from ?? FROM,
    to: options.to ?? TO,
    intervalMs: options.intervalMs ?? DAY,
    variables,
  })
  return query(sql)
}

/**
 * Resolves a dashboard's ClickHouse variables in order, as Grafana does on load: each variable's
 * options are its query's first column; it takes the value chosen here, or every option when it
 * is a multi with "All", or else the first option. Returns the values and each variable's options.
 */
async function resolveVariables(
  file: string,
  chosen: Values = {},
): Promise<{ values: Values; options: Record<string, string[]> }> {
  const values: Record<string, string | readonly string[]> = {}
  const options: Record<string, string[]> = {}
  for (const variable of variablesOf(dashboard(file))) {
    const name = variable.name ?? ''
    if (variable.datasource?.uid !== 'fairwatch-clickhouse') continue
    const sql = expandQuery(variableQuery(variable), {
      from: FROM,
      to: TO,
      intervalMs: DAY,
      variables: values,
    })
    const rows = await query(sql)
    options[name] = rows.map((row) => String(Object.values(row)[0]))
    const value = chosen[name]
    if (value !== undefined) values[name] = value
    else if (variable.multi && variable.includeAll) values[name] = options[name]
    else values[name] = options[name][0] ?? ''
  }
  return { values, options }
}

function time(value: unknown): number {
  return Date.parse(`${String(value).replace(' ', 'T')}Z`)
}

function results(modelId?: string): RuleEvaluation[] {
  return seed.reports
    .filter((r) => modelId === undefined || r.modelId === modelId)
    .flatMap((r) => r.results)
}

const RANK = { pass: 0, warning: 1, critical: 2 } as const

describe('template variables', () => {
  it('offer the stored models, and the attributes and groups of the chosen model', async () => {
    const { options } = await resolveVariables('model-drill-down.json', {
      model: 'credit-drifting',
      attribute: 'ethnicity',
    })

    expect(options.model).toEqual(['credit-drifting', 'credit-steady'])
    expect(options.window_size).toEqual(['1d'])
    const attributes = new Set(
      seed.windows
        .filter((w) => w.modelId === 'credit-drifting')
        .flatMap((w) => w.rows.map((r) => r.attribute)),
    )
    expect(options.attribute).toEqual([...attributes].sort())
    expect(options.group).toEqual(
      ['asian', 'black', 'hispanic', 'other', 'white', MISSING_GROUP].sort(),
    )
    expect(options.metric).toContain('selection_rate')
    expect(options.rule).toEqual(['equal-opportunity', 'equalized-odds', 'four-fifths-selection'])
  })
})

describe('Fairness overview', () => {
  const file = 'fairness-overview.json'

  it('counts the open nonconformities and incidents the governance service lists', async () => {
    const { values } = await resolveVariables(file)
    const openNonconformities = await seed.governance.listNonconformities({ openOnly: true })
    const openIncidents = await seed.governance.listIncidents({ openOnly: true })

    const nc = await runPanel(file, 'Open nonconformities', values)
    const incidents = await runPanel(file, 'Open incidents by severity', values)

    expect(openNonconformities.length).toBeGreaterThan(0)
    expect(nc).toEqual([{ open_nonconformities: openNonconformities.length }])
    expect(incidents).toEqual([{ severity: 'critical', open_incidents: openIncidents.length }])
  })

  it('counts the warning and critical evaluations of the range', async () => {
    const { values } = await resolveVariables(file)
    const all = results()

    const rows = await runPanel(file, 'Confirmed breaches in range', values)

    expect(rows).toEqual([
      { status: 'warning', evaluations: all.filter((r) => r.status === 'warning').length },
      { status: 'critical', evaluations: all.filter((r) => r.status === 'critical').length },
    ])
  })

  it('shows each model at the worst status of its latest evaluated windows', async () => {
    const { values } = await resolveVariables(file)

    const rows = await runPanel(file, 'Worst disparity per model', values)

    expect(rows.map((r) => r.model_id)).toEqual(['credit-drifting', 'credit-steady'])
    for (const row of rows) {
      const latest = new Map<string, RuleEvaluation>()
      for (const r of results(String(row.model_id))) {
        if (r.status === 'insufficient_evidence' || r.value === null) continue
        const key = `${r.ruleId}\n${r.scopeKey}`
        const seen = latest.get(key)
        if (!seen || seen.windowStart < r.windowStart) latest.set(key, r)
      }
      const worst = Math.max(...[...latest.values()].map((r) => RANK[r.status as 'pass']))
      const match = latest.get(`${String(row.rule_id)}\n${String(row.scope_key)}`)
      expect(RANK[row.status as 'pass']).toBe(worst)
      expect(match?.status).toBe(row.status)
      expect(row.value).toBeCloseTo(match?.value ?? NaN, 9)
      expect(time(row.window_start)).toBe(match?.windowStart.getTime())
    }
    expect(rows[0]?.status).toBe('critical')
    expect(Number(rows[0]?.beyond_warning)).toBeGreaterThan(0)
  })

  it('fills the model × attribute map with the lowest selection-rate ratio of the latest window with evidence', async () => {
    const { values } = await resolveVariables(file)
    const expected: Row[] = []
    for (const modelId of ['credit-drifting', 'credit-steady']) {
      // Per attribute: the latest window with evidence, and its lowest folded ratio.
      const latest = new Map<string, { start: number; lowest: number }>()
      for (const window of seed.windows.filter((w) => w.modelId === modelId)) {
        for (const row of window.rows) {
          if (row.metric !== 'disparate_impact' || row.scope !== 'vs_reference') continue
          if (row.insufficientEvidence || row.value === null || row.value <= 0) continue
          const folded = Math.min(row.value, 1 / row.value)
          const seen = latest.get(row.attribute)
          if (!seen || seen.start < window.windowStart) {
            latest.set(row.attribute, { start: window.windowStart, lowest: folded })
          } else if (seen.start === window.windowStart) {
            seen.lowest = Math.min(seen.lowest, folded)
          }
        }
      }
      for (const attribute of [...latest.keys()].sort()) {
        expected.push({ model_id: modelId, attribute, lowest_ratio: latest.get(attribute)?.lowest })
      }
    }

    const rows = await runPanel(file, 'Lowest selection-rate ratio, model × attribute', values)

    expect(rows.map((r) => [r.model_id, r.attribute])).toEqual(
      expected.map((r) => [r.model_id, r.attribute]),
    )
    rows.forEach((row, i) => {
      expect(row.lowest_ratio).toBeCloseTo(Number(expected[i]?.lowest_ratio), 9)
    })
    const drifting = rows.find(
      (r) => r.model_id === 'credit-drifting' && r.attribute === 'ethnicity',
    )
    expect(Number(drifting?.lowest_ratio)).toBeLessThan(0.8)
  })
})

describe('Model drill-down', () => {
  const file = 'model-drill-down.json'
  const chosen = { model: 'credit-drifting', attribute: 'ethnicity' }

  it('charts each metric of each group per window with its interval', async () => {
    const { values } = await resolveVariables(file, chosen)
    const metrics = values.metric as readonly string[]

    for (const metric of metrics) {
      const rows = await runPanel(file, '$metric per group', { ...values, metric })
      const expected = seed.windows
        .filter((w) => w.modelId === 'credit-drifting')
        .flatMap((w) =>
          w.rows
            .filter(
              (r) =>
                r.attribute === 'ethnicity' &&
                r.metric === metric &&
                (r.scope === 'group' || r.scope === 'missing'),
            )
            .map((r) => ({ time: w.windowStart, group: r.group, row: r })),
        )
        .sort((a, b) => a.time - b.time || String(a.group).localeCompare(String(b.group)))

      expect(rows.length, metric).toBe(expected.length)
      rows.forEach((row, i) => {
        const want = expected[i]
        expect(time(row.time)).toBe(want?.time)
        expect(row.group_label).toBe(want?.group)
        expect(row.value).toBe(want?.row.value)
        expect(row.ci_low).toBe(want?.row.ciLow)
        expect(row.ci_high).toBe(want?.row.ciHigh)
      })
    }
  })

  it('charts a rule against the thresholds of the starter policy', async () => {
    const { values } = await resolveVariables(file, chosen)
    const panelTitle = 'Rule $rule against its thresholds'

    const fourFifths = await runPanel(file, panelTitle, {
      ...values,
      rule: 'four-fifths-selection',
    })
    const lines = await runPanel(
      file,
      panelTitle,
      { ...values, rule: 'four-fifths-selection' },
      { refId: 'B' },
    )
    const opportunityLines = await runPanel(
      file,
      panelTitle,
      { ...values, rule: 'equal-opportunity' },
      { refId: 'B' },
    )
    const floorLines = await runPanel(
      file,
      panelTitle,
      { ...values, model: 'credit-steady', rule: 'selection-floor' },
      { refId: 'B' },
    )

    const black = results('credit-drifting').filter(
      (r) => r.ruleId === 'four-fifths-selection' && r.scopeKey === 'ethnicity:black',
    )
    const charted = fourFifths.filter((r) => r.scope_key === 'ethnicity:black')
    expect(charted.map((r) => [time(r.time), r.value])).toEqual(
      black.map((r) => [r.windowStart.getTime(), r.value]),
    )
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line).toMatchObject({
        warning_low: 0.8,
        warning_high: 1.25,
        critical_low: 0.667,
        critical_high: 1.5,
      })
    }
    // A single number above which a value breaches draws only high lines; one below, only low.
    expect(opportunityLines.length).toBeGreaterThan(0)
    for (const line of opportunityLines) {
      expect(line).toMatchObject({
        warning_low: null,
        warning_high: 0.1,
        critical_low: null,
        critical_high: 0.2,
      })
    }
    expect(floorLines.length).toBeGreaterThan(0)
    for (const line of floorLines) {
      expect(line).toMatchObject({
        warning_low: 0.5,
        warning_high: null,
        critical_low: 0.4,
        critical_high: null,
      })
    }
  })

  it('shows the predictions and labelled predictions of each group per window', async () => {
    const { values } = await resolveVariables(file, chosen)
    const labelled = new Set(seed.outcomes.map((o) => o.predictionId))
    const counts = new Map<string, { predictions: Set<string>; labelled: Set<string> }>()
    for (const p of seed.predictions) {
      if (p.modelId !== 'credit-drifting' || p.attributes.ethnicity !== 'black') continue
      const day = Math.floor(p.eventTime / DAY) * DAY
      const key = String(day)
      const entry = counts.get(key) ?? { predictions: new Set(), labelled: new Set() }
      entry.predictions.add(p.predictionId)
      if (labelled.has(p.predictionId)) entry.labelled.add(p.predictionId)
      counts.set(key, entry)
    }

    const rows = await runPanel(file, 'Sample size and label coverage per window', values)

    const black = rows.filter((r) => r.group_label === 'black')
    expect(black.length).toBe(counts.size)
    for (const row of black) {
      const want = counts.get(String(time(row.window_start)))
      expect(row.predictions).toBe(want?.predictions.size)
      expect(row.labelled).toBe(want?.labelled.size)
      expect(row.label_coverage).toBeCloseTo(
        (want?.labelled.size ?? 0) / (want?.predictions.size ?? 1),
        12,
      )
    }
  })

  it('lists every evaluation of the model with its status', async () => {
    const { values } = await resolveVariables(file, chosen)
    const expected = results('credit-drifting')

    const rows = await runPanel(file, 'Evaluation results', values)

    const tally = (statuses: string[]) =>
      statuses.reduce<Record<string, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {})
    expect(rows.length).toBe(expected.length)
    expect(tally(rows.map((r) => String(r.status)))).toEqual(tally(expected.map((r) => r.status)))
    expect(time(rows[0]?.window_start)).toBe(
      Math.max(...expected.map((r) => r.windowStart.getTime())),
    )
  })
})

describe('Nonconformities and incidents', () => {
  const file = 'nonconformities-incidents.json'

  it('lists the open nonconformities with their age at the end of the range', async () => {
    const { values } = await resolveVariables(file)
    const open = await seed.governance.listNonconformities({ openOnly: true })

    const rows = await runPanel(file, 'Open nonconformities', values)
    const byOwner = await runPanel(file, 'Open nonconformities by owner and status', values)

    expect(rows.map((r) => r.id).sort()).toEqual(open.map((n) => n.id).sort())
    for (const row of rows) {
      const nc = open.find((n) => n.id === row.id)
      expect(row.status).toBe(nc?.status)
      expect(row.age_days).toBeCloseTo((TO.getTime() - Date.parse(nc?.raisedAt ?? '')) / DAY, 1)
    }
    const counted = byOwner.reduce((sum, r) => sum + Number(r.nonconformities), 0)
    expect(counted).toBe(open.length)
    expect(byOwner).toContainEqual({
      owner: 'fairness-oversight',
      status: 'action_planned',
      nonconformities: 1,
    })
  })

  it('flags the corrective action whose due date has passed', async () => {
    const { values } = await resolveVariables(file)
    const planned = (await seed.governance.listNonconformities({ openOnly: true })).filter(
      (n) => n.dueDate !== null,
    )

    const rows = await runPanel(file, 'Overdue corrective actions', values)
    const beforeDue = await runPanel(file, 'Overdue corrective actions', values, {
      to: new Date(Date.parse(planned[0]?.dueDate ?? '') - 1000),
    })

    expect(planned).toHaveLength(1)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      id: planned[0]?.id,
      corrective_action: 'retrain with reweighted samples',
    })
    expect(rows[0]?.overdue_days).toBeCloseTo(
      (TO.getTime() - Date.parse(planned[0]?.dueDate ?? '')) / DAY,
      1,
    )
    expect(beforeDue).toEqual([])
  })

  it('lists open incidents and the Article 73 due date of the serious one', async () => {
    const { values } = await resolveVariables(file)
    const open = await seed.governance.listIncidents({ openOnly: true })
    const serious = open.filter((i) => i.serious !== null)

    const rows = await runPanel(file, 'Open incidents', values)
    const due = await runPanel(file, 'Article 73 reporting due dates', values)

    expect(rows.map((r) => r.id).sort()).toEqual(open.map((i) => i.id).sort())
    expect(serious).toHaveLength(1)
    const awareAt = Date.parse(serious[0]?.serious?.awareAt ?? '')
    expect(due).toHaveLength(1)
    expect(due[0]).toMatchObject({ id: serious[0]?.id, serious_category: 'general' })
    // A general serious incident is reported within 15 days of awareness.
    expect(time(due[0]?.report_due_at)).toBe(awareAt + 15 * DAY)
    expect(due[0]?.days_left).toBeCloseTo((awareAt + 15 * DAY - TO.getTime()) / DAY, 1)
  })

  it('measures time to acknowledge from the audit trail', async () => {
    const { values } = await resolveVariables(file)

    const rows = await runPanel(file, 'Time to acknowledge and to resolve', values)

    // The seeded rota acknowledges one incident two hours after it opened and resolves none.
    expect(rows).toHaveLength(1)
    expect(rows[0]?.hours_to_acknowledge).toBeCloseTo(2, 9)
    expect(rows[0]?.acknowledged).toBe(1)
    expect(rows[0]?.resolved).toBe(0)
    expect(rows[0]?.hours_to_resolve).toBeNull()
  })
})

describe('Pipeline health', () => {
  it('counts the stored rejected events by reason per interval', async () => {
    const now = Date.now()
    const expected: Record<string, number> = {}
    for (const r of seed.rejected) {
      expected[r.rejection.reason] = (expected[r.rejection.reason] ?? 0) + 1
    }

    const rows = await runPanel(
      'pipeline-health.json',
      'Rejected events stored, by reason',
      {},
      { from: new Date(now - 3600_000), to: new Date(now + 60_000), intervalMs: 60_000 },
    )

    const counted: Record<string, number> = {}
    for (const row of rows) {
      counted[String(row.reason)] = (counted[String(row.reason)] ?? 0) + Number(row.events)
      expect(time(row.time) % 60_000).toBe(0)
    }
    expect(counted).toEqual(expected)
    expect(expected).toEqual({ malformed_json: 2, unknown_kind: 1 })
  })
})

describe('every ClickHouse panel', () => {
  it('runs without error and returns rows over the seeded range', async () => {
    for (const [file, board] of dashboards) {
      const { values } = await resolveVariables(file, { model: 'credit-drifting' })
      const now = Date.now()
      // Rejected events are stamped with the wall-clock time they were received.
      const range =
        file === 'pipeline-health.json'
          ? { from: new Date(now - 3600_000), to: new Date(now + 60_000) }
          : {}
      for (const p of panelsOf(board)) {
        for (const target of p.targets ?? []) {
          if (!target.rawSql) continue
          const repeat = p.repeat ? values[p.repeat] : undefined
          const perRepeat = repeat === undefined ? [undefined] : [...repeat]
          let rowCount = 0
          for (const value of perRepeat) {
            const scoped = value === undefined ? values : { ...values, [p.repeat ?? '']: value }
            const rows = await runPanel(file, p.title ?? '', scoped, {
              refId: target.refId,
              ...range,
            })
            rowCount += rows.length
          }
          // A repeated panel may be empty for some values (a rule never judged with evidence).
          expect(rowCount, `${file} / ${p.title} / ${target.refId}`).toBeGreaterThan(0)
        }
      }
    }
  })
})
