import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

/** The worker's Prometheus metrics, registered on the service's own registry. */
export interface WorkerMetrics {
  eventsConsumed: Counter<'topic' | 'kind'>
  eventsRejected: Counter<'reason' | 'source'>
  eventsDeadLettered: Counter<'reason'>
  batchSize: Histogram
  storeInsertSeconds: Histogram<'table'>
  storeFailures: Counter<'operation'>
  storeAvailable: Gauge
  retries: Counter<'operation'>
  consumerLag: Gauge<'topic' | 'partition'>
  lastBatchTimestamp: Gauge
  consumerPaused: Gauge
  predictionsAwaitingOutcome: Gauge<'model_id'>
  windowsRecomputed: Counter<'model_id' | 'window_size'>
  windowsPending: Gauge
  evaluations: Counter<'status'>
  openIncidents: Gauge<'severity'>
  openNonconformities: Gauge
}

/** Creates the worker's metrics, with the names shared across Fairwatch's services. */
export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const registers = [registry]
  return {
    eventsConsumed: new Counter({
      name: 'fairwatch_events_consumed_total',
      help: 'Messages consumed and stored, by topic and kind (prediction, outcome or rejected)',
      labelNames: ['topic', 'kind'],
      registers,
    }),
    eventsRejected: new Counter({
      name: 'fairwatch_events_rejected_total',
      help: 'Events refused, by reason and source',
      labelNames: ['reason', 'source'],
      registers,
    }),
    eventsDeadLettered: new Counter({
      name: 'fairwatch_events_dead_lettered_total',
      help: 'Refused messages copied to the dead-letter topic, by reason',
      labelNames: ['reason'],
      registers,
    }),
    batchSize: new Histogram({
      name: 'fairwatch_batch_size',
      help: 'Messages per processed batch',
      buckets: [1, 10, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000],
      registers,
    }),
    storeInsertSeconds: new Histogram({
      name: 'fairwatch_store_insert_seconds',
      help: 'Duration of inserts into the store, by table',
      labelNames: ['table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    storeFailures: new Counter({
      name: 'fairwatch_store_failures_total',
      help: 'Failed store calls, by operation (insert, query, command)',
      labelNames: ['operation'],
      registers,
    }),
    storeAvailable: new Gauge({
      name: 'fairwatch_store_available',
      help: '1 when the store answered its last call, 0 when it failed',
      registers,
    }),
    retries: new Counter({
      name: 'fairwatch_retries_total',
      help: 'Retries after a retriable failure, by operation',
      labelNames: ['operation'],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'fairwatch_consumer_lag',
      help: 'Messages behind the high watermark after the last processed batch',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    lastBatchTimestamp: new Gauge({
      name: 'fairwatch_last_batch_timestamp_seconds',
      help: 'Unix time of the last processed batch',
      registers,
    }),
    consumerPaused: new Gauge({
      name: 'fairwatch_consumer_paused',
      help: '1 while fetching is paused because the store is unavailable',
      registers,
    }),
    predictionsAwaitingOutcome: new Gauge({
      name: 'fairwatch_predictions_awaiting_outcome',
      help: 'Stored predictions without a stored outcome, by model',
      labelNames: ['model_id'],
      registers,
    }),
    windowsRecomputed: new Counter({
      name: 'fairwatch_windows_recomputed_total',
      help: 'Windows recomputed from the stored events',
      labelNames: ['model_id', 'window_size'],
      registers,
    }),
    windowsPending: new Gauge({
      name: 'fairwatch_windows_pending',
      help: 'Windows marked by stored events and not yet recomputed',
      registers,
    }),
    evaluations: new Counter({
      name: 'fairwatch_evaluations_total',
      help: 'Policy rule evaluations of recomputed windows, by status',
      labelNames: ['status'],
      registers,
    }),
    openIncidents: new Gauge({
      name: 'fairwatch_open_incidents',
      help: 'Incidents not yet closed, by severity',
      labelNames: ['severity'],
      registers,
    }),
    openNonconformities: new Gauge({
      name: 'fairwatch_open_nonconformities',
      help: 'Nonconformities not yet closed',
      registers,
    }),
  }
}
