import type { Persistence } from '../policy/policy-types'
import type { EvaluationStatus } from './evaluation-types'

/**
 * Hysteresis state of one model × rule × scope series. Derived by folding the series' evaluations
 * in window order, so it can always be rebuilt from stored results after a restart.
 */
export interface PersistenceState {
  /** A breach is confirmed: `raiseAfter` breaching windows in a row, not yet cleared. */
  confirmed: boolean
  /** Highest severity seen in the confirmed episode; null when not confirmed. */
  severity: 'warning' | 'critical' | null
  breachStreak: number
  cleanStreak: number
  /** Start of the first window of the current breaching streak. */
  streakStart: Date | null
  /** Worst severity in the current breaching streak. */
  streakSeverity: 'warning' | 'critical' | null
  /** Start of the first breaching window of the confirmed episode: identifies the episode. */
  episodeStart: Date | null
}

/** What a window did to the state. */
export type PersistenceTransition = 'confirmed' | 'escalated' | 'cleared' | null

/** State of a series nothing has been evaluated for. */
export const INITIAL_PERSISTENCE: PersistenceState = {
  confirmed: false,
  severity: null,
  breachStreak: 0,
  cleanStreak: 0,
  streakStart: null,
  streakSeverity: null,
  episodeStart: null,
}

/**
 * Advances the state by one evaluated window. Warning and critical windows are breaches, pass
 * windows are clean, and insufficient_evidence windows are skipped: they neither extend nor break
 * a streak, because they say nothing either way. A confirmed episode's severity only rises.
 */
export function stepPersistence(
  state: PersistenceState,
  status: EvaluationStatus,
  windowStart: Date,
  persistence: Persistence,
): { state: PersistenceState; transition: PersistenceTransition } {
  if (status === 'insufficient_evidence') return { state, transition: null }
  if (status === 'pass') {
    const cleanStreak = state.cleanStreak + 1
    if (state.confirmed && cleanStreak >= persistence.clearAfter) {
      return { state: { ...INITIAL_PERSISTENCE, cleanStreak }, transition: 'cleared' }
    }
    return {
      state: { ...state, cleanStreak, breachStreak: 0, streakStart: null, streakSeverity: null },
      transition: null,
    }
  }
  const breachStreak = state.breachStreak + 1
  const streakStart = state.streakStart ?? windowStart
  const streakSeverity = state.streakSeverity === 'critical' ? 'critical' : status
  const next = { ...state, breachStreak, cleanStreak: 0, streakStart, streakSeverity }
  if (!state.confirmed) {
    if (breachStreak >= persistence.raiseAfter) {
      return {
        state: { ...next, confirmed: true, severity: streakSeverity, episodeStart: streakStart },
        transition: 'confirmed',
      }
    }
    return { state: next, transition: null }
  }
  if (status === 'critical' && state.severity === 'warning') {
    return { state: { ...next, severity: 'critical' }, transition: 'escalated' }
  }
  return { state: next, transition: null }
}

/** Folds a series' statuses (in window order) into its state, starting from nothing. */
export function derivePersistence(
  series: readonly { status: EvaluationStatus; windowStart: Date }[],
  persistence: Persistence,
): PersistenceState {
  let state = INITIAL_PERSISTENCE
  for (const e of series) state = stepPersistence(state, e.status, e.windowStart, persistence).state
  return state
}
