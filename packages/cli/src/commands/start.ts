import { parseArgs } from 'node:util'

import { checkEvent } from '@fairwatch/contract'
import type { EventRecord } from '@fairwatch/contract'
import { apiConfigFromEnv, startEmbeddedApi } from '@fairwatch/api'
import { createLogger, createRegistry } from '@fairwatch/observability'
import { defaultSettings, loadSettings, settingsFrom } from '@fairwatch/pipeline'
import type { PipelineSettings } from '@fairwatch/pipeline'
import { EmbeddedRuntime } from '@fairwatch/runtime'
import { runLiveSimulation } from '@fairwatch/simulator'
import type { RejectedEvent } from '@fairwatch/store'
import { storeConfigFromEnv } from '@fairwatch/store'

export const startUsage = `Usage: fairwatch start [--speed N] [--no-simulator] [--config FILE] [--policies DIR]

Starts Fairwatch in one process with nothing else running: the embedded ClickHouse engine as the
store (in FW_DATA_DIR, default .data/clickhouse; or a server when FW_CLICKHOUSE_URL is set), the
pipeline, the starter risk policy and a simulated credit-decision model as the event source. One
group's approval and error rates drift unfairly over simulated time; outcomes arrive days after
the decisions. Stop with Ctrl-C.

The HTTP API (ingest, metrics, records, docs at /docs) listens on FW_HTTP_HOST:FW_HTTP_PORT,
default 127.0.0.1:8080; open that address in a browser for the overview page (/overview), which
needs no key on a loopback address. The API's bootstrap admin key is FW_ADMIN_KEY; when that is
unset a key is generated and printed once in the log (valid until the process stops).

  --speed N        simulated seconds per wall second (default 3600: an hour a second)
  --no-simulator   do not simulate; only the pipeline runs
  --config FILE    pipeline settings (JSON or YAML); default daily windows
  --policies DIR   directory of policy files; default the starter policy`

/** Settings of the simulated model: daily windows and the intersection of ethnicity and sex. */
function simulatorSettings(): PipelineSettings {
  return settingsFrom({
    windows: ['1d'],
    models: {
      'credit-scoring': {
        attributes: ['sex', 'age_band', 'ethnicity'],
        intersections: [['ethnicity', 'sex']],
        reference_groups: { ethnicity: 'white', sex: 'male', 'ethnicity&sex': 'white&male' },
      },
    },
  })
}

/** `fairwatch start`: runs until interrupted; returns the exit code. */
export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      speed: { type: 'string' },
      'no-simulator': { type: 'boolean' },
      config: { type: 'string' },
      policies: { type: 'string' },
    },
    strict: true,
  })
  const logger = createLogger('fairwatch')
  const simulate = !values['no-simulator']
  const settings = values.config
    ? loadSettings(values.config)
    : simulate
      ? simulatorSettings()
      : defaultSettings()
  const store = storeConfigFromEnv()
  const apiConfig = apiConfigFromEnv()
  const registry = createRegistry('fairwatch')
  const runtime = await EmbeddedRuntime.start({
    store,
    settings,
    logger,
    policyDir: values.policies ?? process.env.FW_POLICY_DIR,
    metrics: registry,
  })
  logger.info({ store: runtime.mode, data_dir: store.dataDir }, 'fairwatch started')
  let api
  try {
    api = await startEmbeddedApi({
      runtime,
      logger: logger.child({ component: 'api' }),
      registry,
      config: apiConfig,
    })
  } catch (err) {
    await runtime.stop()
    throw err
  }
  logger.info(
    { url: api.url, overview: `${api.url}/overview`, docs: `${api.url}/docs` },
    'api listening',
  )

  const stop = new AbortController()
  process.once('SIGINT', () => stop.abort())
  process.once('SIGTERM', () => stop.abort())

  const simulation = simulate
    ? runLiveSimulation({
        speed: values.speed ? Number(values.speed) : 3600,
        signal: stop.signal,
        logger: logger.child({ component: 'simulator' }),
        onEvents: async (events) => {
          const records: EventRecord[] = []
          const rejected: RejectedEvent[] = []
          for (const event of events) {
            const result = checkEvent(event)
            if (result.ok) records.push(result.record)
            else rejected.push({ source: 'simulator', sourceRef: '', rejection: result.rejection })
          }
          await runtime.ingest(records, rejected)
        },
      })
    : new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()))

  const progress = setInterval(() => {
    logger.info(
      {
        windows_computed: runtime.windowsComputed,
        windows_pending: runtime.pipeline.pendingWindows,
      },
      'progress',
    )
  }, 10_000)

  try {
    await simulation
  } finally {
    clearInterval(progress)
    stop.abort()
    await api.close()
    await runtime.stop()
    logger.info('fairwatch stopped')
  }
  return 0
}
