import type { ClickHouseClient } from '@clickhouse/client'
import { writeEvents } from '@fairwatch/store'
import type { RejectedEvent } from '@fairwatch/store'
import { Kafka, logLevel } from 'kafkajs'
import type { Message, Producer } from 'kafkajs'
import type { Logger } from 'pino'

import { UnavailableError } from '../errors.ts'
import type { AcceptedEvent, IngestSink } from './ingest-sink.ts'

/** Where the Kafka sink publishes. */
export interface KafkaSinkOptions {
  brokers: readonly string[]
  /** Default `fairwatch-api`. */
  clientId?: string
  predictionsTopic: string
  outcomesTopic: string
  /** Store of refused events (`rejected_events`). */
  client: ClickHouseClient
  database: string
  logger: Logger
}

function textOf(event: AcceptedEvent): string {
  return typeof event.wire === 'string' ? event.wire : JSON.stringify(event.wire)
}

/**
 * The sink of production mode: valid events go to the predictions and outcomes topics keyed by
 * prediction_id (so a prediction and its outcomes land on the same partition), acknowledged by
 * every in-sync replica before the request is answered; refused events are written to the store's
 * `rejected_events` directly, as the workers never see them.
 * Throws UnavailableError when Kafka cannot be reached at start.
 */
export async function createKafkaSink(options: KafkaSinkOptions): Promise<IngestSink> {
  const kafka = new Kafka({
    clientId: options.clientId ?? 'fairwatch-api',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  })
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true })
  try {
    await producer.connect()
  } catch (err) {
    throw new UnavailableError('Kafka cannot be reached', { cause: err })
  }
  let connected = true
  producer.on(producer.events.DISCONNECT, () => {
    connected = false
  })
  producer.on(producer.events.CONNECT, () => {
    connected = true
  })

  return {
    kind: 'kafka',
    async write(accepted: readonly AcceptedEvent[], rejected: readonly RejectedEvent[]) {
      const predictions: Message[] = []
      const outcomes: Message[] = []
      for (const event of accepted) {
        const message = { key: event.record.predictionId, value: textOf(event) }
        if (event.record.kind === 'prediction') predictions.push(message)
        else outcomes.push(message)
      }
      const topicMessages = [
        { topic: options.predictionsTopic, messages: predictions },
        { topic: options.outcomesTopic, messages: outcomes },
      ].filter((t) => t.messages.length > 0)
      try {
        await Promise.all([
          topicMessages.length > 0
            ? producer.sendBatch({ topicMessages, acks: -1 })
            : Promise.resolve(),
          rejected.length > 0
            ? writeEvents(options.client, options.database, {
                predictions: [],
                outcomes: [],
                rejected,
              })
            : Promise.resolve(),
        ])
      } catch (err) {
        options.logger.warn({ err }, 'ingest batch not published')
        throw new UnavailableError('the event transport is unavailable; send the batch again', {
          cause: err,
        })
      }
    },
    async ready() {
      return connected
    },
    async close() {
      await producer.disconnect()
    },
  }
}
