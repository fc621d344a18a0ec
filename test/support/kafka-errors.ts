/** Codes of the errors raised while providing a Kafka broker to tests and benchmarks. */
export type KafkaSupportErrorCode =
  | 'FW_KAFKA_CONFIG_INVALID'
  | 'FW_KAFKA_START_FAILED'
  | 'FW_KAFKA_STOP_FAILED'
  | 'FW_KAFKA_NOT_READY'
  | 'FW_KAFKA_RESTART_UNSUPPORTED'

/** An environment variable that selects or describes the broker holds an unusable value. */
export class KafkaConfigError extends Error {
  readonly code = 'FW_KAFKA_CONFIG_INVALID'
  readonly retriable = false

  constructor(message: string) {
    super(message)
    this.name = 'KafkaConfigError'
  }
}

/**
 * No broker could be started. The message names what to install or start; `cause` holds the
 * underlying failure (broker.sh's output including the broker log tail, or the container error).
 */
export class KafkaStartError extends Error {
  readonly code = 'FW_KAFKA_START_FAILED'
  readonly retriable = false

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'KafkaStartError'
  }
}

/** A broker could not be stopped or restarted; `cause` holds the underlying failure. */
export class KafkaStopError extends Error {
  readonly code = 'FW_KAFKA_STOP_FAILED'
  readonly retriable = false

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'KafkaStopError'
  }
}

/** A broker did not answer a metadata request before the deadline; it may still be coming up. */
export class KafkaNotReadyError extends Error {
  readonly code = 'FW_KAFKA_NOT_READY'
  readonly retriable = true

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'KafkaNotReadyError'
  }
}

/** restart() was called on a broker this process cannot control (an external FW_KAFKA_BROKERS). */
export class KafkaRestartUnsupportedError extends Error {
  readonly code = 'FW_KAFKA_RESTART_UNSUPPORTED'
  readonly retriable = false

  constructor(message: string) {
    super(message)
    this.name = 'KafkaRestartUnsupportedError'
  }
}
