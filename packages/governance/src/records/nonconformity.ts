import { InputInvalidError, TransitionIllegalError, CloseNotVerifiedError } from '../errors'
import type { EffectivenessCheck } from './effectiveness'

/** Lifecycle of a nonconformity (ISO/IEC 42001 clause 10.2). */
export type NonconformityStatus =
  'open' | 'investigating' | 'action_planned' | 'action_taken' | 'verifying' | 'closed' | 'rejected'

/** A note left on a record. Times are ISO-8601 UTC strings throughout records. */
export interface RecordComment {
  at: string
  actor: string
  text: string
}

/** One status change of a nonconformity. */
export interface NonconformityHistoryEntry {
  at: string
  actor: string
  from: NonconformityStatus
  to: NonconformityStatus
  reason: string | null
}

/** The breach a nonconformity was raised for. */
export interface BreachSummary {
  severity: 'warning' | 'critical'
  /** Start of the first breaching window of the episode. */
  episodeStart: string
  /** Windows (start times) of the breaching streak that confirmed the breach, with values. */
  windows: {
    windowStart: string
    value: number | null
    status: string
    adjustedPValue: number | null
  }[]
}

/** A nonconformity: a confirmed breach of a rule on one scope of one model, and its handling. */
export interface Nonconformity {
  id: string
  /** Increases by one with every saved change. */
  revision: number
  modelId: string
  ruleId: string
  metric: string
  scopeKey: string
  attribute: string
  group: string | null
  windowSize: string
  policyName: string
  policyVersion: string
  title: string
  runbook: string | null
  /** Clean windows after the corrective action needed to close: the rule's `clearAfter`. */
  requiredCleanWindows: number
  status: NonconformityStatus
  breach: BreachSummary
  raisedAt: string
  updatedAt: string
  owner: string
  dueDate: string | null
  rootCause: string | null
  correctiveAction: string | null
  /** When the corrective action was recorded as taken; effectiveness is judged after it. */
  actionTakenAt: string | null
  closedAt: string | null
  rejectionReason: string | null
  /** Evidence that the action worked, attached when the record closed. */
  effectiveness: EffectivenessCheck | null
  /** The earlier nonconformity of the same model × rule × scope, when this one is a recurrence. */
  previousId: string | null
  incidentIds: string[]
  comments: RecordComment[]
  history: NonconformityHistoryEntry[]
}

const NEXT: Record<NonconformityStatus, readonly NonconformityStatus[]> = {
  open: ['investigating', 'rejected'],
  investigating: ['action_planned', 'rejected'],
  action_planned: ['action_taken', 'rejected'],
  action_taken: ['verifying', 'rejected'],
  // An action found ineffective during verification goes back to planning.
  verifying: ['closed', 'action_planned', 'rejected'],
  closed: [],
  rejected: [],
}

/** States a nonconformity may move to from `from`. */
export function nextNonconformityStatuses(
  from: NonconformityStatus,
): readonly NonconformityStatus[] {
  return NEXT[from]
}

/** True for states in which the record is still being handled. */
export function isNonconformityOpen(status: NonconformityStatus): boolean {
  return status !== 'closed' && status !== 'rejected'
}

/** A requested status change, with the fields it may set. */
export interface NonconformityTransition {
  to: NonconformityStatus
  actor: string
  at: Date
  /** Required when rejecting. */
  reason?: string
  rootCause?: string
  /** Required (here or already on the record) to move to action_planned. */
  correctiveAction?: string
  owner?: string
  dueDate?: Date
}

/**
 * Applies a status change and returns the new version (revision + 1); the input is not modified.
 * Closing needs `effectiveness`, computed by the caller from the evaluations after the action.
 * @throws TransitionIllegalError when the lifecycle does not connect the two states.
 * @throws InputInvalidError when a rejection has no reason or a plan has no corrective action.
 * @throws CloseNotVerifiedError when closing without an effective check.
 */
export function transitionNonconformity(
  nc: Nonconformity,
  t: NonconformityTransition,
  effectiveness?: EffectivenessCheck,
): Nonconformity {
  if (!NEXT[nc.status].includes(t.to)) {
    throw new TransitionIllegalError('nonconformity', nc.id, nc.status, t.to)
  }
  const at = t.at.toISOString()
  const next: Nonconformity = {
    ...nc,
    revision: nc.revision + 1,
    status: t.to,
    updatedAt: at,
    rootCause: t.rootCause ?? nc.rootCause,
    correctiveAction: t.correctiveAction ?? nc.correctiveAction,
    owner: t.owner ?? nc.owner,
    dueDate: t.dueDate ? t.dueDate.toISOString() : nc.dueDate,
    history: [
      ...nc.history,
      { at, actor: t.actor, from: nc.status, to: t.to, reason: t.reason ?? null },
    ],
  }
  switch (t.to) {
    case 'rejected':
      if (!t.reason?.trim())
        throw new InputInvalidError('reason', 'required to reject a nonconformity')
      next.rejectionReason = t.reason
      break
    case 'action_planned':
      if (!next.correctiveAction?.trim()) {
        throw new InputInvalidError('correctiveAction', 'required to plan an action')
      }
      break
    case 'action_taken':
      next.actionTakenAt = at
      break
    case 'closed':
      if (!effectiveness || !effectiveness.effective) {
        throw new CloseNotVerifiedError(
          nc.id,
          effectiveness?.cleanWindows ?? 0,
          effectiveness?.requiredCleanWindows ?? 0,
          effectiveness?.breachingWindows ?? 0,
        )
      }
      next.effectiveness = effectiveness
      next.closedAt = at
      break
    default:
      break
  }
  return next
}

/** Adds a comment (revision + 1). @throws InputInvalidError on empty text. */
export function commentNonconformity(
  nc: Nonconformity,
  c: { actor: string; text: string; at: Date },
): Nonconformity {
  if (!c.text.trim()) throw new InputInvalidError('text', 'a comment needs text')
  const at = c.at.toISOString()
  return {
    ...nc,
    revision: nc.revision + 1,
    updatedAt: at,
    comments: [...nc.comments, { at, actor: c.actor, text: c.text }],
  }
}

/** Sets owner and/or due date (revision + 1). */
export function assignNonconformity(
  nc: Nonconformity,
  a: { owner?: string; dueDate?: Date | null; at: Date },
): Nonconformity {
  if (a.owner !== undefined && !a.owner.trim())
    throw new InputInvalidError('owner', 'must not be empty')
  return {
    ...nc,
    revision: nc.revision + 1,
    updatedAt: a.at.toISOString(),
    owner: a.owner ?? nc.owner,
    dueDate:
      a.dueDate === undefined ? nc.dueDate : a.dueDate === null ? null : a.dueDate.toISOString(),
  }
}
