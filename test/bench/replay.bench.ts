/*
 * Replay benchmark: generates simulated events to an NDJSON file, then measures in one process
 *   - the parse floor: reading the file and JSON-parsing every line, nothing else;
 *   - replay: the same file through `replay()` (parse, check, store in the embedded ClickHouse
 *     engine, recompute every window) exactly as `fairwatch replay` runs it.
 * Prints one line: replay_events_per_s=N parse_floor_events_per_s=M ratio=R peak_rss_mb=X
 *
 * Usage: pnpm bench:replay [--events N] [--window 1d]   (default 1,000,000 events)
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { FairnessPipeline, readLines, replay, settingsFrom } from '@fairwatch/pipeline'
import { generateEvents, writeNdjson } from '@fairwatch/simulator'
import { applyMigrations, createStoreClient, storeMigrations } from '@fairwatch/store'

const { values } = parseArgs({
  options: { events: { type: 'string' }, window: { type: 'string' } },
})
const count = Number(values.events ?? 1_000_000)
const window = values.window ?? '1d'

const outDir = path.resolve('test/bench/.out')
mkdirSync(outDir, { recursive: true })
const input = path.join(outDir, `replay-${count}.ndjson`)
if (!existsSync(input)) {
  process.stderr.write(`generating ${count} events into ${input}\n`)
  await writeNdjson(generateEvents({ seed: 42, count }), input)
}

function open() {
  return createReadStream(input, { highWaterMark: 1 << 20 })
}

let peakRss = 0
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, 50)

async function parseFloor(): Promise<number> {
  const started = performance.now()
  let lines = 0
  for await (const batch of readLines(open())) {
    for (const line of batch) {
      JSON.parse(line.text)
      lines += 1
    }
  }
  return lines / ((performance.now() - started) / 1000)
}

async function replayRate(): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fairwatch-bench-'))
  const database = 'bench'
  const { client } = createStoreClient({ database, dataDir })
  try {
    await applyMigrations(client, database, storeMigrations)
    const pipeline = new FairnessPipeline({
      client,
      database,
      settings: settingsFrom({ windows: [window] }),
    })
    const started = performance.now()
    const { summary } = await replay({ pipeline, input: open(), onRejected: () => {} })
    const seconds = (performance.now() - started) / 1000
    return summary.lines / seconds
  } finally {
    await client.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const floor = await parseFloor()
const replayed = await replayRate()
clearInterval(sampler)
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024)

console.log(
  `replay_events_per_s=${Math.round(replayed)} parse_floor_events_per_s=${Math.round(floor)} ` +
    `ratio=${(replayed / floor).toFixed(2)} peak_rss_mb=${Math.round(peakRss / 2 ** 20)}`,
)
