import { hostname } from 'node:os'

import { WorkerConfigError } from '../errors.ts'

/**
 * When stored events are checkpointed: their windows recomputed and evaluated and their offsets
 * committed. A checkpoint costs about the same whether it covers a thousand events or half a
 * million (it recounts the windows they touch), so a worker that is behind checkpoints by volume
 * and a worker that keeps up checkpoints by time, to keep the metrics fresh. A crash replays at
 * most the events since the last checkpoint, which the store counts once.
 */
export interface CheckpointConfig {
  /**
   * Longest time stored events wait for their checkpoint while the worker keeps up, in ms.
   * Default 1000.
   */
  intervalMs: number
  /**
   * Stored events that trigger a checkpoint whatever the time. Bounds the events a crash replays
   * and the outcome ids held until the checkpoint looks up their windows. Default 1,000,000.
   */
  maxEvents: number
  /** Longest time between checkpoints while the worker is behind, in ms. Default 30,000. */
  laggingIntervalMs: number
  /**
   * Messages not yet fetched, over the worker's partitions, from which the worker counts as
   * behind and checkpoints every `laggingIntervalMs` (or `maxEvents`). Default 50,000.
   */
  lagEvents: number
}

/** How fetching from Kafka is sized. */
export interface FetchConfig {
  /** Most bytes fetched per partition and request. Default 8 MiB. */
  maxBytesPerPartition: number
  /** Most bytes per fetch request. Default 32 MiB. */
  maxBytes: number
  /** Longest the broker waits to fill a fetch, in ms. Default 500. */
  maxWaitTimeMs: number
}

/** Exponential backoff with jitter while the store is unavailable. */
export interface BackoffConfig {
  /** First delay, in ms. Default 200. */
  initialMs: number
  /** Largest delay, in ms. Default 10,000. */
  maxMs: number
}

/** Everything the worker is configured with. */
export interface WorkerConfig {
  brokers: readonly string[]
  clientId: string
  predictionsTopic: string
  outcomesTopic: string
  deadLetterTopic: string
  consumerGroup: string
  /**
   * Consumer session timeout in ms: how long the group waits for a silent member. Default 30,000.
   */
  sessionTimeoutMs: number
  /** Health and metrics server; port 0 picks a free port. */
  http: { host: string; port: number }
  /** Pipeline settings file (JSON or YAML); null uses the default settings. */
  settingsFile: string | null
  /** Directory of risk policies evaluated after each recomputation; null evaluates none. */
  policyDir: string | null
  checkpoint: CheckpointConfig
  fetch: FetchConfig
  backoff: BackoffConfig
  /** How often the slower gauges (awaiting outcomes, open records) are refreshed, in ms. */
  gaugeRefreshMs: number
}

/** The defaults of every setting that has one. */
export const DEFAULT_WORKER_CONFIG: Omit<WorkerConfig, 'brokers' | 'policyDir'> = {
  clientId: `fairwatch-worker-${hostname()}-${process.pid}`,
  predictionsTopic: 'fairness.predictions',
  outcomesTopic: 'fairness.outcomes',
  deadLetterTopic: 'fairness.dead-letter',
  consumerGroup: 'fairwatch-worker',
  sessionTimeoutMs: 30_000,
  http: { host: '127.0.0.1', port: 9464 },
  settingsFile: null,
  checkpoint: {
    intervalMs: 1_000,
    maxEvents: 1_000_000,
    laggingIntervalMs: 30_000,
    lagEvents: 50_000,
  },
  fetch: { maxBytesPerPartition: 8 * 1024 * 1024, maxBytes: 32 * 1024 * 1024, maxWaitTimeMs: 500 },
  backoff: { initialMs: 200, maxMs: 10_000 },
  gaugeRefreshMs: 30_000,
}

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/

/** The fields workerConfig takes: the brokers, and any other setting, nested ones in part. */
export type WorkerConfigFields = Partial<
  Omit<WorkerConfig, 'http' | 'checkpoint' | 'fetch' | 'backoff'>
> &
  Pick<WorkerConfig, 'brokers'> & {
    http?: Partial<WorkerConfig['http']>
    checkpoint?: Partial<CheckpointConfig>
    fetch?: Partial<FetchConfig>
    backoff?: Partial<BackoffConfig>
  }

/**
 * Builds a complete configuration from the given fields and the defaults (tests build theirs this
 * way). Without `checkpoint.laggingIntervalMs`, the lagging interval is the default or
 * `checkpoint.intervalMs`, whichever is longer. Throws WorkerConfigError naming the first field at
 * fault.
 */
export function workerConfig(fields: WorkerConfigFields): WorkerConfig {
  const defaults = DEFAULT_WORKER_CONFIG
  const intervalMs = fields.checkpoint?.intervalMs ?? defaults.checkpoint.intervalMs
  const config: WorkerConfig = {
    ...defaults,
    policyDir: null,
    ...fields,
    http: { ...defaults.http, ...fields.http },
    checkpoint: {
      ...defaults.checkpoint,
      ...fields.checkpoint,
      laggingIntervalMs:
        fields.checkpoint?.laggingIntervalMs ??
        Math.max(defaults.checkpoint.laggingIntervalMs, intervalMs),
    },
    fetch: { ...defaults.fetch, ...fields.fetch },
    backoff: { ...defaults.backoff, ...fields.backoff },
  }
  checkConfig(config)
  return config
}

function checkConfig(config: WorkerConfig): void {
  if (config.brokers.length === 0) {
    throw new WorkerConfigError('brokers', 'at least one host:port is needed')
  }
  for (const broker of config.brokers) {
    if (!HOST_PORT.test(broker)) {
      throw new WorkerConfigError('brokers', `expected host:port, got ${JSON.stringify(broker)}`)
    }
  }
  const topics = {
    predictionsTopic: config.predictionsTopic,
    outcomesTopic: config.outcomesTopic,
    deadLetterTopic: config.deadLetterTopic,
  }
  for (const [field, topic] of Object.entries(topics)) {
    if (!TOPIC.test(topic)) {
      throw new WorkerConfigError(field, `not a valid Kafka topic name: ${JSON.stringify(topic)}`)
    }
  }
  if (new Set(Object.values(topics)).size !== 3) {
    throw new WorkerConfigError(
      'topics',
      'predictions, outcomes and dead-letter topics must differ',
    )
  }
  requireWhole('http.port', config.http.port, 0, 65_535)
  requireWhole('sessionTimeoutMs', config.sessionTimeoutMs, 6_000, 300_000)
  requireWhole('checkpoint.intervalMs', config.checkpoint.intervalMs, 10, 3_600_000)
  requireWhole('checkpoint.maxEvents', config.checkpoint.maxEvents, 1, 100_000_000)
  requireWhole(
    'checkpoint.laggingIntervalMs',
    config.checkpoint.laggingIntervalMs,
    config.checkpoint.intervalMs,
    3_600_000,
  )
  requireWhole('checkpoint.lagEvents', config.checkpoint.lagEvents, 0, 2 ** 40)
  requireWhole('fetch.maxBytesPerPartition', config.fetch.maxBytesPerPartition, 1024, 2 ** 30)
  requireWhole('fetch.maxBytes', config.fetch.maxBytes, 1024, 2 ** 30)
  requireWhole('fetch.maxWaitTimeMs', config.fetch.maxWaitTimeMs, 0, 60_000)
  requireWhole('backoff.initialMs', config.backoff.initialMs, 1, 600_000)
  requireWhole('backoff.maxMs', config.backoff.maxMs, config.backoff.initialMs, 3_600_000)
  requireWhole('gaugeRefreshMs', config.gaugeRefreshMs, 100, 86_400_000)
}

function requireWhole(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WorkerConfigError(field, `must be a whole number from ${min} to ${max}, got ${value}`)
  }
}

/**
 * Reads the worker's configuration from the environment: FW_KAFKA_BROKERS (required,
 * comma-separated host:port), FW_PREDICTIONS_TOPIC, FW_OUTCOMES_TOPIC, FW_DEAD_LETTER_TOPIC,
 * FW_CONSUMER_GROUP, FW_HTTP_HOST (default 127.0.0.1), FW_HTTP_PORT (default 9464), FW_CONFIG
 * (pipeline settings file), FW_POLICY_DIR (default `defaultPolicyDir`; `none` evaluates no
 * policies), and the tuning variables FW_CHECKPOINT_INTERVAL_MS, FW_CHECKPOINT_EVENTS,
 * FW_CHECKPOINT_LAGGING_INTERVAL_MS, FW_CHECKPOINT_LAG_EVENTS, FW_KAFKA_MAX_BYTES_PER_PARTITION,
 * FW_KAFKA_SESSION_TIMEOUT_MS. The store's variables are read by
 * storeConfigFromEnv.
 *
 * @throws WorkerConfigError naming the variable at fault.
 */
export function workerConfigFromEnv(
  env: NodeJS.ProcessEnv,
  defaultPolicyDir: string | null,
): WorkerConfig {
  const brokers = (env.FW_KAFKA_BROKERS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  if (brokers.length === 0) {
    throw new WorkerConfigError('FW_KAFKA_BROKERS', 'must list at least one host:port')
  }
  const policyDir = env.FW_POLICY_DIR === 'none' ? null : env.FW_POLICY_DIR || defaultPolicyDir
  const defaults = DEFAULT_WORKER_CONFIG
  try {
    return workerConfig({
      brokers,
      predictionsTopic: env.FW_PREDICTIONS_TOPIC || defaults.predictionsTopic,
      outcomesTopic: env.FW_OUTCOMES_TOPIC || defaults.outcomesTopic,
      deadLetterTopic: env.FW_DEAD_LETTER_TOPIC || defaults.deadLetterTopic,
      consumerGroup: env.FW_CONSUMER_GROUP || defaults.consumerGroup,
      sessionTimeoutMs: intFrom(env, 'FW_KAFKA_SESSION_TIMEOUT_MS', defaults.sessionTimeoutMs),
      http: {
        host: env.FW_HTTP_HOST || defaults.http.host,
        port: intFrom(env, 'FW_HTTP_PORT', defaults.http.port),
      },
      settingsFile: env.FW_CONFIG || null,
      policyDir,
      checkpoint: {
        intervalMs: intFrom(env, 'FW_CHECKPOINT_INTERVAL_MS', defaults.checkpoint.intervalMs),
        maxEvents: intFrom(env, 'FW_CHECKPOINT_EVENTS', defaults.checkpoint.maxEvents),
        laggingIntervalMs: optionalIntFrom(env, 'FW_CHECKPOINT_LAGGING_INTERVAL_MS'),
        lagEvents: intFrom(env, 'FW_CHECKPOINT_LAG_EVENTS', defaults.checkpoint.lagEvents),
      },
      fetch: {
        ...defaults.fetch,
        maxBytesPerPartition: intFrom(
          env,
          'FW_KAFKA_MAX_BYTES_PER_PARTITION',
          defaults.fetch.maxBytesPerPartition,
        ),
      },
    })
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      throw new WorkerConfigError(ENV_OF_FIELD[err.variable] ?? err.variable, err.detail)
    }
    throw err
  }
}

const ENV_OF_FIELD: Record<string, string> = {
  brokers: 'FW_KAFKA_BROKERS',
  predictionsTopic: 'FW_PREDICTIONS_TOPIC',
  outcomesTopic: 'FW_OUTCOMES_TOPIC',
  deadLetterTopic: 'FW_DEAD_LETTER_TOPIC',
  'http.port': 'FW_HTTP_PORT',
  sessionTimeoutMs: 'FW_KAFKA_SESSION_TIMEOUT_MS',
  'checkpoint.intervalMs': 'FW_CHECKPOINT_INTERVAL_MS',
  'checkpoint.maxEvents': 'FW_CHECKPOINT_EVENTS',
  'checkpoint.laggingIntervalMs': 'FW_CHECKPOINT_LAGGING_INTERVAL_MS',
  'checkpoint.lagEvents': 'FW_CHECKPOINT_LAG_EVENTS',
  'fetch.maxBytesPerPartition': 'FW_KAFKA_MAX_BYTES_PER_PARTITION',
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return optionalIntFrom(env, name) ?? fallback
}

function optionalIntFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]
  if (text === undefined || text.trim() === '') return undefined
  if (!/^\d+$/.test(text.trim())) {
    throw new WorkerConfigError(name, `must be a whole number, got ${JSON.stringify(text)}`)
  }
  return Number(text)
}
