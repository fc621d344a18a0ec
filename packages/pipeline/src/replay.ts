import { availableParallelism } from 'node:os'

import type { Rejection } from '@fairwatch/contract'
import type { WindowMetrics } from '@fairwatch/store'

import type { FairnessPipeline } from './fairness-pipeline.ts'
import { lineChunks } from './line-chunks.ts'
import { ParserPool } from './parser-pool.ts'
import type { ParsedChunk } from './parser-pool.ts'

/** A line that was not a valid event. */
export interface RejectedLine {
  line: number
  rejection: Rejection
}

/** What a replay read, kept and refused. */
export interface ReplaySummary {
  /** Number of the last line that is not blank. */
  lines: number
  predictions: number
  outcomes: number
  rejected: number
  rejectedByReason: Record<string, number>
}

export interface ReplayOptions {
  pipeline: FairnessPipeline
  /** NDJSON bytes (a file, standard input): predictions and outcomes mixed in any order. */
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>
  /** Receives every refused line, in input order, so nothing valid waits on it. */
  onRejected: (rejected: RejectedLine) => void
  /** Events stored per insert, about. Default 100,000. */
  batchSize?: number
  /** Threads that parse and check lines. Default one per core, at most 8. */
  parsers?: number
}

/**
 * Runs recorded events through the pipeline: parses and checks every line (on `parsers` threads,
 * chunk by chunk, answers taken in input order), stores the valid events (one batch is stored
 * while the next is parsed), then recomputes every window. Returns the window metrics and a
 * summary. Throws StoreError if the store fails.
 */
export async function replay(
  options: ReplayOptions,
): Promise<{ windows: WindowMetrics[]; summary: ReplaySummary }> {
  const batchSize = options.batchSize ?? 100_000
  const summary: ReplaySummary = {
    lines: 0,
    predictions: 0,
    outcomes: 0,
    rejected: 0,
    rejectedByReason: {},
  }
  const threads = Math.max(1, options.parsers ?? Math.min(8, availableParallelism()))
  const parsers = new ParserPool(threads)
  // Chunks under way: enough to keep every thread busy, few enough to bound memory.
  const ahead = 2 * threads
  let predictions: Uint8Array[] = []
  let outcomes: Uint8Array[] = []
  let batched = 0
  let storing: Promise<void> = Promise.resolve()
  let linesBefore = 0

  const flush = async () => {
    const rows = {
      predictions: Buffer.concat(predictions),
      outcomes: Buffer.concat(outcomes),
      rejected: new Uint8Array(0),
    }
    predictions = []
    outcomes = []
    batched = 0
    await storing
    storing = options.pipeline.storeEncoded(rows)
    // Awaited by the next flush; until then a failure must not count as unhandled.
    storing.catch(() => undefined)
  }

  const take = async (parsed: ParsedChunk) => {
    for (const { line, rejection } of parsed.rejected) {
      summary.rejected += 1
      summary.rejectedByReason[rejection.reason] =
        (summary.rejectedByReason[rejection.reason] ?? 0) + 1
      options.onRejected({ line: linesBefore + line, rejection })
    }
    if (parsed.lastLine > 0) summary.lines = linesBefore + parsed.lastLine
    linesBefore += parsed.lines
    summary.predictions += parsed.predictions
    summary.outcomes += parsed.outcomes
    predictions.push(parsed.rows.predictions)
    outcomes.push(parsed.rows.outcomes)
    batched += parsed.predictions + parsed.outcomes
    if (batched >= batchSize) await flush()
  }

  try {
    const queue: Promise<ParsedChunk>[] = []
    for await (const chunk of lineChunks(options.input)) {
      const parsed = parsers.parse(chunk)
      // Awaited in turn below; a failure meanwhile must not count as unhandled.
      parsed.catch(() => undefined)
      queue.push(parsed)
      if (queue.length >= ahead) await take(await (queue.shift() as Promise<ParsedChunk>))
    }
    while (queue.length > 0) await take(await (queue.shift() as Promise<ParsedChunk>))
    await flush()
    await storing
  } finally {
    await parsers.close()
  }

  const windows = await options.pipeline.recomputeAll()
  return { windows, summary }
}
