import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EvaluationStatus } from '../src/evaluation/evaluation-types'
import {
  derivePersistence,
  INITIAL_PERSISTENCE,
  stepPersistence,
  type PersistenceTransition,
} from '../src/evaluation/persistence'

const persistence = { raiseAfter: 2, clearAfter: 3 }

function day(n: number): Date {
  return new Date(Date.UTC(2025, 0, 1 + n))
}

function transitions(statuses: EvaluationStatus[], p = persistence): PersistenceTransition[] {
  let state = INITIAL_PERSISTENCE
  return statuses.map((status, i) => {
    const step = stepPersistence(state, status, day(i), p)
    state = step.state
    return step.transition
  })
}

describe('persistence and hysteresis', () => {
  it('confirms a breach only after raiseAfter consecutive breaching windows', () => {
    const result = transitions(['pass', 'warning', 'warning', 'warning'])

    expect(result).toEqual([null, null, 'confirmed', null])
  })

  it('clears a confirmed breach only after clearAfter consecutive clean windows', () => {
    const result = transitions([
      'warning',
      'warning',
      'pass',
      'pass',
      'warning',
      'pass',
      'pass',
      'pass',
    ])

    expect(result).toEqual([null, 'confirmed', null, null, null, null, null, 'cleared'])
  })

  it('never confirms a metric alternating around its threshold', () => {
    const oscillating: EvaluationStatus[] = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? 'warning' : 'pass',
    )

    const result = transitions(oscillating)

    expect(result.filter((t) => t !== null)).toEqual([])
  })

  it('confirms and clears a confirmed breach at most once while it oscillates', () => {
    const statuses: EvaluationStatus[] = [
      'warning',
      'warning',
      ...Array.from({ length: 30 }, (_, i): EvaluationStatus => (i % 2 === 0 ? 'pass' : 'warning')),
    ]

    const result = transitions(statuses)

    expect(result.filter((t) => t !== null)).toEqual(['confirmed'])
  })

  it('skips insufficient evidence windows instead of counting them as clean', () => {
    const result = transitions([
      'warning',
      'insufficient_evidence',
      'warning',
      'insufficient_evidence',
      'pass',
      'insufficient_evidence',
      'pass',
      'pass',
    ])

    expect(result).toEqual([null, null, 'confirmed', null, null, null, null, 'cleared'])
  })

  it('escalates a confirmed warning episode to critical once', () => {
    const result = transitions(['warning', 'warning', 'critical', 'critical'])

    expect(result).toEqual([null, 'confirmed', 'escalated', null])
  })

  it('confirms with the worst severity of the confirming streak', () => {
    const state = derivePersistence(
      [
        { status: 'critical', windowStart: day(0) },
        { status: 'warning', windowStart: day(1) },
      ],
      persistence,
    )

    expect(state.confirmed).toBe(true)
    expect(state.severity).toBe('critical')
    expect(state.episodeStart).toEqual(day(0))
  })

  it('derives the same state from history as stepping window by window', () => {
    const status = fc.constantFrom<EvaluationStatus>(
      'pass',
      'warning',
      'critical',
      'insufficient_evidence',
    )
    fc.assert(
      fc.property(fc.array(status, { maxLength: 30 }), (statuses) => {
        let state = INITIAL_PERSISTENCE
        statuses.forEach((s, i) => {
          state = stepPersistence(state, s, day(i), persistence).state
        })

        const derived = derivePersistence(
          statuses.map((s, i) => ({ status: s, windowStart: day(i) })),
          persistence,
        )

        expect(derived).toEqual(state)
      }),
    )
  })

  it('never confirms fewer than raiseAfter windows after a clean one', () => {
    const status = fc.constantFrom<EvaluationStatus>('pass', 'warning', 'critical')
    fc.assert(
      fc.property(
        fc.array(status, { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (statuses, raiseAfter) => {
          const result = transitions(statuses, { raiseAfter, clearAfter: 2 })

          result.forEach((t, i) => {
            if (t !== 'confirmed') return
            const streak = statuses.slice(Math.max(0, i - raiseAfter + 1), i + 1)
            expect(streak).toHaveLength(raiseAfter)
            expect(streak.every((s) => s !== 'pass')).toBe(true)
          })
        },
      ),
    )
  })
})
