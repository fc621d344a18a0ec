import type { Logger } from '@fairwatch/observability'
import { logLevel } from 'kafkajs'
import type { logCreator } from 'kafkajs'

/** Hands kafkajs's own log entries to the worker's logger, under component `kafka`. */
export function kafkaLogCreator(logger: Logger): logCreator {
  const kafkaLogger = logger.child({ component: 'kafka' })
  return () => (entry) => {
    const { message, ...fields } = entry.log
    const record = { namespace: entry.namespace, kafka_message: message, ...fields }
    if (entry.level === logLevel.ERROR) kafkaLogger.error(record, 'kafka client error')
    else if (entry.level === logLevel.WARN) kafkaLogger.warn(record, 'kafka client warning')
    else if (entry.level === logLevel.INFO) kafkaLogger.info(record, 'kafka client info')
    else kafkaLogger.debug(record, 'kafka client debug')
  }
}
