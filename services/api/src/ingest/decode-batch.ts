import { BodyMalformedError } from '../errors.ts'
import type { IncomingEvent } from './ingest-events.ts'

/** Media types of batch bodies. */
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl']

/** Whether a content type (parameters ignored) is one of the NDJSON types. */
export function isNdjson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  return NDJSON_TYPES.includes(type)
}

/**
 * Splits a batch body into events: a JSON array (each element one event) or NDJSON (one event
 * per line; blank lines skipped, so a trailing newline is fine). Individual events are not
 * checked here: a bad line or element becomes a rejection of that event only.
 * @throws BodyMalformedError when a JSON body is not valid JSON or not an array.
 */
export function decodeBatch(body: string, ndjson: boolean): IncomingEvent[] {
  if (ndjson) {
    const events: IncomingEvent[] = []
    let start = 0
    let line = 1
    while (start <= body.length) {
      let end = body.indexOf('\n', start)
      if (end === -1) end = body.length
      let text = body.slice(start, end)
      if (text.endsWith('\r')) text = text.slice(0, -1)
      if (text.trim() !== '') events.push({ text, line })
      start = end + 1
      line += 1
    }
    return events
  }

  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (err) {
    throw new BodyMalformedError(`the body is not valid JSON: ${(err as Error).message}`)
  }
  if (!Array.isArray(value)) {
    throw new BodyMalformedError(
      'a JSON batch must be an array of events; send one event to /v1/events',
    )
  }
  return value.map((element) => ({ value: element }))
}
