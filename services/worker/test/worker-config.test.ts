import { describe, expect, test } from 'vitest'

import { WorkerConfigError, backoffDelayMs, workerConfigFromEnv } from '../src/index.ts'

describe('workerConfigFromEnv', () => {
  test('reads the shared variables and fills in the defaults', () => {
    const config = workerConfigFromEnv(
      { FW_KAFKA_BROKERS: 'k1:9092, k2:9092', FW_HTTP_PORT: '0', FW_CONSUMER_GROUP: 'g' },
      '/policies',
    )

    expect(config).toMatchObject({
      brokers: ['k1:9092', 'k2:9092'],
      predictionsTopic: 'fairness.predictions',
      outcomesTopic: 'fairness.outcomes',
      deadLetterTopic: 'fairness.dead-letter',
      consumerGroup: 'g',
      http: { host: '127.0.0.1', port: 0 },
      policyDir: '/policies',
      checkpoint: {
        intervalMs: 1_000,
        maxEvents: 1_000_000,
        laggingIntervalMs: 30_000,
        lagEvents: 50_000,
      },
    })
  })

  test('reads the checkpoint cadence and keeps the lagging interval no shorter than the interval', () => {
    const env = { FW_KAFKA_BROKERS: 'k:1' }

    const tuned = workerConfigFromEnv(
      {
        ...env,
        FW_CHECKPOINT_EVENTS: '200000',
        FW_CHECKPOINT_LAGGING_INTERVAL_MS: '5000',
        FW_CHECKPOINT_LAG_EVENTS: '1000',
      },
      null,
    )
    const slow = workerConfigFromEnv({ ...env, FW_CHECKPOINT_INTERVAL_MS: '60000' }, null)

    expect(tuned.checkpoint).toEqual({
      intervalMs: 1_000,
      maxEvents: 200_000,
      laggingIntervalMs: 5_000,
      lagEvents: 1_000,
    })
    expect(slow.checkpoint.laggingIntervalMs).toBe(60_000)
  })

  test('names the variable at fault', () => {
    const attempts = [
      {},
      { FW_KAFKA_BROKERS: 'nohost' },
      { FW_KAFKA_BROKERS: 'k:1', FW_HTTP_PORT: 'eighty' },
      { FW_KAFKA_BROKERS: 'k:1', FW_CHECKPOINT_INTERVAL_MS: '0' },
      { FW_KAFKA_BROKERS: 'k:1', FW_OUTCOMES_TOPIC: 'fairness.predictions' },
      { FW_KAFKA_BROKERS: 'k:1', FW_CHECKPOINT_LAGGING_INTERVAL_MS: '10' },
    ]

    const variables = attempts.map((env) => {
      try {
        workerConfigFromEnv(env, null)
        return 'accepted'
      } catch (err) {
        return err instanceof WorkerConfigError ? err.variable : 'other error'
      }
    })

    expect(variables).toEqual([
      'FW_KAFKA_BROKERS',
      'FW_KAFKA_BROKERS',
      'FW_HTTP_PORT',
      'FW_CHECKPOINT_INTERVAL_MS',
      'topics',
      'FW_CHECKPOINT_LAGGING_INTERVAL_MS',
    ])
  })

  test('FW_POLICY_DIR=none turns policy evaluation off', () => {
    const config = workerConfigFromEnv({ FW_KAFKA_BROKERS: 'k:1', FW_POLICY_DIR: 'none' }, '/p')

    expect(config.policyDir).toBeNull()
  })
})

describe('backoffDelayMs', () => {
  test('doubles from the initial delay up to the cap, jittered within the upper half', () => {
    const config = { initialMs: 100, maxMs: 1_000 }

    const lowest = [0, 1, 2, 3, 4, 10].map((attempt) => backoffDelayMs(attempt, config, () => 0))
    const highest = [0, 1, 2, 3, 4, 10].map((attempt) => backoffDelayMs(attempt, config, () => 1))

    expect(lowest).toEqual([50, 100, 200, 400, 500, 500])
    expect(highest).toEqual([100, 200, 400, 800, 1_000, 1_000])
  })
})
