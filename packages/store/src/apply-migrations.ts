import type { ClickHouseClient } from '@clickhouse/client'

import { StoreError } from './errors.ts'
import type { Migration } from './migration.ts'

/**
 * Brings `database` up to the newest version of `migrations`: creates the database and the
 * `schema_migrations` ledger, then runs each migration not yet recorded, in version order.
 * Idempotent and safe to run from several processes at once, because every statement is
 * idempotent and the ledger collapses repeated records. Returns the versions it ran.
 * Throws StoreError FW_STORE_MIGRATION_FAILED naming the migration that failed.
 */
export async function applyMigrations(
  client: ClickHouseClient,
  database: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  checkVersions(migrations)
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` })
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY version`,
  })

  const applied = await appliedVersions(client, database)
  const pending = [...migrations]
    .filter((migration) => !applied.has(migration.version))
    .sort((a, b) => a.version - b.version)

  for (const migration of pending) {
    await runMigration(client, database, migration)
  }
  return pending.map((migration) => migration.version)
}

async function appliedVersions(client: ClickHouseClient, database: string): Promise<Set<number>> {
  const result = await client.query({
    query: `SELECT DISTINCT version FROM ${database}.schema_migrations`,
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ version: number }>()
  return new Set(rows.map((row) => Number(row.version)))
}

async function runMigration(
  client: ClickHouseClient,
  database: string,
  migration: Migration,
): Promise<void> {
  try {
    for (const statement of migration.statements) {
      await client.command({ query: statement.replaceAll('{db}', database) })
    }
    // INSERT … SELECT rather than rows sent with the statement: the embedded engine refuses rows
    // sent with a statement while the process's standard input holds data (`replay --input -`).
    await client.command({
      query: `INSERT INTO ${database}.schema_migrations (version, name)
        SELECT {version:UInt32}, {name:String}`,
      query_params: { version: migration.version, name: migration.name },
    })
  } catch (err) {
    const message = `migration ${migration.version} (${migration.name}) failed`
    throw new StoreError('FW_STORE_MIGRATION_FAILED', message, { cause: err, retriable: true })
  }
}

function checkVersions(migrations: readonly Migration[]): void {
  const seen = new Set<number>()
  for (const migration of migrations) {
    if (seen.has(migration.version)) {
      const message = `migration version ${migration.version} is used twice`
      throw new StoreError('FW_STORE_MIGRATION_FAILED', message, { retriable: false })
    }
    seen.add(migration.version)
  }
}
