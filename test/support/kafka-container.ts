import { createServer } from 'node:net'

import { waitForKafka } from './kafka-ready.ts'

/** Confluent's image of Apache Kafka 4.0, the line that broker.sh runs from Maven Central jars. */
const defaultImage = 'confluentinc/cp-kafka:8.0.0'
/** The port on which testcontainers' KafkaContainer serves clients outside the container. */
const clientPort = 9093

/** A Kafka container: where clients connect and how to address it from another process. */
export interface ContainerBroker {
  brokers: string[]
  containerId: string
  stop(): Promise<void>
}

/**
 * True when a container engine answers: DOCKER_HOST is set or /var/run/docker.sock exists, and
 * testcontainers can reach the engine behind it.
 */
export async function containerEngineAnswers(): Promise<boolean> {
  const { existsSync } = await import('node:fs')
  if (process.env.DOCKER_HOST === undefined && !existsSync('/var/run/docker.sock')) return false
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    await getContainerRuntimeClient()
    return true
  } catch {
    return false
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts testcontainers' KafkaContainer (image from FW_KAFKA_IMAGE, default cp-kafka 8.0.0). The
 * client port is bound to a fixed host port so that a restart keeps the broker's address. Docker
 * publishes that port on every host interface, not only 127.0.0.1.
 */
export async function startContainerBroker(): Promise<ContainerBroker> {
  const { KafkaContainer } = await import('@testcontainers/kafka')
  const hostPort = await freePort()
  const container = await new KafkaContainer(process.env.FW_KAFKA_IMAGE ?? defaultImage)
    .withExposedPorts({ container: clientPort, host: hostPort })
    .start()
  const brokers = [`${container.getHost()}:${container.getMappedPort(clientPort)}`]
  await waitForKafka(brokers)
  return {
    brokers,
    containerId: container.getId(),
    stop: async () => {
      await container.stop()
    },
  }
}

/**
 * Restarts the container `containerId` (which may belong to another process, such as vitest's
 * global setup) and waits until its broker answers again at `brokers`.
 */
export async function restartContainerBroker(containerId: string, brokers: string[]) {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const client = await getContainerRuntimeClient()
  await client.container.restart(client.container.getById(containerId), { timeout: 10 })
  await waitForKafka(brokers)
}
