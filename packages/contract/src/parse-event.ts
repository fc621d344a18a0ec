import type { z } from 'zod'

import { acceptValidEvent } from './fast-check-event.ts'
import type { EventRecord } from './records.ts'
import type { Rejection, RejectionReason } from './rejection.ts'
import {
  MAX_EVENT_BYTES,
  SUPPORTED_CONTRACT_VERSIONS,
  outcomeEventSchema,
  predictionEventSchema,
} from './schemas.ts'

export type ParseResult = { ok: true; record: EventRecord } | { ok: false; rejection: Rejection }

function reject(
  raw: string,
  reason: RejectionReason,
  field: string | null,
  message: string,
): ParseResult {
  return { ok: false, rejection: { reason, field, message, raw } }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): { field: string; message: string } {
  const parts = issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(event)'
    return `${path}: ${issue.message}`
  })
  const first = issues[0]?.path.map(String).join('.') ?? ''
  return { field: first, message: parts.join('; ') }
}

function isOversize(raw: string): boolean {
  // A UTF-16 length of n is at most 3n bytes of UTF-8; measure only when it could matter.
  return raw.length * 3 > MAX_EVENT_BYTES && Buffer.byteLength(raw, 'utf8') > MAX_EVENT_BYTES
}

/**
 * Parses and checks one event given as JSON text. Never throws: a bad event comes back as a
 * Rejection that keeps the original text and says which field was wrong and how.
 */
export function parseEvent(raw: string): ParseResult {
  if (isOversize(raw)) {
    return reject(raw, 'oversize', null, `event is larger than ${MAX_EVENT_BYTES} bytes`)
  }

  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (err) {
    return reject(raw, 'malformed_json', null, (err as Error).message)
  }

  return checkEvent(value, raw)
}

/**
 * Checks an already-decoded event (for example one element of a JSON array body). `raw` is the
 * text kept on the rejection; by default the value re-encoded as JSON.
 */
export function checkEvent(value: unknown, raw?: string): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject(
      raw ?? safeStringify(value),
      'not_an_object',
      null,
      'an event must be a JSON object',
    )
  }

  const event = value as Record<string, unknown>
  const record = acceptValidEvent(event)
  if (record !== null) return { ok: true, record }

  const version = event.contract_version
  if (version !== undefined && !SUPPORTED_CONTRACT_VERSIONS.includes(version as number)) {
    const supported = SUPPORTED_CONTRACT_VERSIONS.join(', ')
    const message = `contract_version ${JSON.stringify(version)} is not supported (${supported})`
    return reject(
      raw ?? safeStringify(value),
      'unknown_contract_version',
      'contract_version',
      message,
    )
  }

  // Only events that need the full check get here, so the closure below is off the fast path.
  const text = () => raw ?? safeStringify(value)
  if (event.kind === 'prediction') return checkPrediction(event, text)
  if (event.kind === 'outcome') return checkOutcome(event, text)
  const message = `kind must be "prediction" or "outcome", got ${JSON.stringify(event.kind)}`
  return reject(text(), 'unknown_kind', 'kind', message)
}

function checkPrediction(event: Record<string, unknown>, text: () => string): ParseResult {
  const parsed = predictionEventSchema.safeParse(event)
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error.issues)
    return reject(text(), 'invalid_field', field, message)
  }

  const p = parsed.data
  return {
    ok: true,
    record: {
      kind: 'prediction',
      eventId: p.event_id,
      modelId: p.model_id,
      modelVersion: p.model_version,
      predictionId: p.prediction_id,
      eventTime: Date.parse(p.timestamp),
      decision: p.prediction,
      score: p.score ?? null,
      attributes: p.attributes,
    },
  }
}

function checkOutcome(event: Record<string, unknown>, text: () => string): ParseResult {
  const parsed = outcomeEventSchema.safeParse(event)
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error.issues)
    return reject(text(), 'invalid_field', field, message)
  }

  const o = parsed.data
  return {
    ok: true,
    record: {
      kind: 'outcome',
      eventId: o.event_id,
      modelId: o.model_id,
      predictionId: o.prediction_id,
      eventTime: Date.parse(o.timestamp),
      outcome: o.outcome,
    },
  }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    // Too deeply nested to write out (both throw RangeError), or not convertible at all.
    try {
      return String(value)
    } catch {
      return '(the value is nested too deeply to be written out)'
    }
  }
}
