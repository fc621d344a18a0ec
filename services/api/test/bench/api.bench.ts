/*
 * API ingest benchmark: starts the embedded runtime (embedded ClickHouse engine, pipeline,
 * starter policy, recompute loop) and the HTTP API in this process, then drives batched ingest
 * over HTTP with autocannon: batches of 500 simulated events (generateEvents), each batch sent
 * once, so every request stores new events. Prints one line:
 *   api_ingest_events_per_s=N p99_ms=L
 *
 * Usage: pnpm bench:api [--batches N] [--connections C]   (default 1000 batches, 8 connections)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { DEFAULT_API_CONFIG, startEmbeddedApi } from '@fairwatch/api'
import { createRegistry, silentLogger } from '@fairwatch/observability'
import { settingsFrom } from '@fairwatch/pipeline'
import { EmbeddedRuntime } from '@fairwatch/runtime'
import { generateEvents } from '@fairwatch/simulator'
import autocannon from 'autocannon'

const BATCH = 500
const { values } = parseArgs({
  options: { batches: { type: 'string' }, connections: { type: 'string' } },
})
const batches = Number(values.batches ?? 1000)
const connections = Number(values.connections ?? 8)

const bodies: string[] = []
let batch: unknown[] = []
for (const event of generateEvents({ seed: 11, count: batches * BATCH })) {
  batch.push(event)
  if (batch.length === BATCH) {
    bodies.push(JSON.stringify(batch))
    batch = []
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fairwatch-api-bench-'))
const logger = silentLogger()
const runtime = await EmbeddedRuntime.start({
  store: { database: 'fairwatch', dataDir },
  settings: settingsFrom({
    windows: ['1d'],
    models: {
      'credit-scoring': {
        attributes: ['sex', 'age_band', 'ethnicity'],
        intersections: [['ethnicity', 'sex']],
        reference_groups: { ethnicity: 'white', sex: 'male' },
      },
    },
  }),
  logger,
})
const adminKey = 'bench-admin-key-0123456789abcdef'
const api = await startEmbeddedApi({
  runtime,
  logger,
  registry: createRegistry('fairwatch-api'),
  config: { ...DEFAULT_API_CONFIG, port: 0, adminKey, rateLimitPerMinute: 1_000_000 },
})

let next = 0
let rejectedEvents = 0
// Timed here, from the start to the last response: autocannon's own `duration` ends on a tick of
// its one-second timer after the last response, too coarse for a run of a few seconds.
const started = performance.now()
let lastResponse = started
const result = await autocannon({
  url: `${api.url}/v1/events/batch`,
  connections,
  amount: bodies.length,
  requests: [
    {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      onResponse: (status, body) => {
        lastResponse = performance.now()
        if (status === 200) rejectedEvents += (JSON.parse(body) as { rejected: number }).rejected
      },
    },
  ],
})
const seconds = (lastResponse - started) / 1000

await api.close()
await runtime.stop()
rmSync(dataDir, { recursive: true, force: true })

const ok = result['2xx']
if (ok !== bodies.length || rejectedEvents > 0) {
  process.stderr.write(
    `only ${ok} of ${bodies.length} batches answered 2xx; ${rejectedEvents} events rejected\n`,
  )
  process.exitCode = 1
}
const eventsPerSecond = Math.round((ok * BATCH) / seconds)
process.stdout.write(`api_ingest_events_per_s=${eventsPerSecond} p99_ms=${result.latency.p99}\n`)
