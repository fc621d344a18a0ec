import {
  containerEngineAnswers,
  restartContainerBroker,
  startContainerBroker,
} from './kafka-container.ts'
import { KafkaConfigError, KafkaRestartUnsupportedError, KafkaStartError } from './kafka-errors.ts'
import { waitForKafka } from './kafka-ready.ts'
import { startScriptBroker, stopScriptBroker } from './kafka-script.ts'

/** Where a broker came from: given by FW_KAFKA_BROKERS, a container, or infra/kafka/broker.sh. */
export type KafkaSource = 'external' | 'container' | 'script'

/** A running Kafka broker for tests and benchmarks. */
export interface KafkaBroker {
  /** Bootstrap addresses as `host:port`. */
  readonly brokers: string[]
  readonly source: KafkaSource
  /**
   * Environment variables that let another process (a vitest worker, a benchmark child) reach this
   * broker through startKafka(), including restart() where this broker supports it.
   */
  readonly env: Readonly<Record<string, string>>
  /** Stops the broker and removes its data; a no-op for a broker given by FW_KAFKA_BROKERS. */
  stop(): Promise<void>
  /**
   * Stops and starts the broker on the same address and data, and resolves once it answers again.
   *
   * @throws KafkaRestartUnsupportedError for an external broker without FW_KAFKA_DATA_DIR or
   *   FW_KAFKA_CONTAINER_ID.
   */
  restart(): Promise<void>
}

/** Options of startKafka. */
export interface StartKafkaOptions {
  /** Where the choice is read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv
  /** Port for a broker.sh broker; defaults to 19092 or the next free pair above it. */
  port?: number
}

const hostPort = /^[^\s:,]+:\d{1,5}$/

function parseBrokers(value: string): string[] {
  const brokers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  const invalid = brokers.filter((entry) => !hostPort.test(entry))
  if (brokers.length === 0 || invalid.length > 0) {
    throw new KafkaConfigError(
      `FW_KAFKA_BROKERS must be a comma-separated list of host:port, got ${JSON.stringify(value)}`,
    )
  }
  return brokers
}

function externalBroker(brokers: string[], env: NodeJS.ProcessEnv): KafkaBroker {
  const dataDir = env.FW_KAFKA_DATA_DIR
  const containerId = env.FW_KAFKA_CONTAINER_ID
  const attach: Record<string, string> = { FW_KAFKA_BROKERS: brokers.join(',') }
  if (dataDir !== undefined) attach.FW_KAFKA_DATA_DIR = dataDir
  if (containerId !== undefined) attach.FW_KAFKA_CONTAINER_ID = containerId
  return {
    brokers,
    source: 'external',
    env: attach,
    stop: async () => {},
    restart: async () => {
      if (dataDir !== undefined) {
        await restartScriptBroker(dataDir, brokers)
      } else if (containerId !== undefined) {
        await restartContainerBroker(containerId, brokers)
      } else {
        throw new KafkaRestartUnsupportedError(
          `cannot restart the broker at ${brokers.join(',')}: it was given by FW_KAFKA_BROKERS ` +
            'without FW_KAFKA_DATA_DIR (a broker.sh data directory) or FW_KAFKA_CONTAINER_ID',
        )
      }
    },
  }
}

async function restartScriptBroker(dataDir: string, brokers: string[]): Promise<void> {
  await stopScriptBroker(dataDir, true)
  // No owner is passed: the data directory records the first start's owner (such as vitest's main
  // process), which must stay the owner even when a short-lived worker restarts the broker.
  const restarted = await startScriptBroker({ dataDir })
  if (restarted.brokers.join(',') !== brokers.join(',')) {
    throw new KafkaStartError(
      `the broker of ${dataDir} came back at ${restarted.brokers.join(',')}, ` +
        `not at ${brokers.join(',')}`,
    )
  }
}

/**
 * Provides a real Kafka broker. In order of preference:
 * 1. FW_KAFKA_BROKERS (comma-separated host:port): that broker is used as is and stop() does
 *    nothing. restart() works when FW_KAFKA_DATA_DIR or FW_KAFKA_CONTAINER_ID says how.
 * 2. A container engine that answers (DOCKER_HOST or /var/run/docker.sock): testcontainers'
 *    KafkaContainer. Skipped when FW_KAFKA_RUNNER=script.
 * 3. infra/kafka/broker.sh: Apache Kafka's jars from Maven Central, run on 127.0.0.1. It stops by
 *    itself if this process dies without calling stop().
 *
 * @throws KafkaConfigError when FW_KAFKA_BROKERS or FW_KAFKA_RUNNER holds an unusable value.
 * @throws KafkaStartError when no broker could be started; its message says what to install.
 * @throws KafkaNotReadyError when a started broker did not answer in time.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const env = options.env ?? process.env
  const given = env.FW_KAFKA_BROKERS
  if (given !== undefined && given.trim() !== '') {
    const brokers = parseBrokers(given)
    await waitForKafka(brokers, 30_000)
    return externalBroker(brokers, env)
  }

  const runner = env.FW_KAFKA_RUNNER ?? 'auto'
  if (runner !== 'auto' && runner !== 'container' && runner !== 'script') {
    throw new KafkaConfigError(
      `FW_KAFKA_RUNNER must be auto, container or script, got ${JSON.stringify(runner)}`,
    )
  }
  if (runner === 'container' || (runner === 'auto' && (await containerEngineAnswers()))) {
    const container = await startContainerBroker()
    return {
      brokers: container.brokers,
      source: 'container',
      env: {
        FW_KAFKA_BROKERS: container.brokers.join(','),
        FW_KAFKA_CONTAINER_ID: container.containerId,
      },
      stop: () => container.stop(),
      restart: () => restartContainerBroker(container.containerId, container.brokers),
    }
  }

  const started = await startScriptBroker({ ownerPid: process.pid, port: options.port })
  let stopped = false
  return {
    brokers: started.brokers,
    source: 'script',
    env: { FW_KAFKA_BROKERS: started.brokers.join(','), FW_KAFKA_DATA_DIR: started.dataDir },
    stop: async () => {
      if (stopped) return
      stopped = true
      await stopScriptBroker(started.dataDir, false)
    },
    restart: () => restartScriptBroker(started.dataDir, started.brokers),
  }
}
