import { pino } from 'pino'
import type { Logger } from 'pino'

export type { Logger }

/**
 * Creates the process's logger: JSON lines on stdout (or `destination`), level from FW_LOG_LEVEL
 * (default `info`). Errors go under the key `err`.
 */
export function createLogger(
  name: string,
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  const level = options.level ?? process.env.FW_LOG_LEVEL ?? 'info'
  const config = { name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime }
  return options.destination ? pino(config, options.destination) : pino(config)
}

/** A logger that writes nothing, for tests and library callers without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
