import { setTimeout as sleep } from 'node:timers/promises'

import { Kafka, logLevel } from 'kafkajs'

import { KafkaNotReadyError } from './kafka-errors.ts'

/**
 * Resolves once the cluster behind `brokers` answers a metadata request that lists at least one
 * broker and an elected controller. Polls every 250 ms.
 *
 * @param timeoutMs how long to keep asking; defaults to 120 s.
 * @throws KafkaNotReadyError when the deadline passes, with the last problem seen as `cause`.
 */
export async function waitForKafka(brokers: string[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastProblem: unknown = new Error('no answer yet')
  while (Date.now() < deadline) {
    const admin = new Kafka({
      clientId: 'fairwatch-test-ready',
      brokers,
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin()
    try {
      await admin.connect()
      const cluster = await admin.describeCluster()
      // A controller id of -1 means the metadata quorum has not elected a leader yet.
      if (cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0) {
        return
      }
      lastProblem = new Error(`cluster not ready: controller ${String(cluster.controller)}`)
    } catch (error) {
      lastProblem = error
    } finally {
      await admin.disconnect().catch(() => undefined)
    }
    await sleep(250)
  }
  throw new KafkaNotReadyError(
    `Kafka at ${brokers.join(',')} did not answer a metadata request within ${timeoutMs} ms`,
    { cause: lastProblem },
  )
}
