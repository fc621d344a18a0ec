/** Every condition this package reports, as a closed list. Callers branch on these, not on text. */
export type GovernanceErrorCode =
  | 'FW_POLICY_INVALID'
  | 'FW_POLICY_NOT_FOUND'
  | 'FW_INPUT_INVALID'
  | 'FW_TRANSITION_ILLEGAL'
  | 'FW_CLOSE_NOT_VERIFIED'
  | 'FW_RECORD_NOT_FOUND'
  | 'FW_RECORD_CONFLICT'
  | 'FW_STORAGE_FAILED'
  | 'FW_NOTIFICATION_FAILED'

/** Base of every error this package throws. */
export abstract class GovernanceError extends Error {
  abstract readonly code: GovernanceErrorCode
  /** True when the same call may succeed if simply tried again later. */
  abstract readonly retriable: boolean
}

/** One problem found in a policy document, located by its path (`rules[2].thresholds.critical`). */
export interface PolicyIssue {
  path: string
  message: string
}

/** A policy document was refused; `issues` lists every problem found, not only the first. */
export class PolicyInvalidError extends GovernanceError {
  readonly code = 'FW_POLICY_INVALID'
  readonly retriable = false
  constructor(
    readonly source: string,
    readonly issues: readonly PolicyIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `policy ${source} refused: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      options,
    )
    this.name = 'PolicyInvalidError'
  }
}

/** No policy applies to the model: neither one naming it nor a default policy is loaded. */
export class PolicyNotFoundError extends GovernanceError {
  readonly code = 'FW_POLICY_NOT_FOUND'
  readonly retriable = false
  constructor(readonly modelId: string) {
    super(`no policy applies to model ${modelId} and no default policy is loaded`)
    this.name = 'PolicyNotFoundError'
  }
}

/** An argument of a call is malformed; `field` names it. */
export class InputInvalidError extends GovernanceError {
  readonly code = 'FW_INPUT_INVALID'
  readonly retriable = false
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`)
    this.name = 'InputInvalidError'
  }
}

/** A record was asked to move between two states its lifecycle does not connect. */
export class TransitionIllegalError extends GovernanceError {
  readonly code = 'FW_TRANSITION_ILLEGAL'
  readonly retriable = false
  constructor(
    readonly recordKind: 'nonconformity' | 'incident',
    readonly recordId: string,
    readonly from: string,
    readonly to: string,
    detail?: string,
  ) {
    super(
      `${recordKind} ${recordId} cannot move from ${from} to ${to}${detail ? `: ${detail}` : ''}`,
    )
    this.name = 'TransitionIllegalError'
  }
}

/**
 * A nonconformity cannot close yet: the metric has not stayed within threshold for the required
 * number of evaluated windows after the corrective action was taken. Retriable: it may succeed
 * once more windows are evaluated.
 */
export class CloseNotVerifiedError extends GovernanceError {
  readonly code = 'FW_CLOSE_NOT_VERIFIED'
  readonly retriable = true
  constructor(
    readonly recordId: string,
    readonly cleanWindows: number,
    readonly requiredCleanWindows: number,
    readonly breachingWindows: number,
  ) {
    super(
      `nonconformity ${recordId} cannot close: ${cleanWindows} of ${requiredCleanWindows} clean ` +
        `windows since the corrective action was taken` +
        (breachingWindows > 0 ? `, and ${breachingWindows} breaching windows` : ''),
    )
    this.name = 'CloseNotVerifiedError'
  }
}

/** No record with that id exists. */
export class RecordNotFoundError extends GovernanceError {
  readonly code = 'FW_RECORD_NOT_FOUND'
  readonly retriable = false
  constructor(
    readonly recordKind: 'nonconformity' | 'incident',
    readonly recordId: string,
  ) {
    super(`${recordKind} ${recordId} not found`)
    this.name = 'RecordNotFoundError'
  }
}

/** The record changed since it was read (another writer saved a newer revision). */
export class RecordConflictError extends GovernanceError {
  readonly code = 'FW_RECORD_CONFLICT'
  readonly retriable = true
  constructor(
    readonly recordKind: 'nonconformity' | 'incident',
    readonly recordId: string,
    readonly expectedRevision: number,
    readonly actualRevision: number,
  ) {
    super(
      `${recordKind} ${recordId} is at revision ${actualRevision}, expected ${expectedRevision}`,
    )
    this.name = 'RecordConflictError'
  }
}

/** ClickHouse refused or could not be reached. */
export class StorageFailedError extends GovernanceError {
  readonly code = 'FW_STORAGE_FAILED'
  readonly retriable = true
  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(`storage operation failed: ${operation}`, options)
    this.name = 'StorageFailedError'
  }
}

/** One webhook delivery failed; the notification stays in the outbox and is tried again. */
export class NotificationFailedError extends GovernanceError {
  readonly code = 'FW_NOTIFICATION_FAILED'
  readonly retriable = true
  constructor(
    readonly target: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(
      `notification to ${target} failed: ${status === null ? 'no response' : `HTTP ${status}`}`,
      options,
    )
    this.name = 'NotificationFailedError'
  }
}
