/** Every condition this package reports, as a closed list. Callers branch on these, not on text. */
export type SimulatorErrorCode =
  'FW_SIMULATOR_OPTIONS_INVALID' | 'FW_SIMULATOR_SINK_FAILED' | 'FW_SIMULATOR_WRITE_FAILED'

/** Base of every error this package throws. */
export abstract class SimulatorError extends Error {
  abstract readonly code: SimulatorErrorCode
  /** True when the same call may succeed if simply tried again later. */
  abstract readonly retriable: boolean
}

/** A simulation option is outside its domain; `option` is its dotted path (`drift.group`). */
export class SimulationOptionsInvalidError extends SimulatorError {
  readonly code = 'FW_SIMULATOR_OPTIONS_INVALID'
  readonly retriable = false
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`option ${option} is ${describeValue(value)}, expected ${expected}`)
    this.name = 'SimulationOptionsInvalidError'
  }
}

/**
 * The live simulation's `onEvents` callback threw or rejected; the simulation stopped. The
 * callback's error is the `cause`, and `retriable` repeats the cause's own `retriable` flag (false
 * when it has none), so a caller can restart the simulation when its sink says the failure passes.
 */
export class SimulationSinkFailedError extends SimulatorError {
  readonly code = 'FW_SIMULATOR_SINK_FAILED'
  readonly retriable: boolean
  constructor(
    readonly eventsDelivered: number,
    cause: unknown,
  ) {
    super(`the events callback failed after ${eventsDelivered} events were delivered`, { cause })
    this.name = 'SimulationSinkFailedError'
    this.retriable = hasRetriableFlag(cause)
  }
}

const TRANSIENT_FILE_ERRORS = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR'])

/**
 * Writing an NDJSON file failed; `filePath` is the file that was not written. Nothing is left at
 * `filePath` by the failed write. Retriable when the operating system reported a passing condition
 * (too many open files, resource busy), not for a missing directory, a full disk or a denied access.
 */
export class NdjsonWriteFailedError extends SimulatorError {
  readonly code = 'FW_SIMULATOR_WRITE_FAILED'
  readonly retriable: boolean
  constructor(
    readonly filePath: string,
    cause: unknown,
  ) {
    super(`writing ${filePath} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    })
    this.name = 'NdjsonWriteFailedError'
    const code = (cause as { code?: unknown } | null)?.code
    this.retriable = typeof code === 'string' && TRANSIENT_FILE_ERRORS.has(code)
  }
}

function hasRetriableFlag(cause: unknown): boolean {
  return (
    typeof cause === 'object' &&
    cause !== null &&
    (cause as { retriable?: unknown }).retriable === true
  )
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  if (value instanceof Date) return `Date(${String(value.getTime())})`
  try {
    return JSON.stringify(value) ?? typeof value
  } catch {
    return typeof value
  }
}
