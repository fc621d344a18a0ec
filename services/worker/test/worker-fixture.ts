import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

import type { ClickHouseClient } from '@clickhouse/client'
import { FairnessPipeline, replay } from '@fairwatch/pipeline'
import type { PipelineSettings } from '@fairwatch/pipeline'
import { generateEvents } from '@fairwatch/simulator'
import type { CreditSimulationOptions } from '@fairwatch/simulator'
import { applyMigrations, storeMigrations } from '@fairwatch/store'
import { Kafka, Partitioners, logLevel } from 'kafkajs'
import type { Admin, Message, Producer } from 'kafkajs'
import { expect } from 'vitest'

/** The three topics of one test, named uniquely so tests never see each other's messages. */
export interface TestTopics {
  predictionsTopic: string
  outcomesTopic: string
  deadLetterTopic: string
  consumerGroup: string
}

export function kafkaClient(brokers: readonly string[]): Kafka {
  return new Kafka({
    clientId: 'fw-worker-test',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  })
}

/** Creates fresh predictions, outcomes and dead-letter topics with `partitions` partitions. */
export async function createTopics(admin: Admin, partitions: number): Promise<TestTopics> {
  const id = randomUUID().slice(0, 8)
  const topics: TestTopics = {
    predictionsTopic: `fw-test-${id}.predictions`,
    outcomesTopic: `fw-test-${id}.outcomes`,
    deadLetterTopic: `fw-test-${id}.dead-letter`,
    consumerGroup: `fw-test-${id}`,
  }
  await admin.createTopics({
    waitForLeaders: true,
    topics: [topics.predictionsTopic, topics.outcomesTopic, topics.deadLetterTopic].map(
      (topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 }),
    ),
  })
  return topics
}

/** Simulated events as NDJSON lines: a few thousand span weeks, so outcomes arrive too. */
export function simulatedLines(count: number, options: CreditSimulationOptions = {}): string[] {
  const events = generateEvents({ count, seed: 7, applicationsPerDay: 60, ...options })
  return [...events].map((event) => JSON.stringify(event))
}

/** Sends lines to the topic of their kind, keyed by prediction id, in slices of 500. */
export async function produceLines(
  producer: Producer,
  topics: TestTopics,
  lines: readonly string[],
): Promise<void> {
  const byTopic = new Map<string, Message[]>()
  for (const line of lines) {
    const event = JSON.parse(line) as { kind: string; prediction_id: string }
    const topic = event.kind === 'outcome' ? topics.outcomesTopic : topics.predictionsTopic
    const messages = byTopic.get(topic) ?? []
    messages.push({ key: event.prediction_id, value: line })
    byTopic.set(topic, messages)
  }
  for (const [topic, messages] of byTopic) {
    for (let i = 0; i < messages.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) })
    }
  }
}

export async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  return producer
}

/** Messages the group has committed and messages on the topics, summed over partitions. */
export async function groupProgress(
  admin: Admin,
  topics: TestTopics,
): Promise<{ committed: number; total: number }> {
  const names = [topics.predictionsTopic, topics.outcomesTopic]
  const committed = await admin.fetchOffsets({ groupId: topics.consumerGroup, topics: names })
  let done = 0
  let total = 0
  for (const name of names) {
    for (const { high } of await admin.fetchTopicOffsets(name)) total += Number(high)
    const entry = committed.find((c) => c.topic === name)
    for (const p of entry?.partitions ?? []) done += Math.max(0, Number(p.offset))
  }
  return { committed: done, total }
}

/**
 * Waits until `done()` holds, polling every 200 ms; a probe that throws (a coordinator still
 * loading) counts as not yet. Fails naming `what`, with the last probe error, after `timeoutMs`.
 */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown = null
  for (;;) {
    try {
      if (await done()) return
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`, { cause: lastError })
    }
    await sleep(200)
  }
}

/** Waits until the group has committed every message on the predictions and outcomes topics. */
export async function waitForAllCommitted(
  admin: Admin,
  topics: TestTopics,
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    async () => {
      const { committed, total } = await groupProgress(admin, topics)
      return total > 0 && committed === total
    },
    timeoutMs,
    'the worker to commit every message',
  )
}

/** Runs the replay code path over `lines` into `database`, from scratch. */
export async function replayInto(
  client: ClickHouseClient,
  database: string,
  settings: PipelineSettings,
  lines: readonly string[],
): Promise<void> {
  await applyMigrations(client, database, storeMigrations)
  const pipeline = new FairnessPipeline({ client, database, settings })
  const input = [lines.map((line) => `${line}\n`).join('')]
  await replay({ pipeline, input, onRejected: () => undefined })
}

type MetricRowRecord = Record<string, string | number | null>

/**
 * The current metrics of a database (the view metrics_current: each window's latest revision),
 * without the revision, in a fixed order.
 */
export async function currentMetrics(
  client: ClickHouseClient,
  database: string,
): Promise<MetricRowRecord[]> {
  const result = await client.query({
    query: `SELECT * EXCEPT revision FROM ${database}.metrics_current
            ORDER BY model_id, window_size, window_start, attribute, metric, scope, group_label`,
    format: 'JSONEachRow',
  })
  return result.json<MetricRowRecord>()
}

const FLOAT_COLUMNS = new Set(['value', 'numerator', 'denominator', 'ci_low', 'ci_high', 'p_value'])

/**
 * Asserts that two sets of metric rows are the same row for row and field for field; float
 * columns may differ by a relative 1e-9 (sums taken in another order).
 */
export function expectSameMetrics(actual: MetricRowRecord[], expected: MetricRowRecord[]): void {
  expect(expected.length).toBeGreaterThan(0)
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < expected.length; i += 1) {
    const want = expected[i] ?? {}
    const got = actual[i] ?? {}
    for (const [column, value] of Object.entries(want)) {
      const cell = `${want.window_start} ${want.attribute} ${want.group_label} ${want.metric}`
      const where = `row ${i} (${cell}) ${column}`
      if (FLOAT_COLUMNS.has(column) && typeof value === 'number') {
        expect(typeof got[column], where).toBe('number')
        const tolerance = Math.max(1e-12, Math.abs(value) * 1e-9)
        expect(Math.abs((got[column] as number) - value), where).toBeLessThanOrEqual(tolerance)
      } else {
        expect(got[column], where).toEqual(value)
      }
    }
  }
}
