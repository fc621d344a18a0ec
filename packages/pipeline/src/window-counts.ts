import { emptyCounts } from '@fairwatch/metrics'
import type { GroupCounts } from '@fairwatch/metrics'
import type { WindowCell } from '@fairwatch/store'

import type { ModelSettings } from './settings.ts'
import { intersectionName } from './settings.ts'

/** Counts of one window: all predictions, and per attribute (or intersection) per group. */
export interface WindowCounts {
  windowStart: number
  totals: GroupCounts
  /** attribute → group label → counts. Predictions lacking the attribute are in no group. */
  attributes: Map<string, Map<string, GroupCounts>>
}

function addCell(counts: GroupCounts, cell: WindowCell): void {
  const n = cell.predictions
  counts.predictions += n
  counts.scored += cell.scored
  counts.scoreSum += cell.scoreSum
  if (cell.decision === 1) counts.selected += n
  if (cell.outcome === null) return

  counts.labelled += n
  counts.labelledScored += cell.scored
  counts.labelledScoreSum += cell.scoreSum
  if (cell.outcome === 1) {
    counts.labelledScoredPositives += cell.scored
    if (cell.decision === 1) counts.tp += n
    else counts.fn += n
  } else if (cell.decision === 1) counts.fp += n
  else counts.tn += n
}

function groupOf(window: WindowCounts, attribute: string, label: string): GroupCounts {
  let groups = window.attributes.get(attribute)
  if (!groups) {
    groups = new Map()
    window.attributes.set(attribute, groups)
  }
  let counts = groups.get(label)
  if (!counts) {
    counts = emptyCounts()
    groups.set(label, counts)
  }
  return counts
}

/**
 * Sums cells into the counts of each window: totals, each attribute's groups (the configured
 * attributes, or every attribute present) and each configured intersection, whose group label
 * joins the members' labels in the intersection's order.
 */
export function aggregateCells(
  cells: readonly WindowCell[],
  settings: ModelSettings,
  separator: string,
): WindowCounts[] {
  const windows = new Map<number, WindowCounts>()
  const only = settings.attributes ? new Set(settings.attributes) : null
  const intersections = (settings.intersections ?? []).map((names) => ({
    names,
    attribute: intersectionName(names),
  }))

  for (const cell of cells) {
    let window = windows.get(cell.windowStart)
    if (!window) {
      window = { windowStart: cell.windowStart, totals: emptyCounts(), attributes: new Map() }
      windows.set(cell.windowStart, window)
    }
    addCell(window.totals, cell)
    for (const attribute in cell.attributes) {
      if (only && !only.has(attribute)) continue
      addCell(groupOf(window, attribute, cell.attributes[attribute] as string), cell)
    }
    for (const { names, attribute } of intersections) {
      const labels = names.map((name) => cell.attributes[name])
      if (labels.some((label) => label === undefined)) continue
      addCell(groupOf(window, attribute, labels.join(separator)), cell)
    }
  }
  return [...windows.values()].sort((a, b) => a.windowStart - b.windowStart)
}
