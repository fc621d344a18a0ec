import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

import {
  FairnessPipeline,
  defaultSettings,
  loadSettings,
  metricOutputRows,
  replay,
  settingsFrom,
} from '@fairwatch/pipeline'
import type { PipelineSettings, RejectedLine } from '@fairwatch/pipeline'
import {
  applyMigrations,
  countOrphanOutcomes,
  createStoreClient,
  eventTotals,
  storeMigrations,
} from '@fairwatch/store'

import { UsageError } from '../errors.ts'

export const replayUsage = `Usage: fairwatch replay --input FILE [--window SIZE|all] [--config FILE]
                        [--rejects FILE] [--data-dir DIR]

Runs recorded prediction and outcome events (NDJSON, mixed in any order) through the pipeline the
streaming worker runs, and writes one JSON line per model, window, attribute, group and metric to
stdout. Refused lines go to the rejects file with their line number and reason; a summary goes to
stderr.

  --input FILE     events, one JSON object per line ("-" reads standard input)
  --window SIZE    window size: 15m, 1h, 1d, 7d, ... or all (default: the config's, else 1d)
  --config FILE    pipeline settings (JSON or YAML): windows, attributes, intersections,
                   reference groups, minimum sample
  --rejects FILE   where refused lines go (default: FILE.rejects.ndjson beside the input)
  --data-dir DIR   keep the embedded store in DIR instead of a temporary directory`

function resolveSettings(config: string | undefined, window: string | undefined): PipelineSettings {
  const base = config ? loadSettings(config) : defaultSettings()
  if (!window) return base
  // A --window on the command line replaces the configured window sizes.
  return { ...base, windows: settingsFrom({ windows: [window] }).windows }
}

/** `fairwatch replay`: returns the process exit code. */
export async function runReplay(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string' },
      window: { type: 'string' },
      config: { type: 'string' },
      rejects: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  })
  if (!values.input) throw new UsageError('replay needs --input FILE', replayUsage)

  const settings = resolveSettings(values.config, values.window)
  const rejectsPath =
    values.rejects ??
    (values.input === '-' ? 'replay.rejects.ndjson' : `${values.input}.rejects.ndjson`)
  const dataDir = values['data-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'fairwatch-replay-'))
  const database = 'fairwatch_replay'
  const started = performance.now()

  const { client } = createStoreClient({ database, dataDir })
  const rejects = createWriteStream(rejectsPath)
  try {
    await applyMigrations(client, database, storeMigrations)
    const pipeline = new FairnessPipeline({ client, database, settings })
    const input =
      values.input === '-'
        ? process.stdin
        : createReadStream(values.input, { highWaterMark: 1 << 20 })
    const { windows, summary } = await replay({
      pipeline,
      input,
      onRejected: (rejected: RejectedLine) => {
        const { rejection } = rejected
        const line = {
          line: rejected.line,
          reason: rejection.reason,
          field: rejection.field,
          message: rejection.message,
          raw: rejection.raw,
        }
        rejects.write(JSON.stringify(line) + '\n')
      },
    })

    const rows = metricOutputRows(windows)
    await writeLines(rows.map((row) => JSON.stringify(row)))

    const [totals, orphans] = await Promise.all([
      eventTotals(client, database),
      countOrphanOutcomes(client, database),
    ])
    const seconds = (performance.now() - started) / 1000
    const rate = Math.round(summary.lines / seconds)
    const rejectedTo = summary.rejected ? ` -> ${rejectsPath}` : ''
    const orphanCount = [...orphans.values()].reduce((a, b) => a + b, 0)
    const summaryLines = [
      `replay: ${summary.lines} lines in ${seconds.toFixed(2)} s (${rate} lines/s)`,
      `  predictions ${summary.predictions} (distinct ${totals.distinctPredictions}), ` +
        `outcomes ${summary.outcomes} (distinct events ${totals.distinctOutcomeEvents})`,
      `  rejected ${summary.rejected}${formatReasons(summary.rejectedByReason)}${rejectedTo}`,
      `  outcomes without a prediction: ${orphanCount}` +
        formatReasons(Object.fromEntries(orphans)),
      `  windows ${windows.length}, metric rows ${rows.length}`,
    ]
    process.stderr.write(summaryLines.join('\n') + '\n')
    return 0
  } finally {
    await new Promise((resolve) => rejects.end(resolve))
    await client.close()
    if (!values['data-dir']) rmSync(dataDir, { recursive: true, force: true })
  }
}

function formatReasons(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([reason, count]) => `${reason} ${count}`)
  return parts.length ? ` (${parts.join(', ')})` : ''
}

async function writeLines(lines: string[]): Promise<void> {
  const chunk = 10_000
  for (let i = 0; i < lines.length; i += chunk) {
    const text = lines.slice(i, i + chunk).join('\n') + '\n'
    if (!process.stdout.write(text))
      await new Promise((resolve) => process.stdout.once('drain', resolve))
  }
}
