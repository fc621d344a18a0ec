import type { Migration } from '@fairwatch/store'

/*
 * The API's tables, versions 200-299. A key is stored as revisions (created, then revoked) in a
 * ReplacingMergeTree keyed by its id; readers use FINAL. Only the SHA-256 of a key is kept.
 */
export const apiMigrations: readonly Migration[] = [
  {
    version: 200,
    name: 'api keys',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.api_keys (
        key_id String,
        revision UInt64,
        name String,
        role LowCardinality(String),
        secret_sha256 String,
        created_at DateTime64(3, 'UTC'),
        created_by String,
        revoked_at Nullable(DateTime64(3, 'UTC')),
        revoked_by Nullable(String)
      ) ENGINE = ReplacingMergeTree(revision)
      ORDER BY key_id`,
    ],
  },
]
