/*
 * Worker benchmark: starts Kafka the way the integration tests do (startKafka), produces simulated
 * events to fresh predictions and outcomes topics, then measures in one process
 *   - the bare consumer: a kafkajs consumer group draining both topics, doing nothing per message;
 *   - the worker: createWorker with the embedded ClickHouse engine, from its start until its
 *     committed offsets cover every message, i.e. until every event is stored, every window it
 *     touched is recomputed (and evaluated against the starter policy) and the final checkpoint
 *     is committed.
 * Prints one line: worker_events_per_s=N bare_consumer_events_per_s=M ratio=R peak_rss_mb=X
 * (peak RSS of this whole process: producer, consumers, worker and the embedded engine).
 *
 * Usage: pnpm bench:worker [--events N] [--partitions P] [--policies DIR|none]
 *   defaults: 2,000,000 events, 3 partitions per topic, the starter policy.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'

import { createRegistry, createLogger } from '@fairwatch/observability'
import { defaultSettings } from '@fairwatch/pipeline'
import { generateEvents } from '@fairwatch/simulator'
import { createStoreClient } from '@fairwatch/store'
import { createWorker, workerConfig } from '@fairwatch/worker'
import kafkajs from 'kafkajs'
import type { Admin, Message } from 'kafkajs'

import { startKafka } from '../support/kafka.ts'

const { Kafka, Partitioners, logLevel } = kafkajs
const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    partitions: { type: 'string' },
    policies: { type: 'string' },
  },
})
const count = Number(values.events ?? 2_000_000)
const partitions = Number(values.partitions ?? 3)
const starterPolicies = path.resolve(
  path.dirname(fileURLToPath(import.meta.resolve('@fairwatch/governance'))),
  '../policies',
)
const policyDir = values.policies === 'none' ? null : (values.policies ?? starterPolicies)

let peakRss = 0
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, 50)

const broker = await startKafka()
const kafka = new Kafka({
  clientId: 'fw-bench',
  brokers: broker.brokers,
  logLevel: logLevel.NOTHING,
})
const admin = kafka.admin()
await admin.connect()
const run = `fw-bench-${Date.now()}`
const predictionsTopic = `${run}.predictions`
const outcomesTopic = `${run}.outcomes`
await admin.createTopics({
  waitForLeaders: true,
  topics: [predictionsTopic, outcomesTopic, `${run}.dead-letter`].map((topic) => ({
    topic,
    numPartitions: partitions,
    replicationFactor: 1,
  })),
})

process.stderr.write(`producing ${count} events to ${broker.brokers.join(',')}\n`)
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
await producer.connect()
const pending = new Map<string, Message[]>([
  [predictionsTopic, []],
  [outcomesTopic, []],
])
const flush = async () => {
  const topicMessages = [...pending].map(([topic, messages]) => ({ topic, messages }))
  await producer.sendBatch({ acks: -1, topicMessages })
  for (const messages of pending.values()) messages.length = 0
}
let produced = 0
for (const event of generateEvents({ seed: 2024, count })) {
  const topic = event.kind === 'outcome' ? outcomesTopic : predictionsTopic
  pending.get(topic)?.push({ key: event.prediction_id, value: JSON.stringify(event) })
  produced += 1
  if (produced % 3_000 === 0) await flush()
}
await flush()
await producer.disconnect()
const total = await messagesOn(admin, [predictionsTopic, outcomesTopic])
process.stderr.write(`produced ${total} messages\n`)

// The bare consumer: as fast as kafkajs hands over batches, with the worker's fetch sizes.
const fetch = workerConfig({ brokers: broker.brokers }).fetch
const bare = kafka.consumer({
  groupId: `${run}-bare`,
  maxBytesPerPartition: fetch.maxBytesPerPartition,
  maxBytes: fetch.maxBytes,
  maxWaitTimeInMs: fetch.maxWaitTimeMs,
})
await bare.connect()
await bare.subscribe({ topics: [predictionsTopic, outcomesTopic], fromBeginning: true })
let drained = 0
const bareStart = performance.now()
await bare.run({
  eachBatch: async ({ batch }) => {
    drained += batch.messages.length
  },
})
while (drained < total) await sleep(20)
const bareSeconds = (performance.now() - bareStart) / 1000
await bare.disconnect()

// The worker, until its committed offsets cover every message.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-bench-worker-'))
const { client } = createStoreClient({ database: 'fw_bench', dataDir })
const worker = createWorker({
  config: workerConfig({
    brokers: broker.brokers,
    predictionsTopic,
    outcomesTopic,
    deadLetterTopic: `${run}.dead-letter`,
    consumerGroup: `${run}-worker`,
    http: { host: '127.0.0.1', port: 0 },
    policyDir,
  }),
  client,
  database: 'fw_bench',
  settings: defaultSettings(),
  logger: createLogger('worker', { level: process.env.FW_LOG_LEVEL ?? 'warn' }),
  registry: createRegistry('worker'),
})
const workerStart = performance.now()
await worker.start()
while ((await committed(admin, `${run}-worker`, [predictionsTopic, outcomesTopic])) < total) {
  await sleep(100)
}
const workerSeconds = (performance.now() - workerStart) / 1000
await worker.stop()
await client.close()
await admin.disconnect()
await broker.stop()
rmSync(dataDir, { recursive: true, force: true })
clearInterval(sampler)
peakRss = Math.max(peakRss, process.memoryUsage.rss())

const workerRate = total / workerSeconds
const bareRate = total / bareSeconds
process.stdout.write(
  `worker_events_per_s=${Math.round(workerRate)} bare_consumer_events_per_s=${Math.round(bareRate)} ` +
    `ratio=${(workerRate / bareRate).toFixed(3)} peak_rss_mb=${Math.round(peakRss / 2 ** 20)}\n`,
)
process.exit(0)

async function messagesOn(kafkaAdmin: Admin, topics: string[]): Promise<number> {
  let sum = 0
  for (const topic of topics) {
    for (const { high } of await kafkaAdmin.fetchTopicOffsets(topic)) sum += Number(high)
  }
  return sum
}

async function committed(kafkaAdmin: Admin, groupId: string, topics: string[]): Promise<number> {
  try {
    const offsets = await kafkaAdmin.fetchOffsets({ groupId, topics })
    let sum = 0
    for (const entry of offsets) {
      for (const p of entry.partitions) sum += Math.max(0, Number(p.offset))
    }
    return sum
  } catch {
    // The group coordinator may still be loading; ask again.
    return 0
  }
}
