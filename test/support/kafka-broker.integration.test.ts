import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

import { Kafka, Partitioners, logLevel } from 'kafkajs'
import type { Admin, Consumer, Producer } from 'kafkajs'
import { afterEach, describe, expect, inject, test } from 'vitest'

import { KafkaConfigError, KafkaRestartUnsupportedError } from './kafka-errors.ts'
import { waitForKafka } from './kafka-ready.ts'
import { startKafka } from './kafka.ts'

interface Received {
  key: string
  value: string
  partition: number
  offset: number
}

const brokers = inject('kafkaBrokers')
const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

function kafkaClient(clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING })
}

async function connectedAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin()
  await admin.connect()
  cleanups.push(() => admin.disconnect())
  return admin
}

async function connectedProducer(kafka: Kafka, idempotent = false): Promise<Producer> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent,
  })
  await producer.connect()
  cleanups.push(() => producer.disconnect())
  return producer
}

/** Subscribes a new consumer group to `topic` from the beginning and records what it receives. */
async function recordingConsumer(
  kafka: Kafka,
  topic: string,
): Promise<{ consumer: Consumer; received: Received[] }> {
  // After a broker restart the coordinator waits for the old member's session to expire before
  // it rebalances; a short session keeps that wait (30 s by default) short.
  const consumer = kafka.consumer({
    groupId: `fw-broker-check-${randomUUID()}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    retry: { initialRetryTime: 250, retries: 30, maxRetryTime: 5_000 },
  })
  const received: Received[] = []
  await consumer.connect()
  cleanups.push(() => consumer.disconnect())
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push({
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        partition,
        offset: Number(message.offset),
      })
    },
  })
  return { consumer, received }
}

async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`)
    await sleep(100)
  }
}

async function createTopic(admin: Admin, partitions: number): Promise<string> {
  const topic = `fw-broker-check-${randomUUID()}`
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  })
  cleanups.push(() => admin.deleteTopics({ topics: [topic] }))
  return topic
}

describe('the Kafka broker provided to integration tests', () => {
  test('delivers 1,000 keyed messages once each, on the partition each was sent to', async () => {
    const kafka = kafkaClient('fw-broker-check-delivery')
    const admin = await connectedAdmin(kafka)
    const topic = await createTopic(admin, 3)
    const producer = await connectedProducer(kafka)
    const sent = Array.from({ length: 1_000 }, (_, index) => ({
      key: `prediction-${index}`,
      value: `outcome-of-${index}`,
      partition: index % 3,
    }))

    for (let start = 0; start < sent.length; start += 100) {
      await producer.send({ topic, acks: -1, messages: sent.slice(start, start + 100) })
    }
    const { consumer, received } = await recordingConsumer(kafka, topic)
    await waitUntil(() => received.length >= sent.length, 90_000, '1,000 messages')
    await consumer.stop()

    expect(received).toHaveLength(sent.length)
    const receivedByKey = new Map(received.map((message) => [message.key, message]))
    expect(receivedByKey.size).toBe(sent.length)
    for (const message of sent) {
      expect(receivedByKey.get(message.key)).toMatchObject({
        value: message.value,
        partition: message.partition,
      })
    }
    const highWatermarks = await admin.fetchTopicOffsets(topic)
    for (const partition of [0, 1, 2]) {
      const sentHere = sent.filter((message) => message.partition === partition).length
      const offsetsHere = received
        .filter((message) => message.partition === partition)
        .map((message) => message.offset)
        .sort((a, b) => a - b)
      expect(offsetsHere).toEqual(Array.from({ length: sentHere }, (_, offset) => offset))
      const high = highWatermarks.find((entry) => entry.partition === partition)?.high
      expect(high).toBe(String(sentHere))
    }
  })

  test('producer and consumer carry on after a restart; earlier messages survive', async () => {
    const broker = await startKafka()
    const kafka = kafkaClient('fw-broker-check-restart')
    const admin = await connectedAdmin(kafka)
    const topic = await createTopic(admin, 2)
    // Just after a restart the broker can write a batch and still fail the request, and a plain
    // producer's retry then writes that batch twice (at-least-once delivery). The idempotent
    // producer, the one the API publishes with, numbers its batches so the broker drops such a
    // retry, and the log holds every key once.
    const producer = await connectedProducer(kafka, true)
    const { received } = await recordingConsumer(kafka, topic)
    const keysOf = (prefix: string) =>
      Array.from({ length: 50 }, (_, index) => `${prefix}-${index}`)
    const before = keysOf('before')
    const after = keysOf('after')
    const receivedKeys = () => new Set(received.map((message) => message.key))
    await producer.send({ topic, messages: before.map((key) => ({ key, value: key })) })
    await waitUntil(() => before.every((key) => receivedKeys().has(key)), 60_000, 'the first 50')

    await broker.restart()
    await producer.send({ topic, messages: after.map((key) => ({ key, value: key })) })
    await waitUntil(() => after.every((key) => receivedKeys().has(key)), 90_000, 'the last 50')

    expect([...receivedKeys()].sort()).toEqual([...before, ...after].sort())
    const replay = await recordingConsumer(kafka, topic)
    await waitUntil(() => replay.received.length >= 100, 60_000, 'a replay of all 100')
    expect(replay.received.map((message) => message.key).sort()).toEqual(
      [...before, ...after].sort(),
    )
  })

  test('leaves a broker from FW_KAFKA_BROKERS running at stop(), refuses restart()', async () => {
    const external = await startKafka({ env: { FW_KAFKA_BROKERS: brokers.join(',') } })

    await external.stop()

    expect(external.source).toBe('external')
    await expect(waitForKafka(brokers, 10_000)).resolves.toBeUndefined()
    await expect(external.restart()).rejects.toBeInstanceOf(KafkaRestartUnsupportedError)
  })

  test('a malformed FW_KAFKA_BROKERS is refused with an error that quotes it', async () => {
    const attempt = startKafka({ env: { FW_KAFKA_BROKERS: '127.0.0.1' } })

    await expect(attempt).rejects.toBeInstanceOf(KafkaConfigError)
    await expect(attempt).rejects.toThrow('"127.0.0.1"')
  })
})
