import type { Rejection } from '@fairwatch/contract'
import type { IHeaders, KafkaMessage, Message } from 'kafkajs'

/** Headers the worker adds to a dead-lettered message, next to the original ones. */
export const DEAD_LETTER_HEADERS = {
  reason: 'fw-reason',
  field: 'fw-field',
  message: 'fw-message',
  sourceTopic: 'fw-source-topic',
  sourcePartition: 'fw-source-partition',
  sourceOffset: 'fw-source-offset',
  sourceTimestamp: 'fw-source-timestamp',
} as const

/**
 * The dead-letter copy of a refused message: its original value bytes, key and headers, plus
 * headers saying why it was refused (`fw-reason`, `fw-field` — empty when the whole event is at
 * fault — and `fw-message`) and where it came from (`fw-source-topic`, `fw-source-partition`,
 * `fw-source-offset`, `fw-source-timestamp`). An original header of the same name is replaced.
 */
export function deadLetterMessage(
  source: { topic: string; partition: number; message: KafkaMessage },
  rejection: Rejection,
): Message {
  const headers: IHeaders = { ...source.message.headers }
  headers[DEAD_LETTER_HEADERS.reason] = rejection.reason
  headers[DEAD_LETTER_HEADERS.field] = rejection.field ?? ''
  headers[DEAD_LETTER_HEADERS.message] = rejection.message
  headers[DEAD_LETTER_HEADERS.sourceTopic] = source.topic
  headers[DEAD_LETTER_HEADERS.sourcePartition] = String(source.partition)
  headers[DEAD_LETTER_HEADERS.sourceOffset] = source.message.offset
  headers[DEAD_LETTER_HEADERS.sourceTimestamp] = source.message.timestamp
  return { key: source.message.key, value: source.message.value, headers }
}
