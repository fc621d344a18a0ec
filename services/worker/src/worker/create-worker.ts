import { setTimeout as sleep } from 'node:timers/promises'

import type { ClickHouseClient } from '@clickhouse/client'
import { GovernanceService, governanceMigrations } from '@fairwatch/governance'
import type { Logger } from '@fairwatch/observability'
import { FairnessPipeline } from '@fairwatch/pipeline'
import type { PipelineSettings } from '@fairwatch/pipeline'
import {
  StoreError,
  applyMigrations,
  countPredictionsAwaitingOutcome,
  storeMigrations,
} from '@fairwatch/store'
import type { RejectedEvent, WindowMetrics } from '@fairwatch/store'
import kafkajs from 'kafkajs'
import type { Batch, Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs'
import type { Registry } from 'prom-client'

import { backoffDelayMs } from '../backpressure/backoff.ts'
import { CheckpointTracker } from '../checkpoint/checkpoint-tracker.ts'
import type { PartitionOffset } from '../checkpoint/checkpoint-tracker.ts'
import type { WorkerConfig } from '../config/worker-config.ts'
import { WorkerKafkaFailedError, WorkerStateError, WorkerStoreFailedError } from '../errors.ts'
import { startHealthServer } from '../health/health-server.ts'
import type { HealthServer, Readiness } from '../health/health-server.ts'
import { deadLetterMessage } from '../ingest/dead-letter.ts'
import { decodeBatch } from '../ingest/decode-message.ts'
import type { DecodedBatch } from '../ingest/decode-message.ts'
import { createWorkerMetrics } from '../metrics/worker-metrics.ts'
import { instrumentClient } from '../store/instrument-client.ts'
import { kafkaLogCreator } from './kafka-log.ts'
import { SerialLane } from './serial-lane.ts'

// kafkajs spreads its error classes into module.exports, which Node's named ESM imports miss.
const { Kafka, KafkaJSError, Partitioners, logLevel } = kafkajs

/** What a worker needs. */
export interface WorkerOptions {
  config: WorkerConfig
  /** The store's client; the worker wraps it to time and count its calls. */
  client: ClickHouseClient
  database: string
  settings: PipelineSettings
  logger: Logger
  /** The service's registry (createRegistry('worker')); the worker registers its metrics on it. */
  registry: Registry
  /** Source of randomness for backoff jitter; Math.random by default. */
  random?: () => number
}

/** A streaming worker: Kafka in, ClickHouse out. */
export interface Worker {
  /**
   * Applies the store's (and, with a policy directory, governance's) migrations, loads policies,
   * starts the health server, connects to Kafka and starts consuming. Retries an unreachable store
   * with backoff. Throws WorkerStateError when called twice, and whatever failed otherwise.
   */
  start(): Promise<void>
  /**
   * Stops gracefully: stops fetching, lets the batch in hand finish storing (or abandons it when
   * the store is failing), checkpoints what is durable, disconnects. Safe to call more than once.
   */
  stop(): Promise<void>
  /**
   * Settles when the worker has stopped: resolves after stop(), rejects with WorkerStoreFailedError
   * or WorkerKafkaFailedError when a failure that retrying cannot fix stopped it.
   */
  readonly done: Promise<void>
  /** What /readyz reports. */
  readiness(): Readiness
  /** Port of the health server once started (useful with port 0). */
  readonly httpPort: number | null
}

type Operation = 'migrate' | 'store' | 'dead_letter' | 'recompute' | 'evaluate'

/**
 * Partitions whose batches are handled at once, from decoding to storing, so that one batch is
 * decoded while another is written and the engine has two inserts to work on.
 */
const PARTITIONS_CONSUMED_CONCURRENTLY = 2

/** How often the store is pinged for /readyz while nothing else tells. */
const STORE_PING_MS = 5_000
/** How often the heartbeat is offered to the group while a batch is held. */
const HEARTBEAT_TICK_MS = 1_000

/**
 * Creates a worker. Each batch of a partition is decoded; valid events are stored through the
 * pipeline with the deduplication token `topic/partition/firstOffset-lastOffset`, refused ones go
 * to the dead-letter topic and the rejected_events table. Offsets are committed at checkpoints,
 * only for events that are durable and whose windows were recomputed (and evaluated); a crash
 * before a checkpoint makes the next owner of the partition read those events again, which the
 * store counts once. See services/worker/README.md.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { config, database, logger, registry } = options
  const random = options.random ?? Math.random
  const metrics = createWorkerMetrics(registry)
  const client = instrumentClient(options.client, metrics)
  const topics = [config.predictionsTopic, config.outcomesTopic]
  const tracker = new CheckpointTracker({ ...config.checkpoint, now: Date.now() })
  // Checkpoints run one at a time, beside the storing of later batches: each recomputes the
  // windows marked before it began. Batches of different partitions are stored at once.
  const checkpointLane = new SerialLane()
  const storing = new Set<Promise<boolean>>()

  const governance = config.policyDir
    ? new GovernanceService({
        client,
        database,
        logger: logger.child({ component: 'governance' }),
        metrics: registry,
      })
    : null
  const pipeline = new FairnessPipeline({
    client,
    database,
    settings: options.settings,
    logger: logger.child({ component: 'pipeline' }),
    onWindowMetrics: (windows) => evaluate(windows),
  })

  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
  })
  let consumer: Consumer | null = null
  let producer: Producer | null = null
  let http: HealthServer | null = null
  const timers: NodeJS.Timeout[] = []

  let started = false
  let stopping = false
  let joined = false
  let storeReachable = false
  let backoffOperation: Operation | null = null
  let fatalError: Error | null = null
  let stopped: Promise<void> | null = null
  let checkpointQueued = false
  let checkpointRunning: Promise<void> | null = null
  let settle: { resolve: () => void; reject: (err: Error) => void } | null = null
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  // A caller that only awaits stop() must not see an unhandled rejection.
  done.catch(() => undefined)

  function readiness(): Readiness {
    const checks = {
      kafka_joined: joined,
      store_reachable: storeReachable,
      not_in_backoff: backoffOperation === null,
      not_stopping: !stopping,
    }
    return { ready: Object.values(checks).every(Boolean), checks }
  }

  function fail(err: Error): void {
    if (fatalError || stopped) return
    fatalError = err
    logger.error({ err, code: (err as { code?: string }).code }, 'worker stopping on failure')
    void shutdown()
  }

  function isRetriable(operation: Operation, err: unknown): boolean {
    // The dead-letter topic lives on the same brokers the events come from: while Kafka is away
    // there is nothing else to do but wait for it.
    if (operation === 'dead_letter') return err instanceof KafkaJSError
    return (err as { retriable?: unknown } | null)?.retriable === true
  }

  function enterBackoff(operation: Operation): void {
    if (backoffOperation !== null) return
    backoffOperation = operation
    metrics.consumerPaused.set(1)
    try {
      consumer?.pause(topics.map((topic) => ({ topic })))
    } catch (err) {
      logger.warn({ err }, 'pausing the consumer failed')
    }
    logger.warn({ operation }, 'fetching paused')
  }

  function leaveBackoff(): void {
    if (backoffOperation === null) return
    const operation = backoffOperation
    backoffOperation = null
    metrics.consumerPaused.set(0)
    if (!stopping) consumer?.resume(topics.map((topic) => ({ topic })))
    logger.info({ operation }, 'fetching resumed')
  }

  /** Sleeps `ms`, offering the heartbeat while waiting, and wakes early when the worker stops. */
  async function wait(ms: number, heartbeat?: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms
    while (!stopping && Date.now() < until) {
      await sleep(Math.min(HEARTBEAT_TICK_MS, until - Date.now()))
      await heartbeat?.().catch(() => undefined)
    }
  }

  /**
   * Runs `task` until it succeeds, retrying retriable failures with backoff while fetching is
   * paused. Returns false without success when the worker stops or the failure cannot be retried
   * (the worker then stops with a WorkerStoreFailedError). While stopping, one attempt is made.
   */
  async function retrying(
    operation: Operation,
    task: () => Promise<void>,
    heartbeat?: () => Promise<void>,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      if (fatalError) return false
      try {
        await task()
        if (backoffOperation === operation) leaveBackoff()
        return true
      } catch (err) {
        if (!isRetriable(operation, err)) {
          fail(new WorkerStoreFailedError(operation, { cause: err }))
          return false
        }
        if (err instanceof StoreError && err.code === 'FW_STORE_UNAVAILABLE') storeReachable = false
        if (stopping) {
          logger.warn({ err, operation }, 'abandoned while stopping')
          return false
        }
        metrics.retries.inc({ operation })
        enterBackoff(operation)
        const delayMs = backoffDelayMs(attempt, config.backoff, random)
        logger.warn({ err, operation, attempt: attempt + 1, delay_ms: delayMs }, 'retrying')
        await wait(delayMs, heartbeat)
      }
    }
  }

  async function evaluate(windows: readonly WindowMetrics[]): Promise<void> {
    for (const window of windows) {
      metrics.windowsRecomputed.inc({ model_id: window.modelId, window_size: window.windowSize })
    }
    if (!governance) return
    const reports = await governance.evaluateWindowMetrics(windows)
    for (const report of reports) {
      for (const result of report.results) metrics.evaluations.inc({ status: result.status })
      for (const record of report.raised) {
        const fields = { model_id: report.modelId, window_start: report.windowStart, id: record.id }
        logger.warn(fields, 'nonconformity raised')
      }
      for (const record of report.incidentsOpened) {
        const fields = { model_id: report.modelId, window_start: report.windowStart, id: record.id }
        logger.warn(fields, 'incident opened')
      }
    }
  }

  /** A fetched batch, decoded, its refused events already dead-lettered, ready to be stored. */
  interface PreparedBatch {
    batch: Batch
    decoded: DecodedBatch<KafkaMessage>
    rejected: RejectedEvent[]
    firstOffset: string
    lastOffset: string
  }

  /**
   * Decodes a batch and sends its refused events to the dead-letter topic.
   * Returns null when dead-lettering failed for good (the worker then stops).
   */
  async function prepareBatch(
    batch: Batch,
    heartbeat: () => Promise<void>,
  ): Promise<PreparedBatch | null> {
    const { topic, partition, messages } = batch
    const expected = topic === config.predictionsTopic ? 'prediction' : 'outcome'
    const decoded = decodeBatch(messages, expected, topic)
    const firstOffset = messages[0]?.offset ?? batch.firstOffset() ?? '0'
    const lastOffset = messages[messages.length - 1]?.offset ?? batch.lastOffset()

    if (decoded.rejected.length > 0) {
      const copies = decoded.rejected.map(({ message, rejection }) =>
        deadLetterMessage({ topic, partition, message }, rejection),
      )
      const sent = await retrying(
        'dead_letter',
        async () => {
          if (!producer) throw new WorkerStateError('the dead-letter producer is not connected')
          await producer.send({ topic: config.deadLetterTopic, acks: -1, messages: copies })
        },
        heartbeat,
      )
      if (!sent) return null
    }

    const rejected: RejectedEvent[] = decoded.rejected.map(({ message, rejection }) => ({
      source: 'kafka',
      sourceRef: `${topic}/${partition}/${message.offset}`,
      rejection,
    }))
    return { batch, decoded, rejected, firstOffset, lastOffset }
  }

  async function storeBatch(
    prepared: PreparedBatch,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const { batch, decoded, rejected, firstOffset, lastOffset } = prepared
    const { topic, partition, messages } = batch
    const events = { predictions: decoded.predictions, outcomes: decoded.outcomes, rejected }
    const deduplicationToken = `${topic}/${partition}/${firstOffset}-${lastOffset}`
    const storedOk = await retrying(
      'store',
      () => pipeline.store(events, { deduplicationToken }),
      heartbeat,
    )
    if (!storedOk) return false
    storeReachable = true

    tracker.stored(topic, partition, batch.lastOffset(), messages.length)
    tracker.lagged(topic, partition, Number(batch.offsetLag()))
    metrics.batchSize.observe(messages.length)
    metrics.eventsConsumed.inc({ topic, kind: 'prediction' }, decoded.predictions.length)
    metrics.eventsConsumed.inc({ topic, kind: 'outcome' }, decoded.outcomes.length)
    metrics.eventsConsumed.inc({ topic, kind: 'rejected' }, rejected.length)
    for (const { message, rejection } of decoded.rejected) {
      metrics.eventsRejected.inc({ reason: rejection.reason, source: 'kafka' })
      metrics.eventsDeadLettered.inc({ reason: rejection.reason })
      const fields = { topic, partition, offset: message.offset, field: rejection.field }
      logger.info({ ...fields, reason: rejection.reason }, 'event dead-lettered')
    }
    metrics.consumerLag.set({ topic, partition: String(partition) }, Number(batch.offsetLag()))
    metrics.lastBatchTimestamp.set(Date.now() / 1000)
    metrics.windowsPending.set(pipeline.pendingWindows)
    logger.debug(
      { topic, partition, offset: firstOffset, last_offset: lastOffset, events: messages.length },
      'batch stored',
    )
    return true
  }

  /**
   * Recomputes every marked window (and evaluates it), then commits the offsets that were stored
   * before the recomputation began. A failed commit is left for the next checkpoint.
   */
  async function checkpoint(): Promise<void> {
    if (fatalError) return
    const offsets = tracker.begin(Date.now())
    if (offsets.length === 0 && !pendingWork()) return

    const recomputed = await retrying('recompute', async () => {
      await pipeline.recompute()
    })
    metrics.windowsPending.set(pipeline.pendingWindows)
    if (!recomputed) return
    if (offsets.length > 0) await commit(offsets)
    if (governance && !stopping) {
      await governance.deliverNotifications().catch((err: unknown) => {
        logger.warn({ err }, 'notification delivery failed')
      })
    }
  }

  async function commit(offsets: PartitionOffset[]): Promise<void> {
    if (!consumer) return
    try {
      await consumer.commitOffsets(offsets)
      tracker.committed(offsets)
      logger.debug({ partitions: offsets.length }, 'checkpoint committed')
    } catch (err) {
      // Usually a rebalance: the partitions' new owners read from the last committed offsets, and
      // re-storing what this worker stored already is harmless.
      metrics.retries.inc({ operation: 'commit' })
      logger.warn({ err }, 'offset commit failed')
    }
  }

  function heartbeatTicker(heartbeat: () => Promise<void>): { stop(): void } {
    let inFlight = false
    const timer = setInterval(() => {
      if (inFlight) return
      inFlight = true
      heartbeat()
        .catch(() => undefined)
        .finally(() => {
          inFlight = false
        })
    }, HEARTBEAT_TICK_MS)
    return { stop: () => clearInterval(timer) }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload
    if (stopping || fatalError || !isRunning() || isStale() || batch.messages.length === 0) return
    const ticker = heartbeatTicker(heartbeat)
    try {
      const prepared = await prepareBatch(batch, heartbeat)
      if (!prepared || stopping || fatalError || isStale()) return
      await roomForEvents()
      if (stopping || fatalError || isStale()) return
      const storingBatch = storeBatch(prepared, heartbeat)
      storing.add(storingBatch)
      const stored = await storingBatch.finally(() => storing.delete(storingBatch))
      if (!stored) return
      // Advances where the next fetch starts; the offset is committed at a checkpoint.
      resolveOffset(batch.lastOffset())
      if (tracker.due(Date.now())) queueCheckpoint()
    } finally {
      ticker.stop()
    }
    await heartbeat()
  }

  function pendingWork(): boolean {
    return pipeline.pendingWindows > 0 || pipeline.pendingOutcomes > 0
  }

  function onTick(): void {
    if (tracker.due(Date.now(), pendingWork())) queueCheckpoint()
  }

  /**
   * Queues a checkpoint behind the one running, if any. One queued checkpoint at a time: ticks and
   * batches keep asking while a long checkpoint runs, and the queued one checks again once its turn
   * comes whether it is still due.
   */
  function queueCheckpoint(): void {
    if (stopping || fatalError || checkpointQueued) return
    checkpointQueued = true
    void checkpointLane.run(async () => {
      checkpointQueued = false
      if (!tracker.due(Date.now(), pendingWork())) return
      checkpointRunning = checkpoint()
      try {
        await checkpointRunning
      } finally {
        checkpointRunning = null
      }
    })
  }

  /**
   * Holds a batch back while a checkpoint runs and a whole checkpoint's worth of events has been
   * stored since it began: what a crash would make the worker read again stays within two
   * checkpoints, and so do the marks and outcome ids awaiting the next recomputation.
   */
  async function roomForEvents(): Promise<void> {
    while (checkpointRunning && tracker.eventsSinceCheckpoint >= config.checkpoint.maxEvents) {
      await checkpointRunning.catch(() => undefined)
    }
  }

  async function pingStore(): Promise<void> {
    const result = await client.ping()
    storeReachable = result.success
    metrics.storeAvailable.set(result.success ? 1 : 0)
  }

  async function refreshGauges(): Promise<void> {
    try {
      // The count reads every stored prediction id; while the worker catches up it would compete
      // with the backlog for the store and be out of date at once, so it waits until caught up.
      if (tracker.lag < config.checkpoint.lagEvents) {
        const awaiting = await countPredictionsAwaitingOutcome(client, database)
        metrics.predictionsAwaitingOutcome.reset()
        for (const [modelId, count] of awaiting) {
          metrics.predictionsAwaitingOutcome.set({ model_id: modelId }, count)
        }
      }
      if (governance) {
        const incidents = await governance.listIncidents({ openOnly: true })
        metrics.openIncidents.reset()
        for (const severity of new Set(incidents.map((incident) => incident.severity))) {
          const count = incidents.filter((incident) => incident.severity === severity).length
          metrics.openIncidents.set({ severity }, count)
        }
        const open = await governance.listNonconformities({ openOnly: true })
        metrics.openNonconformities.set(open.length)
      }
    } catch (err) {
      logger.warn({ err }, 'gauge refresh failed')
    }
  }

  function every(ms: number, task: () => void | Promise<void>): void {
    let running = false
    const timer = setInterval(() => {
      if (running) return
      running = true
      Promise.resolve(task())
        .catch((err: unknown) => logger.warn({ err }, 'periodic task failed'))
        .finally(() => {
          running = false
        })
    }, ms)
    timer.unref()
    timers.push(timer)
  }

  async function start(): Promise<void> {
    if (started) throw new WorkerStateError('the worker was started already')
    started = true
    metrics.storeAvailable.set(0)
    metrics.consumerPaused.set(0)

    http = await startHealthServer({ ...config.http, registry, readiness, logger })
    logger.info({ host: http.host, port: http.port }, 'health server listening')

    const migrations = governance ? [...storeMigrations, ...governanceMigrations] : storeMigrations
    const migrated = await retrying('migrate', async () => {
      await applyMigrations(client, database, migrations)
    })
    if (!migrated) throw fatalError ?? new WorkerStateError('stopped before the store was ready')
    storeReachable = true
    metrics.storeAvailable.set(1)
    if (backoffOperation) leaveBackoff()

    if (governance && config.policyDir) {
      const report = await governance.loadPolicies({
        directory: config.policyDir,
        actor: 'system:worker',
        reason: 'policies loaded at worker start',
      })
      const policies = report.active.map((p) => `${p.policy.name}@${p.version.slice(0, 12)}`)
      logger.info({ policies }, 'policies loaded')
    }

    await ensureTopics()
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    consumer = kafka.consumer({
      groupId: config.consumerGroup,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.max(1_000, Math.floor(config.sessionTimeoutMs / 10)),
      maxBytesPerPartition: config.fetch.maxBytesPerPartition,
      maxBytes: config.fetch.maxBytes,
      maxWaitTimeInMs: config.fetch.maxWaitTimeMs,
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 },
    })
    watchConsumer(consumer)
    await consumer.connect()
    await consumer.subscribe({ topics, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch,
    })

    const tickMs = Math.max(20, Math.min(250, Math.floor(config.checkpoint.intervalMs / 4)))
    every(tickMs, onTick)
    every(STORE_PING_MS, pingStore)
    every(config.gaugeRefreshMs, refreshGauges)
    logger.info(
      { topics, group: config.consumerGroup, brokers: config.brokers.join(',') },
      'worker started',
    )
  }

  /**
   * Creates whichever of the three topics is missing, with the broker's default partition count,
   * so that a fresh cluster works without a setup step. Existing topics are left as they are.
   */
  async function ensureTopics(): Promise<void> {
    const admin = kafka.admin()
    await admin.connect()
    try {
      const existing = new Set(await admin.listTopics())
      const wanted = [...topics, config.deadLetterTopic]
      const missing = wanted.filter((topic) => !existing.has(topic))
      if (missing.length === 0) return
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic })),
      })
      logger.info({ topics: missing }, 'topics created')
    } finally {
      await admin.disconnect()
    }
  }

  function watchConsumer(watched: Consumer): void {
    const { GROUP_JOIN, REBALANCING, CRASH, STOP } = watched.events
    watched.on(GROUP_JOIN, ({ payload }) => {
      joined = true
      tracker.retain(payload.memberAssignment)
      logger.info(
        { group: payload.groupId, assignment: payload.memberAssignment },
        'joined consumer group',
      )
    })
    watched.on(REBALANCING, () => {
      joined = false
    })
    watched.on(STOP, () => {
      joined = false
    })
    watched.on(CRASH, ({ payload }) => {
      joined = false
      if (payload.restart) {
        logger.warn({ err: payload.error }, 'kafka consumer restarting')
      } else if (!stopping) {
        fail(new WorkerKafkaFailedError({ cause: payload.error }))
      }
    })
  }

  async function shutdown(): Promise<void> {
    if (stopped) return stopped
    stopping = true
    stopped = (async () => {
      for (const timer of timers) clearInterval(timer)
      try {
        consumer?.pause(topics.map((topic) => ({ topic })))
      } catch {
        // Not running: nothing to pause.
      }
      await Promise.allSettled([...storing])
      await checkpointLane.idle()
      if (!fatalError) await checkpointLane.run(checkpoint)
      await consumer
        ?.disconnect()
        .catch((err: unknown) => logger.warn({ err }, 'disconnect failed'))
      await producer
        ?.disconnect()
        .catch((err: unknown) => logger.warn({ err }, 'disconnect failed'))
      await http?.close()
      logger.info({ failed: fatalError !== null }, 'worker stopped')
      if (fatalError) settle?.reject(fatalError)
      else settle?.resolve()
    })()
    return stopped
  }

  return {
    start,
    stop: shutdown,
    done,
    readiness,
    get httpPort() {
      return http?.port ?? null
    },
  }
}
