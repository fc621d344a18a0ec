import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { createLogger, createRegistry } from '@fairwatch/observability'
import type { Logger } from '@fairwatch/observability'
import { defaultSettings, loadSettings } from '@fairwatch/pipeline'
import { createStoreClient, storeConfigFromEnv } from '@fairwatch/store'

import { workerConfigFromEnv } from './config/worker-config.ts'
import { createWorker } from './worker/create-worker.ts'

/** The starter policy shipped with @fairwatch/governance: the default of FW_POLICY_DIR. */
function starterPolicyDir(): string {
  const governanceIndex = fileURLToPath(import.meta.resolve('@fairwatch/governance'))
  return path.resolve(path.dirname(governanceIndex), '../policies')
}

/**
 * Runs a worker configured from the environment (see workerConfigFromEnv and storeConfigFromEnv)
 * until SIGTERM or SIGINT stops it gracefully. Resolves with the process exit code: 0 after a
 * graceful stop, 1 when the worker stopped on a failure it could not retry or could not start.
 */
export async function runWorkerFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = createLogger('worker'),
): Promise<number> {
  let worker: ReturnType<typeof createWorker> | null = null
  let close: (() => Promise<void>) | null = null
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping on signal')
    void worker?.stop()
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  try {
    const config = workerConfigFromEnv(env, starterPolicyDir())
    const store = storeConfigFromEnv(env)
    const settings = config.settingsFile ? loadSettings(config.settingsFile) : defaultSettings()
    const { client, mode } = createStoreClient(store)
    close = () => client.close()
    logger.info({ store: mode, database: store.database }, 'store opened')
    worker = createWorker({
      config,
      client,
      database: store.database,
      settings,
      logger,
      registry: createRegistry('worker'),
    })
    await worker.start()
    await worker.done
    return 0
  } catch (err) {
    logger.error({ err, code: (err as { code?: string }).code }, 'worker failed')
    await worker?.stop()
    return 1
  } finally {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    await close?.().catch(() => undefined)
  }
}
