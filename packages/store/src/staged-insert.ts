import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { StoreError } from './errors.ts'

/** Inserts rows already encoded as TabSeparated text into a table of the embedded engine. */
export type StagedInsert = (params: {
  table: string
  columns: readonly string[]
  body: string
  /** Deduplication token; empty for none. */
  token: string
}) => Promise<void>

// Paths and tokens are written into SQL. A path also must not contain the characters the
// engine's file() function expands as wildcards.
const PLAIN_PATH = /^[A-Za-z0-9/._-]+$/

function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * Makes the embedded engine's insert: each batch is written to a file in a private staging
 * directory and read back by the engine with `INSERT … SELECT * FROM file(…)`, the column types
 * taken from the target table. The engine parses a file with all its threads, about ten times
 * faster than the same bytes appended to an INSERT statement, which it parses on one thread. The
 * file is deleted as soon as the insert ends, whether it succeeded or not; the directory is
 * removed when the process exits.
 * Throws StoreError FW_STORE_CONFIG_INVALID when the temporary directory's path has characters
 * other than letters, digits, `/`, `.`, `_` and `-` (set TMPDIR to such a path).
 */
export function createStagedInsert(
  run: (sql: string) => Promise<unknown>,
  tmpDir: string = os.tmpdir(),
): StagedInsert {
  let dir: string | undefined
  const stagingDir = (): string => {
    if (dir) return dir
    if (!PLAIN_PATH.test(tmpDir)) {
      throw new StoreError(
        'FW_STORE_CONFIG_INVALID',
        `the temporary directory "${tmpDir}" has characters the embedded engine cannot read ` +
          'files from; set TMPDIR to a path of letters, digits, "/", ".", "_" and "-"',
        { retriable: false },
      )
    }
    const created = mkdtempSync(path.join(tmpDir, 'fairwatch-staging-'))
    process.once('exit', () => rmSync(created, { recursive: true, force: true }))
    dir = created
    return created
  }

  return async ({ table, columns, body, token }) => {
    const file = path.join(stagingDir(), `${randomUUID()}.tsv`)
    // Written synchronously: it is a copy into the page cache, a few milliseconds per batch,
    // while an asynchronous write would queue in the thread pool behind the engine's running
    // queries, which occupy the same threads.
    writeFileSync(file, body)
    try {
      await run(
        `INSERT INTO ${table} (${columns.join(', ')})
         SETTINGS insert_deduplication_token = ${sqlString(token)},
           use_structure_from_insertion_table_in_table_functions = 1
         SELECT * FROM file(${sqlString(file)}, TabSeparated)`,
      )
    } finally {
      try {
        unlinkSync(file)
      } catch {
        // Already gone: nothing to clean up.
      }
    }
  }
}
