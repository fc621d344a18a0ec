/*
 * Measures how fast the simulator generates events and writes them as NDJSON. Run with
 * `pnpm tsx packages/simulator/bench/throughput.ts [count]`; prints events per second of wall-clock
 * time and of this process's CPU time (the second is steadier on a shared machine).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { generateEvents, writeNdjson } from '@fairwatch/simulator'

const count = Number(process.argv[2] ?? 1_000_000)

async function measure(label: string, run: () => unknown): Promise<void> {
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const result = await run()
  const wallMs = performance.now() - wallBefore
  const cpu = process.cpuUsage(cpuBefore)
  const cpuMs = (cpu.user + cpu.system) / 1000
  const perSecond = (ms: number) => Math.round((count / ms) * 1000).toLocaleString('en')
  console.log(
    `${label}: ${count.toLocaleString('en')} events, wall ${wallMs.toFixed(0)} ms ` +
      `(${perSecond(wallMs)}/s), cpu ${cpuMs.toFixed(0)} ms (${perSecond(cpuMs)}/s)`,
    typeof result === 'object' && result !== null ? result : '',
  )
}

const directory = await mkdtemp(join(tmpdir(), 'fairwatch-simulator-bench-'))
try {
  for (let round = 1; round <= 3; round += 1) {
    await measure(`generate, round ${round}`, () => {
      let predictions = 0
      for (const event of generateEvents({ seed: round, count })) {
        if (event.kind === 'prediction') predictions += 1
      }
      return predictions
    })
  }
  for (let round = 1; round <= 2; round += 1) {
    await measure(`generate and write NDJSON, round ${round}`, () =>
      writeNdjson(generateEvents({ seed: round, count }), join(directory, 'events.ndjson')),
    )
  }
} finally {
  await rm(directory, { recursive: true, force: true })
}
