/* global document, window, fetch, sessionStorage, setTimeout, clearTimeout */
// The overview page: fetches /overview/data.json every few seconds and draws it with plain DOM
// and SVG. Every text from the data goes in through textContent, never as markup.
'use strict'

const REFRESH_MS = 5000
const KEY_STORAGE = 'fairwatch.overview.key'
const SVG = 'http://www.w3.org/2000/svg'
const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#393b79',
  '#637939',
]
const METRIC_TITLES = {
  disparate_impact: 'Disparate impact',
  equal_opportunity_difference: 'Equal opportunity difference',
  equalized_odds_difference: 'Equalized odds difference',
  label_coverage: 'Label coverage',
}

let timer = null

function el(tag, attributes, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value))
  }
  for (const child of children) {
    if (child === null || child === undefined) continue
    node.append(typeof child === 'string' ? document.createTextNode(child) : child)
  }
  return node
}

function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value))
  }
  for (const child of children) if (child) node.append(child)
  return node
}

function number(value, digits = 3) {
  return value === null || value === undefined ? '–' : Number(value).toFixed(digits)
}

function day(iso) {
  return iso ? iso.slice(0, 10) : '–'
}

function windowLabel(iso, size) {
  if (!iso) return '–'
  return /[mh]$/.test(size) ? iso.slice(0, 16).replace('T', ' ') : iso.slice(0, 10)
}

function age(seconds) {
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`
  if (seconds < 86400)
    return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
  return `${Math.floor(seconds / 86400)} d ${Math.floor((seconds % 86400) / 3600)} h`
}

function badge(text) {
  return el('span', { class: `badge ${text ?? 'none'}` }, text ? text.replace(/_/g, ' ') : 'none')
}

function stat(label, value) {
  return el(
    'div',
    { class: 'stat' },
    el('div', { class: 'value' }, value),
    el('div', { class: 'label' }, label),
  )
}

// ------------------------------------------------------------------------------------ charts

function thresholdValues(threshold) {
  const values = []
  for (const severity of ['warning', 'critical']) {
    const limit = threshold[severity]
    if (typeof limit === 'number') values.push({ severity, value: limit })
    else values.push({ severity, value: limit.low }, { severity, value: limit.high })
  }
  return values
}

function yDomain(chart) {
  if (chart.metric === 'label_coverage') return [0, 1]
  const values = []
  for (const series of chart.series) {
    for (const point of series.points) if (point.value !== null) values.push(point.value)
  }
  for (const threshold of chart.thresholds) {
    for (const line of thresholdValues(threshold)) values.push(line.value)
  }
  if (chart.metric === 'disparate_impact') values.push(1)
  else values.push(0)
  let low = Math.min(...values)
  let high = Math.max(...values)
  if (high - low < 1e-9) {
    low -= 0.5
    high += 0.5
  }
  const pad = (high - low) * 0.08
  return [low - pad, high + pad]
}

function ticks(low, high, count) {
  const step0 = (high - low) / count
  const magnitude = 10 ** Math.floor(Math.log10(step0))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= step0) ?? step0
  const out = []
  for (let v = Math.ceil(low / step) * step; v <= high + 1e-12; v += step)
    out.push(Number(v.toFixed(10)))
  return out
}

function drawChart(model, chart, index) {
  const width = 560
  const height = 230
  const margin = { top: 10, right: 12, bottom: 28, left: 44 }
  const starts = model.window_starts
  const slot = new Map(starts.map((s, i) => [s, i]))
  const innerW = width - margin.left - margin.right
  const innerH = height - margin.top - margin.bottom
  const x = (start) =>
    margin.left +
    (starts.length <= 1 ? innerW / 2 : (slot.get(start) * innerW) / (starts.length - 1))
  const [low, high] = yDomain(chart)
  const y = (value) => margin.top + innerH - ((value - low) / (high - low)) * innerH
  const clipId = `clip-${model.model_id.replace(/[^A-Za-z0-9_-]/g, '_')}-${index}`

  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': chartTitle(chart),
    'data-chart': chart.id,
  })
  root.append(
    svg(
      'defs',
      {},
      svg(
        'clipPath',
        { id: clipId },
        svg('rect', { x: margin.left, y: margin.top, width: innerW, height: innerH }),
      ),
    ),
  )

  const axes = svg('g', { class: 'axis' })
  for (const t of ticks(low, high, 5)) {
    axes.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(t), y2: y(t) }))
    const label = svg('text', { x: margin.left - 6, y: y(t) + 3, 'text-anchor': 'end' })
    label.textContent = String(t)
    axes.append(label)
  }
  const every = Math.max(1, Math.ceil(starts.length / 6))
  starts.forEach((start, i) => {
    if (i % every !== 0 && i !== starts.length - 1) return
    const label = svg('text', { x: x(start), y: height - 8, 'text-anchor': 'middle' })
    label.textContent = windowLabel(start, model.window_size).slice(5)
    axes.append(label)
  })
  root.append(axes)

  const plot = svg('g', { 'clip-path': `url(#${clipId})` })
  chart.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length]
    // Confidence band: one polygon per run of consecutive windows that have an interval.
    let run = []
    const flush = () => {
      if (run.length > 0) {
        const top = run.map((p) => `${x(p.window_start)},${y(p.ci_high)}`)
        const bottom = run.reverse().map((p) => `${x(p.window_start)},${y(p.ci_low)}`)
        const d = run.length === 1 ? null : `M${top.join('L')}L${bottom.join('L')}Z`
        // Many overlapping bands would hide the lines: the more series, the fainter each band.
        const opacity = chart.series.length > 4 ? 0.05 : 0.12
        const band = {
          class: 'band',
          d,
          fill: color,
          'fill-opacity': opacity,
          'data-series': series.key,
        }
        if (d) plot.append(svg('path', band))
      }
      run = []
    }
    for (const point of series.points) {
      if (point.ci_low !== null && point.ci_high !== null) run.push(point)
      else flush()
    }
    flush()

    const defined = series.points.filter((p) => p.value !== null)
    if (defined.length > 0) {
      const d = defined
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.window_start)},${y(p.value)}`)
        .join('')
      plot.append(svg('path', { class: 'series', d, stroke: color, 'data-series': series.key }))
    }
    for (const point of defined) {
      const circle = svg('circle', {
        class: point.insufficient_evidence ? 'point insufficient' : 'point',
        cx: x(point.window_start),
        cy: y(point.value),
        r: 2.6,
        fill: color,
        stroke: color,
        'data-series': series.key,
        'data-window': point.window_start,
      })
      const title = svg('title')
      const interval =
        point.ci_low !== null ? ` [${number(point.ci_low)}, ${number(point.ci_high)}]` : ''
      const evidence = point.insufficient_evidence ? ' (insufficient evidence)' : ''
      title.textContent = `${seriesLabel(series)} · ${windowLabel(point.window_start, model.window_size)}: ${number(point.value)}${interval}${evidence}`
      circle.append(title)
      plot.append(circle)
    }
  })
  root.append(plot)

  const lines = svg('g', {})
  for (const threshold of chart.thresholds) {
    for (const line of thresholdValues(threshold)) {
      if (line.value < low || line.value > high) continue
      const node = svg('line', {
        class: `threshold ${line.severity}`,
        x1: margin.left,
        x2: width - margin.right,
        y1: y(line.value),
        y2: y(line.value),
        'data-rule': threshold.rule_id,
      })
      const title = svg('title')
      title.textContent = `${threshold.rule_id}: ${line.severity} at ${line.value}`
      node.append(title)
      lines.append(node)
    }
  }
  root.append(lines)

  const legend = el('div', { class: 'legend' })
  chart.series.forEach((series, i) => {
    legend.append(
      el(
        'span',
        {},
        el('span', { class: 'swatch', style: `background:${PALETTE[i % PALETTE.length]}` }),
        seriesLabel(series),
      ),
    )
  })
  if (chart.thresholds.length > 0) {
    legend.append(
      el(
        'span',
        {},
        el('span', { class: 'dash', style: 'border-color:var(--warning)' }),
        'warning',
      ),
    )
    legend.append(
      el(
        'span',
        {},
        el('span', { class: 'dash', style: 'border-color:var(--critical)' }),
        'critical',
      ),
    )
  }

  const notes = []
  if (chart.thresholds.length > 0)
    notes.push(`Thresholds: ${chart.thresholds.map((t) => t.rule_id).join(', ')}.`)
  if (chart.relative_rules.length > 0) {
    notes.push(`Relative to a baseline (no fixed line): ${chart.relative_rules.join(', ')}.`)
  }
  if (chart.metric === 'disparate_impact') {
    notes.push('Shaded: confidence interval; hollow points: insufficient evidence.')
  } else if (chart.metric === 'label_coverage') {
    notes.push('Share of the predictions with an outcome; outcomes arrive days to weeks later.')
  } else {
    notes.push('Across-group differences carry no interval; hollow points: insufficient evidence.')
  }

  return el(
    'figure',
    { class: 'chart' },
    el('figcaption', {}, chartTitle(chart)),
    root,
    legend,
    el('p', { class: 'note' }, notes.join(' ')),
  )
}

function chartTitle(chart) {
  const title = METRIC_TITLES[chart.metric] ?? chart.metric
  if (chart.metric === 'label_coverage') return `${title} per window`
  if (chart.attribute === null) return `${title} per attribute`
  return `${title} by ${chart.attribute}${chart.reference_group ? ` (vs ${chart.reference_group})` : ''}`
}

function seriesLabel(series) {
  return series.group === null ? series.attribute : series.group
}

// ------------------------------------------------------------------------------------ sections

function pipelineSection(data) {
  const p = data.pipeline
  const stats = el(
    'div',
    { class: 'stats' },
    stat('windows computed', p.windows_computed === null ? 'n/a' : String(p.windows_computed)),
    stat('windows pending', p.windows_pending === null ? 'n/a' : String(p.windows_pending)),
    stat('predictions stored', p.predictions_stored.toLocaleString('en')),
    stat('outcomes stored', p.outcomes_stored.toLocaleString('en')),
    stat('rejected events', p.rejected.reduce((sum, r) => sum + r.count, 0).toLocaleString('en')),
  )
  for (const model of data.models) {
    const shown = model.label_coverage.find(
      (c) => c.window_start === model.disparities_window_start,
    )
    const value = shown && shown.value !== null ? `${(shown.value * 100).toFixed(1)} %` : '–'
    const when = windowLabel(model.disparities_window_start, model.window_size)
    stats.append(stat(`label coverage, ${model.model_id} ${when}`, value))
  }
  const section = el('section', { class: 'panel', id: 'pipeline' }, el('h2', {}, 'Pipeline'), stats)
  section.append(
    el(
      'p',
      { class: p.last_error ? 'note error' : 'note', id: 'last-error' },
      p.last_error ? `Last error: ${p.last_error}` : 'Last recompute cycle: no error.',
    ),
  )
  if (p.rejected.length > 0) {
    const body = el('tbody')
    for (const r of p.rejected)
      body.append(el('tr', {}, el('td', {}, r.reason), el('td', { class: 'num' }, String(r.count))))
    section.append(
      el('h3', {}, 'Rejected events by reason'),
      el(
        'table',
        { id: 'rejected' },
        el('thead', {}, el('tr', {}, el('th', {}, 'reason'), el('th', { class: 'num' }, 'events'))),
        body,
      ),
    )
  }
  return section
}

function recordsSection(data) {
  const section = el(
    'section',
    { class: 'panel', id: 'records' },
    el('h2', {}, 'Open nonconformities and incidents'),
  )
  if (data.records.length === 0) {
    section.append(el('p', { class: 'empty' }, 'None open.'))
    return section
  }
  const head = el(
    'tr',
    {},
    ...[
      'kind',
      'id',
      'model',
      'rule',
      'scope',
      'severity',
      'status',
      'age',
      'due',
      'Art. 73 report due',
    ].map((h) => el('th', {}, h)),
  )
  const body = el('tbody')
  for (const r of data.records) {
    body.append(
      el(
        'tr',
        { 'data-record': r.id },
        el('td', {}, r.kind),
        el('td', {}, el('code', { title: r.title }, r.id)),
        el('td', {}, r.model_id),
        el('td', {}, r.rule_id ?? '–'),
        el('td', {}, r.scope ?? '–'),
        el('td', {}, badge(r.severity)),
        el('td', {}, r.status.replace(/_/g, ' ')),
        el('td', { class: 'num' }, age(r.age_seconds)),
        el('td', {}, day(r.due_at)),
        el('td', {}, day(r.article_73_due_at)),
      ),
    )
  }
  section.append(el('table', { id: 'records-table' }, el('thead', {}, head), body))
  return section
}

function latestTable(model) {
  const head = el(
    'tr',
    {},
    ...['metric', 'attribute', 'group', 'vs', 'value', 'interval', 'n', 'status'].map((h) =>
      el('th', {}, h),
    ),
  )
  const body = el('tbody')
  for (const row of model.latest) {
    body.append(
      el(
        'tr',
        {},
        el('td', {}, METRIC_TITLES[row.metric] ?? row.metric),
        el('td', {}, row.attribute),
        el('td', {}, row.group ?? 'all groups'),
        el('td', {}, row.reference_group ?? '–'),
        el('td', { class: 'num' }, number(row.value)),
        el(
          'td',
          { class: 'num' },
          row.ci_low === null ? '–' : `${number(row.ci_low)} – ${number(row.ci_high)}`,
        ),
        el('td', { class: 'num' }, String(row.sample_size)),
        el(
          'td',
          {},
          badge(row.status ?? (row.insufficient_evidence ? 'insufficient_evidence' : null)),
        ),
      ),
    )
  }
  return el('table', { class: 'latest' }, el('thead', {}, head), body)
}

function modelSection(model) {
  const policy = model.policy
    ? `policy ${model.policy.name} @ ${model.policy.version.slice(0, 12)}`
    : 'no policy in force'
  const section = el(
    'section',
    { class: 'panel model', 'data-model': model.model_id },
    el('h2', {}, model.model_id),
    el(
      'p',
      { class: 'meta' },
      `${model.window_starts.length} windows of ${model.window_size} · latest ${windowLabel(model.latest_window_start, model.window_size)} · ${policy}`,
    ),
    el(
      'p',
      { class: 'meta' },
      `Groups: ${model.groups.map((g) => `${g.attribute} (${g.groups.join(', ')})`).join('; ')}`,
    ),
  )
  const charts = el('div', { class: 'charts' })
  model.charts.forEach((chart, i) => charts.append(drawChart(model, chart, i)))
  charts.append(drawChart(model, coverageChart(model), model.charts.length))
  section.append(charts)
  const shown = windowLabel(model.disparities_window_start, model.window_size)
  section.append(el('h3', {}, `Disparities of window ${shown}`))
  if (model.disparities_window_start !== model.latest_window_start) {
    const newest = windowLabel(model.latest_window_start, model.window_size)
    section.append(
      el(
        'p',
        { class: 'note' },
        `The newest window, ${newest}, has no disparity with sufficient evidence yet.`,
      ),
    )
  }
  section.append(latestTable(model))
  return section
}

function coverageChart(model) {
  const points = model.label_coverage.map((c) => ({
    window_start: c.window_start,
    value: c.value,
    ci_low: null,
    ci_high: null,
    insufficient_evidence: false,
  }))
  return {
    id: 'label_coverage',
    metric: 'label_coverage',
    attribute: null,
    reference_group: null,
    thresholds: [],
    relative_rules: [],
    series: [{ key: 'label_coverage', attribute: 'all predictions', group: null, points }],
  }
}

function render(data) {
  const content = document.getElementById('content')
  const parts = [pipelineSection(data), recordsSection(data)]
  if (data.models.length === 0) {
    parts.push(
      el(
        'section',
        { class: 'panel' },
        el(
          'p',
          { class: 'empty' },
          'No metrics yet: windows appear once events are stored and recomputed.',
        ),
      ),
    )
  }
  for (const model of data.models) parts.push(modelSection(model))
  content.replaceChildren(...parts)
}

// ------------------------------------------------------------------------------------ loading

function showKeyForm(message) {
  const form = document.getElementById('key-form')
  form.hidden = false
  const error = document.getElementById('key-error')
  error.hidden = !message
  error.textContent = message ?? ''
  document.getElementById('refresh-state').textContent = 'key needed'
}

async function load() {
  clearTimeout(timer)
  const key = sessionStorage.getItem(KEY_STORAGE)
  document.getElementById('forget-key').hidden = !key
  const headers = key ? { authorization: `Bearer ${key}` } : {}
  const banner = document.getElementById('load-error')
  try {
    const response = await fetch('/overview/data.json', { headers, cache: 'no-store' })
    if (response.status === 401 || response.status === 403) {
      const problem = await response.json().catch(() => ({}))
      if (key) sessionStorage.removeItem(KEY_STORAGE)
      showKeyForm(key ? (problem.detail ?? 'the key was refused') : null)
      return
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}))
      throw new Error(problem.detail ?? `HTTP ${response.status}`)
    }
    const data = await response.json()
    document.getElementById('key-form').hidden = true
    banner.hidden = true
    render(data)
    document.getElementById('refresh-state').textContent =
      `updated ${new Date(data.generated_at).toLocaleTimeString('en-GB')}`
  } catch (err) {
    banner.hidden = false
    banner.textContent = `Could not refresh: ${err.message}. Showing the last data; retrying.`
  }
  timer = setTimeout(load, REFRESH_MS)
}

document.getElementById('key-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const input = document.getElementById('key-input')
  sessionStorage.setItem(KEY_STORAGE, input.value.trim())
  input.value = ''
  load()
})

document.getElementById('forget-key').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE)
  window.location.reload()
})

load()
