import { parseEvent } from '@fairwatch/contract'
import type { OutcomeRecord, PredictionRecord } from '@fairwatch/contract'
import { addPrediction, emptyCounts } from '@fairwatch/metrics'
import type { GroupCounts } from '@fairwatch/metrics'
import type { ModelSettings, WindowCounts } from '@fairwatch/pipeline'

/*
 * An independent, in-memory account of what the pipeline must count: written from the rules
 * (duplicates once, the latest prediction event and the latest outcome by event time then event
 * id, windows by the prediction's time) without any of the pipeline's code, for tests to compare.
 */

function later(
  a: { eventTime: number; eventId: string },
  b: { eventTime: number; eventId: string },
) {
  return a.eventTime > b.eventTime || (a.eventTime === b.eventTime && a.eventId > b.eventId)
}

function group(window: WindowCounts, attribute: string, label: string): GroupCounts {
  const groups = window.attributes.get(attribute) ?? new Map<string, GroupCounts>()
  window.attributes.set(attribute, groups)
  const counts = groups.get(label) ?? emptyCounts()
  groups.set(label, counts)
  return counts
}

/** Counts of every window of one model, from raw NDJSON lines. */
export function referenceCounts(
  lines: readonly string[],
  modelId: string,
  windowSizeMs: number | null,
  settings: ModelSettings,
): WindowCounts[] {
  const predictions = new Map<string, PredictionRecord>()
  const outcomes = new Map<string, OutcomeRecord>()
  for (const line of lines) {
    const parsed = parseEvent(line)
    if (!parsed.ok || parsed.record.modelId !== modelId) continue
    const record = parsed.record
    const seen = record.kind === 'prediction' ? predictions : outcomes
    const current = seen.get(record.predictionId)
    if (!current || later(record, current))
      (seen as Map<string, typeof record>).set(record.predictionId, record)
  }

  const windows = new Map<number, WindowCounts>()
  for (const p of predictions.values()) {
    const start = windowSizeMs === null ? 0 : Math.floor(p.eventTime / windowSizeMs) * windowSizeMs
    const window = windows.get(start) ?? {
      windowStart: start,
      totals: emptyCounts(),
      attributes: new Map(),
    }
    windows.set(start, window)
    const prediction = {
      decision: p.decision,
      outcome: outcomes.get(p.predictionId)?.outcome ?? null,
      score: p.score,
    }

    addPrediction(window.totals, prediction)
    for (const [attribute, label] of Object.entries(p.attributes)) {
      if (settings.attributes && !settings.attributes.includes(attribute)) continue
      addPrediction(group(window, attribute, label), prediction)
    }
    for (const names of settings.intersections ?? []) {
      const labels = names.map((name) => p.attributes[name])
      if (labels.every((label) => label !== undefined)) {
        addPrediction(group(window, names.join('&'), labels.join('&')), prediction)
      }
    }
  }
  return [...windows.values()].sort((a, b) => a.windowStart - b.windowStart)
}
