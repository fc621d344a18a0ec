import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import { createStoreClient } from '@fairwatch/store'
import { Kafka, logLevel } from 'kafkajs'
import type { Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const brokers = inject('kafkaBrokers')
const adminKey = 'production-admin-key-0123456789'
const suffix = `${process.pid}-${Date.now()}`
const topics = { predictions: `api-predictions-${suffix}`, outcomes: `api-outcomes-${suffix}` }
const mainPath = fileURLToPath(new URL('../src/main.ts', import.meta.url))

let admin: Admin
let child: ChildProcess
let url: string
let dataDir: string

beforeAll(async () => {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING })
  admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: topics.predictions, numPartitions: 3 },
      { topic: topics.outcomes, numPartitions: 3 },
    ],
    waitForLeaders: true,
  })
  dataDir = mkdtempSync(join(tmpdir(), 'fairwatch-api-production-'))
  child = spawn(process.execPath, ['--import', 'tsx', mainPath], {
    env: {
      ...process.env,
      FW_KAFKA_BROKERS: brokers.join(','),
      FW_PREDICTIONS_TOPIC: topics.predictions,
      FW_OUTCOMES_TOPIC: topics.outcomes,
      FW_DATA_DIR: dataDir,
      FW_CLICKHOUSE_URL: '',
      FW_HTTP_PORT: '0',
      FW_ADMIN_KEY: adminKey,
      FW_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      if (entry.msg === 'api listening' && entry.url) resolve(entry.url)
    })
    child.once('exit', (code) => reject(new Error(`the API exited with ${code} before listening`)))
  })
})

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  await admin?.disconnect()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

async function readTopic(topic: string, count: number) {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `api-test-${topic}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const messages: { key: string; value: string; partition: number }[] = []
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message, partition }) => {
        messages.push({
          key: String(message.key),
          value: String(message.value),
          partition,
        })
        if (messages.length >= count) resolve()
      },
    })
  })
  await consumer.disconnect()
  return messages
}

describe('production mode', () => {
  it('publishes accepted events to the topics keyed by prediction_id and stores the refused ones', async () => {
    const events = [
      ...Array.from({ length: 6 }, (_, i) => ({
        kind: 'prediction',
        event_id: `prod-p${i}`,
        model_id: 'credit-scoring',
        model_version: 'v1',
        prediction_id: `pred-${i}`,
        timestamp: '2025-02-01T10:00:00Z',
        prediction: i % 2,
        attributes: { sex: i % 2 ? 'female' : 'male' },
      })),
      ...Array.from({ length: 6 }, (_, i) => ({
        kind: 'outcome',
        event_id: `prod-o${i}`,
        model_id: 'credit-scoring',
        prediction_id: `pred-${i}`,
        timestamp: '2025-02-05T10:00:00Z',
        outcome: 1,
      })),
      { kind: 'outcome', event_id: 'prod-bad' },
    ]

    const response = await fetch(`${url}/v1/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    })
    const predictions = await readTopic(topics.predictions, 6)
    const outcomes = await readTopic(topics.outcomes, 6)
    const ready = await fetch(`${url}/readyz`)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    // The embedded engine's directory is free once the API process has exited.
    const { client } = createStoreClient({ database: 'fairwatch', dataDir })
    const refused = await client.query({
      query: `SELECT source, reason, field FROM fairwatch.rejected_events`,
      format: 'JSONEachRow',
    })
    const refusedRows = await refused.json()
    await client.close()

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ accepted: 12, duplicates: 0, rejected: 1 })
    expect(predictions.map((m) => JSON.parse(m.value).event_id).sort()).toEqual(
      events.slice(0, 6).map((e) => e.event_id),
    )
    expect(predictions.every((m) => m.key === JSON.parse(m.value).prediction_id)).toBe(true)
    expect(outcomes.every((m) => m.key === JSON.parse(m.value).prediction_id)).toBe(true)
    // The default partitioner hashes the key, so a prediction and its outcome share a partition
    // number across the two equally partitioned topics.
    const partitionOf = new Map(predictions.map((m) => [m.key, m.partition]))
    expect(outcomes.every((m) => partitionOf.get(m.key) === m.partition)).toBe(true)
    expect(ready.status).toBe(200)
    expect(refusedRows).toEqual([{ source: 'http', reason: 'invalid_field', field: 'model_id' }])
  })
})
