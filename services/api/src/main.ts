import { AuditTrail, GovernanceService, governanceMigrations } from '@fairwatch/governance'
import { createLogger, createRegistry } from '@fairwatch/observability'
import {
  applyMigrations,
  createStoreClient,
  storeConfigFromEnv,
  storeMigrations,
} from '@fairwatch/store'

import { apiMigrations } from './auth/api-key-migrations.ts'
import { apiConfigFromEnv } from './config/api-config.ts'
import { ConfigInvalidError } from './errors.ts'
import { createKafkaSink } from './ingest/kafka-sink.ts'
import { createApiServer } from './server/create-api-server.ts'

/*
 * Production mode: the API beside the workers. Ingest publishes to Kafka (FW_KAFKA_BROKERS,
 * FW_PREDICTIONS_TOPIC, FW_OUTCOMES_TOPIC); queries read the ClickHouse server of
 * FW_CLICKHOUSE_URL. Policies are read from FW_POLICY_DIR at start, like the workers do.
 */
const logger = createLogger('fairwatch-api')

async function main(): Promise<void> {
  const brokers = (process.env.FW_KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  if (brokers.length === 0) {
    throw new ConfigInvalidError(
      'FW_KAFKA_BROKERS is not set; run `pnpm fairwatch start` for the embedded mode',
    )
  }
  const config = apiConfigFromEnv()
  if (config.adminKey === null) {
    logger.warn('FW_ADMIN_KEY is not set: only keys already stored can authenticate')
  }
  const store = storeConfigFromEnv()
  const { client } = createStoreClient(store)
  await applyMigrations(client, store.database, [
    ...storeMigrations,
    ...governanceMigrations,
    ...apiMigrations,
  ])
  const registry = createRegistry('fairwatch-api')
  const governance = new GovernanceService({
    client,
    database: store.database,
    logger: logger.child({ component: 'governance' }),
    metrics: registry,
  })
  if (process.env.FW_POLICY_DIR) {
    await governance.loadPolicies({
      directory: process.env.FW_POLICY_DIR,
      actor: 'system:api-startup',
      reason: 'policies loaded at start',
    })
  }
  const sink = await createKafkaSink({
    brokers,
    predictionsTopic: process.env.FW_PREDICTIONS_TOPIC || 'fairness.predictions',
    outcomesTopic: process.env.FW_OUTCOMES_TOPIC || 'fairness.outcomes',
    client,
    database: store.database,
    logger,
  })
  const { app } = await createApiServer({
    client,
    database: store.database,
    governance,
    audit: new AuditTrail(client, store.database, () => new Date()),
    sink,
    logger,
    registry,
    config,
  })
  const url = await app.listen({ host: config.host, port: config.port })
  logger.info({ url, docs: `${url}/docs` }, 'api listening')

  const stop = async () => {
    await app.close()
    await sink.close()
    await client.close()
    logger.info('api stopped')
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'api failed to start')
  process.exitCode = 1
})
