import type { OutcomeRecord, PredictionRecord, Rejection } from '@fairwatch/contract'
import { parseEvent } from '@fairwatch/contract'
import type { WindowMetrics } from '@fairwatch/store'

import type { FairnessPipeline } from './fairness-pipeline.ts'
import type { NumberedLine } from './line-reader.ts'

/** A line that was not a valid event. */
export interface RejectedLine {
  line: number
  rejection: Rejection
}

/** What a replay read, kept and refused. */
export interface ReplaySummary {
  lines: number
  predictions: number
  outcomes: number
  rejected: number
  rejectedByReason: Record<string, number>
}

export interface ReplayOptions {
  pipeline: FairnessPipeline
  /** Batches of numbered lines, as readLines yields them. */
  lines: AsyncIterable<NumberedLine[]>
  /** Receives every refused line at once, so nothing valid waits on it. */
  onRejected: (rejected: RejectedLine) => void
  /** Events stored per insert. Default 100,000. */
  batchSize?: number
}

/**
 * Runs recorded events through the pipeline: parses every line, stores the valid events (the next
 * batch is parsed while the previous one is being inserted), then recomputes every window.
 * Returns the window metrics and a summary. Throws StoreError if the store fails.
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
  let predictions: PredictionRecord[] = []
  let outcomes: OutcomeRecord[] = []
  let inFlight: Promise<void> = Promise.resolve()

  const flush = async () => {
    const batch = { predictions, outcomes }
    predictions = []
    outcomes = []
    await inFlight
    inFlight = options.pipeline.store(batch, { trackWindows: false })
  }

  for await (const lines of options.lines) {
    for (const { number, text } of lines) {
      summary.lines = number
      const result = parseEvent(text)
      if (!result.ok) {
        summary.rejected += 1
        const reason = result.rejection.reason
        summary.rejectedByReason[reason] = (summary.rejectedByReason[reason] ?? 0) + 1
        options.onRejected({ line: number, rejection: result.rejection })
      } else if (result.record.kind === 'prediction') {
        predictions.push(result.record)
        summary.predictions += 1
      } else {
        outcomes.push(result.record)
        summary.outcomes += 1
      }
    }
    if (predictions.length + outcomes.length >= batchSize) await flush()
  }
  await flush()
  await inFlight

  const windows = await options.pipeline.recomputeAll()
  return { windows, summary }
}
