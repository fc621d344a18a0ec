import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { ClickHouseClient } from '@clickhouse/client'
import { createRegistry, silentLogger } from '@fairwatch/observability'
import { defaultSettings } from '@fairwatch/pipeline'
import { createStoreClient, eventTotals } from '@fairwatch/store'
import type { Admin, KafkaMessage } from 'kafkajs'
import type { Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest'

import { startKafka } from '../../../test/support/kafka.ts'
import { DEAD_LETTER_HEADERS, createWorker, workerConfig } from '../src/index.ts'
import type { Worker, WorkerConfig } from '../src/index.ts'
import {
  connectedProducer,
  createTopics,
  currentMetrics,
  expectSameMetrics,
  groupProgress,
  kafkaClient,
  produceLines,
  replayInto,
  simulatedLines,
  waitForAllCommitted,
  waitUntil,
} from './worker-fixture.ts'
import type { TestTopics } from './worker-fixture.ts'

const brokers = inject('kafkaBrokers')
const kafka = kafkaClient(brokers)
const settings = defaultSettings()
const starterPolicies = path.resolve(
  path.dirname(fileURLToPath(import.meta.resolve('@fairwatch/governance'))),
  '../policies',
)
let dataDir: string
let client: ClickHouseClient
let admin: Admin
let databases = 0
const cleanups: Array<() => Promise<void>> = []

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-worker-test-'))
  client = createStoreClient({ database: 'unused', dataDir }).client
  admin = kafka.admin()
  await admin.connect()
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

afterAll(async () => {
  await admin.disconnect()
  await client.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function nextDatabase(name: string): string {
  databases += 1
  return `fw_${name}_${databases}`
}

async function runWorker(options: {
  topics: TestTopics
  database: string
  client?: ClickHouseClient
  config?: Partial<WorkerConfig>
}): Promise<{ worker: Worker; registry: Registry }> {
  const config = workerConfig({
    brokers,
    ...options.topics,
    sessionTimeoutMs: 10_000,
    http: { host: '127.0.0.1', port: 0 },
    checkpoint: { intervalMs: 200, maxEvents: 2_000 },
    fetch: { maxBytesPerPartition: 64 * 1024, maxBytes: 1024 * 1024, maxWaitTimeMs: 100 },
    backoff: { initialMs: 100, maxMs: 1_000 },
    gaugeRefreshMs: 500,
    ...options.config,
  })
  const registry = createRegistry('worker', { defaults: false })
  const worker = createWorker({
    config,
    client: options.client ?? client,
    database: options.database,
    settings,
    logger: silentLogger(),
    registry,
  })
  cleanups.push(() => worker.stop())
  await worker.start()
  return { worker, registry }
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = await registry.getSingleMetric(name)?.get()
  const match = metric?.values.find((v) =>
    Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  )
  return match?.value
}

async function producer() {
  const connected = await connectedProducer(kafka)
  cleanups.push(() => connected.disconnect())
  return connected
}

describe('the worker against a real broker and the embedded store', () => {
  test('stores a simulated stream whose current metrics equal a replay of it', async () => {
    const topics = await createTopics(admin, 3)
    const lines = simulatedLines(3_000)
    const predictionLines = lines.filter((line) => line.includes('"kind":"prediction"')).length
    const database = nextDatabase('e2e')
    await produceLines(await producer(), topics, lines)

    const { worker, registry } = await runWorker({
      topics,
      database,
      config: { policyDir: starterPolicies },
    })
    await waitForAllCommitted(admin, topics, 120_000)
    const ready = await fetch(`http://127.0.0.1:${worker.httpPort}/readyz`)
    const exposition = await (await fetch(`http://127.0.0.1:${worker.httpPort}/metrics`)).text()
    await worker.stop()
    const replayDatabase = nextDatabase('e2e_replay')
    await replayInto(client, replayDatabase, settings, lines)

    expectSameMetrics(
      await currentMetrics(client, database),
      await currentMetrics(client, replayDatabase),
    )
    expect(ready.status).toBe(200)
    expect(exposition).toContain('fairwatch_events_consumed_total{')
    const consumed = await metricValue(registry, 'fairwatch_events_consumed_total', {
      topic: topics.predictionsTopic,
      kind: 'prediction',
    })
    // Consumption is at least once: a rebalance before the first commit hands messages out again,
    // which the counter counts and the store's deduplication absorbs (the metrics above match).
    expect(consumed).toBeGreaterThanOrEqual(predictionLines)
    const evaluations = await registry.getSingleMetric('fairwatch_evaluations_total')?.get()
    expect(evaluations?.values.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThan(0)
  })

  test('dead-letters poison messages with their reason, counts the valid ones around', async () => {
    const topics = await createTopics(admin, 2)
    const lines = simulatedLines(1_500, { seed: 11 })
    const outcomeLine = lines.find((line) => line.includes('"kind":"outcome"')) ?? ''
    const oversize = JSON.stringify({ ...JSON.parse(lines[0] ?? '{}'), pad: 'x'.repeat(70_000) })
    const wrongVersion = JSON.stringify({ ...JSON.parse(lines[1] ?? '{}'), contract_version: 9 })
    const poison = [
      { value: '{"kind": "prediction", oops', reason: 'malformed_json' },
      { value: oversize, reason: 'oversize' },
      { value: wrongVersion, reason: 'unknown_contract_version' },
      { value: outcomeLine, reason: 'wrong_topic' },
    ]
    const database = nextDatabase('poison')
    const send = await producer()
    await produceLines(send, topics, lines.slice(0, 700))
    await send.send({
      topic: topics.predictionsTopic,
      acks: -1,
      messages: poison.map((p, index) => ({
        key: `poison-${index}`,
        value: p.value,
        headers: { origin: 'test' },
      })),
    })
    await produceLines(send, topics, lines.slice(700))

    const { registry } = await runWorker({ topics, database })
    await waitForAllCommitted(admin, topics, 120_000)
    const deadLetters: KafkaMessage[] = []
    const reader = kafka.consumer({ groupId: `${topics.consumerGroup}-reader` })
    cleanups.push(() => reader.disconnect())
    await reader.connect()
    await reader.subscribe({ topic: topics.deadLetterTopic, fromBeginning: true })
    await reader.run({ eachMessage: async ({ message }) => void deadLetters.push(message) })
    await waitUntil(() => deadLetters.length >= poison.length, 60_000, 'the dead letters')
    const replayDatabase = nextDatabase('poison_replay')
    await replayInto(client, replayDatabase, settings, lines)

    const byKey = new Map(deadLetters.map((m) => [m.key?.toString(), m]))
    expect(deadLetters).toHaveLength(poison.length)
    poison.forEach((p, index) => {
      const message = byKey.get(`poison-${index}`)
      expect(message?.value?.toString()).toBe(p.value)
      expect(message?.headers?.[DEAD_LETTER_HEADERS.reason]?.toString()).toBe(p.reason)
      expect(message?.headers?.[DEAD_LETTER_HEADERS.sourceTopic]?.toString()).toBe(
        topics.predictionsTopic,
      )
      expect(message?.headers?.[DEAD_LETTER_HEADERS.message]?.toString()).not.toBe('')
      expect(message?.headers?.origin?.toString()).toBe('test')
    })
    const rejected = await client.query({
      query: `SELECT reason, toUInt32(count()) AS n FROM ${database}.rejected_events
        GROUP BY reason ORDER BY reason`,
      format: 'JSONEachRow',
    })
    expect(await rejected.json()).toEqual(
      poison
        .map((p) => ({ reason: p.reason, n: 1 }))
        .sort((a, b) => a.reason.localeCompare(b.reason)),
    )
    const [stored, replayed] = await Promise.all([
      eventTotals(client, database),
      eventTotals(client, replayDatabase),
    ])
    expect(stored.distinctPredictions).toBe(replayed.distinctPredictions)
    expect(stored.distinctOutcomeEvents).toBe(replayed.distinctOutcomeEvents)
    expectSameMetrics(
      await currentMetrics(client, database),
      await currentMetrics(client, replayDatabase),
    )
    for (const p of poison) {
      const counted = await metricValue(registry, 'fairwatch_events_dead_lettered_total', {
        reason: p.reason,
      })
      expect(counted, p.reason).toBe(1)
    }
  })

  test('pauses while the store refuses connections, resumes by itself, loses nothing', async () => {
    const topics = await createTopics(admin, 2)
    const lines = simulatedLines(3_000, { seed: 21 })
    const database = nextDatabase('outage')
    let outageUntil = 0
    const unavailable = () =>
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    // The store answers as a ClickHouse server that refuses connections would, until outageUntil.
    const flaky = new Proxy(client, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (Date.now() < outageUntil) {
            if (property === 'ping')
              return Promise.resolve({ success: false, error: unavailable() })
            if (['insert', 'query', 'command', 'exec'].includes(String(property))) {
              return Promise.reject(unavailable())
            }
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    const send = await producer()
    await produceLines(send, topics, lines.slice(0, 1_000))
    const { worker, registry } = await runWorker({ topics, database, client: flaky })
    await waitUntil(
      async () => (await groupProgress(admin, topics)).committed > 0,
      60_000,
      'a first checkpoint',
    )

    outageUntil = Date.now() + 4_000
    await produceLines(send, topics, lines.slice(1_000))
    let sawBackoff = false
    await waitUntil(
      () => {
        const readiness = worker.readiness()
        sawBackoff ||= !readiness.checks.not_in_backoff && !readiness.ready
        return Date.now() > outageUntil
      },
      10_000,
      'the outage to end',
    )
    await waitForAllCommitted(admin, topics, 120_000)
    const replayDatabase = nextDatabase('outage_replay')
    await replayInto(client, replayDatabase, settings, lines)

    expect(sawBackoff).toBe(true)
    expect(worker.readiness().checks.not_in_backoff).toBe(true)
    expect(await metricValue(registry, 'fairwatch_consumer_paused', {})).toBe(0)
    const retries = await registry.getSingleMetric('fairwatch_retries_total')?.get()
    expect(retries?.values.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThan(0)
    expectSameMetrics(
      await currentMetrics(client, database),
      await currentMetrics(client, replayDatabase),
    )
  })

  test('carries on after a broker restart and ends with the same metrics as a replay', async () => {
    const broker = await startKafka()
    const topics = await createTopics(admin, 2)
    const lines = simulatedLines(3_000, { seed: 31 })
    const database = nextDatabase('restart')
    const send = await producer()
    await produceLines(send, topics, lines.slice(0, 1_500))
    await runWorker({ topics, database })
    await waitUntil(
      async () => (await groupProgress(admin, topics)).committed > 0,
      60_000,
      'a first checkpoint',
    )

    await broker.restart()
    await produceLines(send, topics, lines.slice(1_500))
    await waitForAllCommitted(admin, topics, 150_000)
    const replayDatabase = nextDatabase('restart_replay')
    await replayInto(client, replayDatabase, settings, lines)

    expectSameMetrics(
      await currentMetrics(client, database),
      await currentMetrics(client, replayDatabase),
    )
  })
})
