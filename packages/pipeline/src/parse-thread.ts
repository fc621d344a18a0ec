/*
 * The body of a replay's parsing thread (see ParserPool): takes a chunk of NDJSON bytes that ends
 * at a line end (or the end of the input), parses and checks every line with parseEvent, and
 * answers with the valid events encoded as rows of the event tables and the refused lines.
 */
import { parentPort, workerData } from 'node:worker_threads'

import { parseEvent } from '@fairwatch/contract'
import type { OutcomeRecord, PredictionRecord } from '@fairwatch/contract'
import { encodeEvents } from '@fairwatch/store/event-rows'

import { PARSER_THREAD } from './parser-pool.ts'
import type { ChunkRequest, ParsedChunk } from './parser-pool.ts'

// Invalid UTF-8 becomes U+FFFD, as when the input is read as text.
const decoder = new TextDecoder('utf-8')

export function parseChunk(bytes: Uint8Array): Omit<ParsedChunk, 'id'> {
  const text = decoder.decode(bytes)
  const parts = text.split('\n')
  // A chunk ends at a line end, after which split leaves an empty piece that is no line.
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  const predictions: PredictionRecord[] = []
  const outcomes: OutcomeRecord[] = []
  const rejected: ParsedChunk['rejected'] = []
  let lastLine = 0
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] as string
    const line = part.endsWith('\r') ? part.slice(0, -1) : part
    if (line.length === 0) continue
    lastLine = i + 1
    const result = parseEvent(line)
    if (!result.ok) rejected.push({ line: i + 1, rejection: result.rejection })
    else if (result.record.kind === 'prediction') predictions.push(result.record)
    else outcomes.push(result.record)
  }
  return {
    lines: parts.length,
    lastLine,
    predictions: predictions.length,
    outcomes: outcomes.length,
    // Refused lines go back to the caller, not into the rows: `rows.rejected` is empty.
    rows: encodeEvents({ predictions, outcomes }),
    rejected,
  }
}

// Only in a thread started by ParserPool: imported anywhere else, the module just exports.
const port = workerData === PARSER_THREAD ? parentPort : null
port?.on('message', (request: ChunkRequest) => {
  const answer: ParsedChunk = { id: request.id, ...parseChunk(request.bytes) }
  // The rows move to the main thread instead of being copied: each has a buffer of its own.
  const { predictions, outcomes, rejected } = answer.rows
  port.postMessage(answer, [predictions.buffer, outcomes.buffer, rejected.buffer] as ArrayBuffer[])
})
