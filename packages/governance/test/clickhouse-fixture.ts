import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { applyMigrations } from '@fairwatch/store'
import { createChdbConnection } from 'chdb/connection'
import { governanceMigrations } from '../src/storage/governance-migrations'

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

/**
 * The embedded ClickHouse engine in a fresh temporary directory, with the governance tables in
 * `database`. One per test file: the engine binds one data directory per process.
 */
export async function embeddedClickHouse(
  database: string,
): Promise<{ client: ClickHouseClient; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fairwatch-governance-'))
  // chdb's Connection type comes from its own copy of client-common; identical at run time.
  const connection = createChdbConnection({ path: dir }) as unknown as ClientConnection
  const client = createClient({ connection })
  await applyMigrations(client, database, governanceMigrations)
  return {
    client,
    close: async () => {
      await client.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A clock the test moves by hand. */
export function manualClock(start: Date): {
  now: () => Date
  set: (d: Date) => void
  advance: (ms: number) => void
} {
  let current = start
  return {
    now: () => current,
    set: (d) => {
      current = d
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms)
    },
  }
}
