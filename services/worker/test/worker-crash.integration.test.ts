import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { defaultSettings } from '@fairwatch/pipeline'
import { createStoreClient } from '@fairwatch/store'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'

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
const mainScript = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url))
const admin = kafka.admin()
const children: ChildProcess[] = []
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-worker-crash-'))
  await admin.connect()
})

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await admin.disconnect()
  rmSync(dataDir, { recursive: true, force: true })
})

/** Starts `tsx services/worker/src/main.ts` as a child process on the shared data directory. */
function spawnWorker(topics: TestTopics, database: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      FW_KAFKA_BROKERS: brokers.join(','),
      FW_PREDICTIONS_TOPIC: topics.predictionsTopic,
      FW_OUTCOMES_TOPIC: topics.outcomesTopic,
      FW_DEAD_LETTER_TOPIC: topics.deadLetterTopic,
      FW_CONSUMER_GROUP: topics.consumerGroup,
      FW_DATA_DIR: dataDir,
      FW_CLICKHOUSE_DATABASE: database,
      FW_HTTP_PORT: '0',
      FW_POLICY_DIR: 'none',
      FW_CHECKPOINT_INTERVAL_MS: '100',
      FW_CHECKPOINT_EVENTS: '300',
      FW_KAFKA_MAX_BYTES_PER_PARTITION: '8192',
      FW_KAFKA_SESSION_TIMEOUT_MS: '6000',
      FW_LOG_LEVEL: 'warn',
    },
  })
  children.push(child)
  return child
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

describe('a worker killed mid-stream', () => {
  test('restarted on the same store, it finishes with the metrics a replay computes', async () => {
    const topics = await createTopics(admin, 2)
    const lines = simulatedLines(4_000, { seed: 41 })
    const database = 'fw_crash'
    const producer = await connectedProducer(kafka)
    await produceLines(producer, topics, lines)
    await producer.disconnect()

    const first = spawnWorker(topics, database)
    let atKill = { committed: 0, total: 0 }
    await waitUntil(
      async () => {
        atKill = await groupProgress(admin, topics)
        return atKill.committed >= atKill.total / 5
      },
      120_000,
      'the first worker to commit a fifth of the stream',
    )
    first.kill('SIGKILL')
    await exitOf(first)
    const second = spawnWorker(topics, database)
    await waitForAllCommitted(admin, topics, 150_000)
    second.kill('SIGTERM')
    const exitCode = await exitOf(second)
    // Only now, with both workers gone, may this process open their data directory.
    const { client } = createStoreClient({ database, dataDir })
    await replayInto(client, 'fw_crash_replay', defaultSettings(), lines)
    const [stored, replayed] = await Promise.all([
      currentMetrics(client, database),
      currentMetrics(client, 'fw_crash_replay'),
    ])
    await client.close()

    expect(atKill.committed).toBeLessThan(atKill.total)
    expect(exitCode).toBe(0)
    expectSameMetrics(stored, replayed)
  })
})
