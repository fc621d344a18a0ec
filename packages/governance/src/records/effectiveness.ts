import type { EvaluationStatus } from '../evaluation/evaluation-types'

/** Evidence that a corrective action worked: the series' windows evaluated after it. */
export interface EffectivenessCheck {
  effective: boolean
  actionTakenAt: string
  requiredCleanWindows: number
  cleanWindows: number
  breachingWindows: number
  /** Windows with insufficient evidence; they count neither way. */
  inconclusiveWindows: number
  windows: { windowStart: string; status: EvaluationStatus; value: number | null }[]
  checkedAt: string
}

/**
 * Judges a corrective action from the evaluations of its series whose window started at or after
 * the action was taken (windows that began earlier hold data from before the action and are
 * ignored). Effective when no such window breached and at least `requiredCleanWindows` passed.
 * A breach after the action means it did not work: plan a new action (verifying → action_planned),
 * whose own clean windows then count.
 */
export function checkEffectiveness(
  series: readonly { windowStart: Date; status: EvaluationStatus; value: number | null }[],
  actionTakenAt: Date,
  requiredCleanWindows: number,
  now: Date,
): EffectivenessCheck {
  const after = series
    .filter((e) => e.windowStart.getTime() >= actionTakenAt.getTime())
    .sort((a, b) => a.windowStart.getTime() - b.windowStart.getTime())
  const count = (pred: (s: EvaluationStatus) => boolean): number =>
    after.filter((e) => pred(e.status)).length
  const cleanWindows = count((s) => s === 'pass')
  const breachingWindows = count((s) => s === 'warning' || s === 'critical')
  return {
    effective: breachingWindows === 0 && cleanWindows >= requiredCleanWindows,
    actionTakenAt: actionTakenAt.toISOString(),
    requiredCleanWindows,
    cleanWindows,
    breachingWindows,
    inconclusiveWindows: count((s) => s === 'insufficient_evidence'),
    windows: after.map((e) => ({
      windowStart: e.windowStart.toISOString(),
      status: e.status,
      value: e.value,
    })),
    checkedAt: now.toISOString(),
  }
}
