/** Every condition the worker reports, as a closed list. Callers branch on these, not on text. */
export type WorkerErrorCode =
  | 'FW_WORKER_CONFIG_INVALID'
  | 'FW_WORKER_STORE_FAILED'
  | 'FW_WORKER_KAFKA_FAILED'
  | 'FW_WORKER_STATE_INVALID'

/** Base of every error the worker throws. */
export abstract class WorkerError extends Error {
  abstract readonly code: WorkerErrorCode
  /** True when running the same thing again later may succeed. */
  abstract readonly retriable: boolean
}

/** An environment variable or option holds an unusable value; `variable` names it. */
export class WorkerConfigError extends WorkerError {
  readonly code = 'FW_WORKER_CONFIG_INVALID'
  readonly retriable = false

  constructor(
    readonly variable: string,
    readonly detail: string,
  ) {
    super(`${variable}: ${detail}`)
    this.name = 'WorkerConfigError'
  }
}

/**
 * The store refused an operation in a way retrying cannot fix (a rejected query, a broken schema).
 * The worker stops without committing what the failed operation covers, so nothing is skipped:
 * a restarted worker reads those events again. `operation` names what failed.
 */
export class WorkerStoreFailedError extends WorkerError {
  readonly code = 'FW_WORKER_STORE_FAILED'
  readonly retriable = false

  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(`${operation} failed and cannot be retried`, options)
    this.name = 'WorkerStoreFailedError'
  }
}

/** The Kafka consumer crashed and kafkajs will not restart it; `cause` holds its error. */
export class WorkerKafkaFailedError extends WorkerError {
  readonly code = 'FW_WORKER_KAFKA_FAILED'
  readonly retriable = false

  constructor(options: { cause: unknown }) {
    super('the Kafka consumer crashed and will not restart', options)
    this.name = 'WorkerKafkaFailedError'
  }
}

/** A worker was started twice, or used after it stopped. */
export class WorkerStateError extends WorkerError {
  readonly code = 'FW_WORKER_STATE_INVALID'
  readonly retriable = false

  constructor(detail: string) {
    super(detail)
    this.name = 'WorkerStateError'
  }
}
