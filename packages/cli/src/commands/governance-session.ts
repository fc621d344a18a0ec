import { GovernanceService, governanceMigrations } from '@fairwatch/governance'
import { silentLogger } from '@fairwatch/observability'
import {
  applyMigrations,
  createStoreClient,
  storeConfigFromEnv,
  storeMigrations,
} from '@fairwatch/store'

/**
 * Opens the configured store (a ClickHouse server, or the embedded engine's data directory, which
 * only one process may hold: stop `fairwatch start` first) and runs `work` with a governance
 * service on it. The schema is brought up to date first, so a fresh store works too.
 */
export async function withGovernance<T>(
  work: (governance: GovernanceService) => Promise<T>,
): Promise<T> {
  const config = storeConfigFromEnv()
  const { client } = createStoreClient(config)
  try {
    await applyMigrations(client, config.database, [...storeMigrations, ...governanceMigrations])
    const governance = new GovernanceService({
      client,
      database: config.database,
      logger: silentLogger(),
      auditChainId: `cli-${process.pid}`,
    })
    return await work(governance)
  } finally {
    await client.close()
  }
}
