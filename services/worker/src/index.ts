export { DEFAULT_WORKER_CONFIG, workerConfig, workerConfigFromEnv } from './config/worker-config.ts'
export type {
  BackoffConfig,
  CheckpointConfig,
  FetchConfig,
  WorkerConfig,
  WorkerConfigFields,
} from './config/worker-config.ts'
export {
  WorkerConfigError,
  WorkerError,
  WorkerKafkaFailedError,
  WorkerStateError,
  WorkerStoreFailedError,
} from './errors.ts'
export type { WorkerErrorCode } from './errors.ts'
export { createWorker } from './worker/create-worker.ts'
export type { Worker, WorkerOptions } from './worker/create-worker.ts'
export { decodeBatch, decodeMessage } from './ingest/decode-message.ts'
export type { DecodedBatch } from './ingest/decode-message.ts'
export { DEAD_LETTER_HEADERS, deadLetterMessage } from './ingest/dead-letter.ts'
export { CheckpointTracker } from './checkpoint/checkpoint-tracker.ts'
export type { CheckpointCadence, PartitionOffset } from './checkpoint/checkpoint-tracker.ts'
export { backoffDelayMs } from './backpressure/backoff.ts'
export type { Readiness } from './health/health-server.ts'
export { runWorkerFromEnv } from './run-worker.ts'
