import { describe, expect, it } from 'vitest'
import { CloseNotVerifiedError, InputInvalidError, TransitionIllegalError } from '../src/errors'
import { article73Deadline } from '../src/records/article-73'
import { checkEffectiveness } from '../src/records/effectiveness'
import {
  classifySeriousIncident,
  createIncident,
  transitionIncident,
} from '../src/records/incident'
import { transitionNonconformity, type Nonconformity } from '../src/records/nonconformity'

const at = new Date('2025-03-10T12:00:00Z')

function nonconformity(overrides: Partial<Nonconformity> = {}): Nonconformity {
  return {
    id: 'nc-1',
    revision: 1,
    modelId: 'credit',
    ruleId: 'di',
    metric: 'disparate_impact',
    scopeKey: 'sex:female',
    attribute: 'sex',
    group: 'female',
    windowSize: '1d',
    policyName: 'starter',
    policyVersion: 'v',
    title: 't',
    runbook: null,
    requiredCleanWindows: 3,
    status: 'open',
    breach: { severity: 'warning', episodeStart: at.toISOString(), windows: [] },
    raisedAt: at.toISOString(),
    updatedAt: at.toISOString(),
    owner: 'risk',
    dueDate: null,
    rootCause: null,
    correctiveAction: null,
    actionTakenAt: null,
    closedAt: null,
    rejectionReason: null,
    effectiveness: null,
    previousId: null,
    incidentIds: [],
    comments: [],
    history: [],
    ...overrides,
  }
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error')
}

const day = (n: number): Date => new Date(Date.UTC(2025, 2, 10 + n))

describe('nonconformity lifecycle', () => {
  it('walks open to verifying, recording who moved it and when the action was taken', () => {
    let nc = nonconformity()

    nc = transitionNonconformity(nc, { to: 'investigating', actor: 'ana', at, rootCause: 'drift' })
    nc = transitionNonconformity(nc, {
      to: 'action_planned',
      actor: 'ana',
      at,
      correctiveAction: 'retrain',
    })
    nc = transitionNonconformity(nc, { to: 'action_taken', actor: 'bo', at: day(1) })
    nc = transitionNonconformity(nc, { to: 'verifying', actor: 'bo', at: day(1) })

    expect(nc.status).toBe('verifying')
    expect(nc.revision).toBe(5)
    expect(nc.actionTakenAt).toBe(day(1).toISOString())
    expect(nc.history.map((h) => `${h.from}>${h.to}:${h.actor}`)).toEqual([
      'open>investigating:ana',
      'investigating>action_planned:ana',
      'action_planned>action_taken:bo',
      'action_taken>verifying:bo',
    ])
  })

  it('refuses a skipped step with the code and both states', () => {
    const err = caught(() =>
      transitionNonconformity(nonconformity(), { to: 'action_taken', actor: 'a', at }),
    )

    expect(err).toBeInstanceOf(TransitionIllegalError)
    expect(err).toMatchObject({ code: 'FW_TRANSITION_ILLEGAL', from: 'open', to: 'action_taken' })
  })

  it('refuses to leave a closed record, even to reject it', () => {
    const err = caught(() =>
      transitionNonconformity(nonconformity({ status: 'closed' }), {
        to: 'rejected',
        actor: 'a',
        at,
        reason: 'x',
      }),
    )

    expect(err).toMatchObject({ code: 'FW_TRANSITION_ILLEGAL', from: 'closed', to: 'rejected' })
  })

  it('rejects from any open state only with a reason', () => {
    const withoutReason = caught(() =>
      transitionNonconformity(nonconformity({ status: 'action_taken' }), {
        to: 'rejected',
        actor: 'a',
        at,
      }),
    )
    const rejected = transitionNonconformity(nonconformity({ status: 'action_taken' }), {
      to: 'rejected',
      actor: 'a',
      at,
      reason: 'metric definition was wrong',
    })

    expect(withoutReason).toBeInstanceOf(InputInvalidError)
    expect(rejected.rejectionReason).toBe('metric definition was wrong')
  })

  it('refuses to plan an action without saying what it is', () => {
    const err = caught(() =>
      transitionNonconformity(nonconformity({ status: 'investigating' }), {
        to: 'action_planned',
        actor: 'a',
        at,
      }),
    )

    expect(err).toMatchObject({ code: 'FW_INPUT_INVALID', field: 'correctiveAction' })
  })

  it('refuses to close until enough clean windows follow the action, then attaches the evidence', () => {
    const verifying = nonconformity({ status: 'verifying', actionTakenAt: day(1).toISOString() })
    const series = [
      { windowStart: day(0), status: 'warning' as const, value: 0.7 },
      { windowStart: day(1), status: 'pass' as const, value: 0.9 },
      { windowStart: day(2), status: 'insufficient_evidence' as const, value: null },
      { windowStart: day(3), status: 'pass' as const, value: 0.95 },
    ]
    const early = checkEffectiveness(series, day(1), 3, day(4))
    const later = checkEffectiveness(
      [...series, { windowStart: day(4), status: 'pass', value: 0.9 }],
      day(1),
      3,
      day(5),
    )

    const err = caught(() =>
      transitionNonconformity(verifying, { to: 'closed', actor: 'a', at: day(4) }, early),
    )
    const closed = transitionNonconformity(
      verifying,
      { to: 'closed', actor: 'a', at: day(5) },
      later,
    )

    expect(err).toBeInstanceOf(CloseNotVerifiedError)
    expect(err).toMatchObject({ cleanWindows: 2, requiredCleanWindows: 3, retriable: true })
    expect(closed.status).toBe('closed')
    expect(closed.effectiveness).toMatchObject({
      effective: true,
      cleanWindows: 3,
      inconclusiveWindows: 1,
    })
  })

  it('judges an action ineffective when a window after it breaches', () => {
    const series = [
      { windowStart: day(1), status: 'pass' as const, value: 0.9 },
      { windowStart: day(2), status: 'critical' as const, value: 0.5 },
      { windowStart: day(3), status: 'pass' as const, value: 0.9 },
      { windowStart: day(4), status: 'pass' as const, value: 0.9 },
    ]

    const check = checkEffectiveness(series, day(1), 3, day(5))

    expect(check).toMatchObject({ effective: false, cleanWindows: 3, breachingWindows: 1 })
  })
})

describe('incident lifecycle', () => {
  const incident = createIncident({
    id: 'inc-1',
    title: 'Selection rate gap',
    modelId: 'credit',
    severity: 'critical',
    actor: 'system:evaluation',
    at,
    reason: 'critical confirmed breach',
  })

  it('moves only one step at a time and keeps a timeline', () => {
    const acknowledged = transitionIncident(incident, { to: 'acknowledged', actor: 'oncall', at })
    const skipped = caught(() =>
      transitionIncident(incident, { to: 'resolved', actor: 'oncall', at }),
    )

    expect(acknowledged.timeline.map((t) => t.kind)).toEqual(['opened', 'transition'])
    expect(skipped).toMatchObject({ code: 'FW_TRANSITION_ILLEGAL', from: 'open', to: 'resolved' })
  })
})

describe('EU AI Act Article 73 deadlines', () => {
  const aware = new Date('2025-06-01T08:30:00Z')

  it.each([
    ['general', '2025-06-16T08:30:00.000Z'],
    ['widespread_infringement', '2025-06-03T08:30:00.000Z'],
    ['critical_infrastructure', '2025-06-03T08:30:00.000Z'],
    ['death', '2025-06-11T08:30:00.000Z'],
  ] as const)('gives a %s serious incident a report due date of %s', (category, due) => {
    const deadline = article73Deadline(category, aware)

    expect(deadline.toISOString()).toBe(due)
  })

  it('shows the due date on a classified incident', () => {
    const incident = createIncident({
      id: 'i',
      title: 't',
      modelId: 'm',
      severity: 'high',
      actor: 'a',
      at,
      reason: 'r',
    })

    const classified = classifySeriousIncident(incident, {
      category: 'death',
      awareAt: aware,
      actor: 'dpo',
      at,
    })

    expect(classified.serious).toMatchObject({
      category: 'death',
      reportDueAt: '2025-06-11T08:30:00.000Z',
    })
    expect(classified.timeline.at(-1)?.kind).toBe('classified')
  })

  it('refuses an unknown category', () => {
    const incident = createIncident({
      id: 'i',
      title: 't',
      modelId: 'm',
      severity: 'high',
      actor: 'a',
      at,
      reason: 'r',
    })

    const err = caught(() =>
      classifySeriousIncident(incident, {
        category: 'minor' as never,
        awareAt: aware,
        actor: 'dpo',
        at,
      }),
    )

    expect(err).toMatchObject({ code: 'FW_INPUT_INVALID', field: 'category' })
  })
})
