import { computeAttributeMetrics } from '@fairwatch/metrics'
import type { GroupCounts, MetricRow } from '@fairwatch/metrics'

import type { ModelSettings } from './settings.ts'
import type { WindowCounts } from './window-counts.ts'
import { intersectionName } from './settings.ts'

const COUNT_FIELDS = [
  'predictions',
  'selected',
  'labelled',
  'tp',
  'fp',
  'tn',
  'fn',
  'scored',
  'scoreSum',
  'labelledScored',
  'labelledScoreSum',
  'labelledScoredPositives',
] as const satisfies readonly (keyof GroupCounts)[]

/** The predictions of a window that carry no label for an attribute: totals minus every group. */
function missingCounts(
  totals: GroupCounts,
  groups: ReadonlyMap<string, GroupCounts>,
): GroupCounts | undefined {
  const missing = { ...totals }
  for (const counts of groups.values()) {
    for (const field of COUNT_FIELDS) missing[field] -= counts[field]
  }
  return missing.predictions > 0 ? missing : undefined
}

/** Attributes reported for a window: the configured ones, else every one seen, plus intersections. */
function reportedAttributes(window: WindowCounts, settings: ModelSettings): string[] {
  const plain =
    settings.attributes ?? [...window.attributes.keys()].filter((a) => !isIntersection(a, settings))
  const intersections = (settings.intersections ?? []).map(intersectionName)
  return [...new Set([...plain, ...intersections])].sort()
}

function isIntersection(attribute: string, settings: ModelSettings): boolean {
  return (settings.intersections ?? []).some((names) => intersectionName(names) === attribute)
}

/**
 * Every metric row of one window: per attribute and intersection, the rates of each group, of the
 * predictions lacking the attribute, the across-group metrics and the comparisons with the
 * reference group. An attribute configured for the model but absent from the window still gets
 * its rows (every prediction then counts as missing), so a group never silently vanishes.
 */
export function computeWindowMetricRows(
  window: WindowCounts,
  settings: ModelSettings,
  confidence: number,
): MetricRow[] {
  const rows: MetricRow[] = []
  for (const attribute of reportedAttributes(window, settings)) {
    const groups = window.attributes.get(attribute) ?? new Map<string, GroupCounts>()
    const referenceGroup = settings.referenceGroups[attribute]
    rows.push(
      ...computeAttributeMetrics({
        attribute,
        groups,
        missing: missingCounts(window.totals, groups),
        options: { minSample: settings.minSample, confidence, referenceGroup },
      }),
    )
  }
  return rows
}
