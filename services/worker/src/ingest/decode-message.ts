import type { EventKind, EventRecord, ParseResult, Rejection } from '@fairwatch/contract'
import { parseEvent } from '@fairwatch/contract'

const utf8 = new TextDecoder('utf-8', { fatal: true })
const lenientUtf8 = new TextDecoder('utf-8')

/**
 * Turns one Kafka message value into an event record, or a rejection that says why not. The value
 * must be UTF-8 JSON text of one event (see parseEvent) whose kind is the one its topic carries:
 * an outcome on the predictions topic is refused as `wrong_topic`. A missing value (a tombstone)
 * and bytes that are not UTF-8 are refused as `malformed_json`. Never throws.
 */
export function decodeMessage(
  value: Buffer | null,
  expected: EventKind,
  topic: string,
): ParseResult {
  if (value === null) {
    return rejected({
      reason: 'malformed_json',
      field: null,
      message: 'the message has no value',
      raw: '',
    })
  }
  let text: string
  try {
    text = utf8.decode(value)
  } catch {
    return rejected({
      reason: 'malformed_json',
      field: null,
      message: 'the message value is not valid UTF-8',
      raw: lenientUtf8.decode(value),
    })
  }

  const parsed = parseEvent(text)
  if (!parsed.ok || parsed.record.kind === expected) return parsed
  return rejected({
    reason: 'wrong_topic',
    field: 'kind',
    message: `${parsed.record.kind === 'outcome' ? 'an' : 'a'} ${parsed.record.kind} event on topic ${topic}, which carries ${expected} events only`,
    raw: text,
  })
}

function rejected(rejection: Rejection): ParseResult {
  return { ok: false, rejection }
}

/** The valid events of a batch, by kind, and its refused messages with why. */
export interface DecodedBatch<M> {
  predictions: Extract<EventRecord, { kind: 'prediction' }>[]
  outcomes: Extract<EventRecord, { kind: 'outcome' }>[]
  rejected: { message: M; rejection: Rejection }[]
}

/** Decodes every message of a batch from one topic (see decodeMessage). */
export function decodeBatch<M extends { value: Buffer | null }>(
  messages: readonly M[],
  expected: EventKind,
  topic: string,
): DecodedBatch<M> {
  const decoded: DecodedBatch<M> = { predictions: [], outcomes: [], rejected: [] }
  for (const message of messages) {
    const result = decodeMessage(message.value, expected, topic)
    if (!result.ok) decoded.rejected.push({ message, rejection: result.rejection })
    else if (result.record.kind === 'prediction') decoded.predictions.push(result.record)
    else decoded.outcomes.push(result.record)
  }
  return decoded
}
