import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { StoreError } from './errors.ts'
import type { RowInsert } from './row-insert.ts'

/**
 * Writes `body` to a staging file the embedded engine can read, runs `use` with the file's path
 * as an SQL string literal (for `file(…)`), and deletes the file when `use` settles.
 */
export type StagedFile = <T>(
  body: string | Uint8Array,
  use: (pathLiteral: string) => Promise<T>,
) => Promise<T>

// Paths and tokens are written into SQL. A path also must not contain the characters the
// engine's file() function expands as wildcards.
const PLAIN_PATH = /^[A-Za-z0-9/._-]+$/

/** A text as an SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * Makes a staging area: files in a private directory under `tmpDir`, created when first needed
 * and removed when the process exits. Each file is deleted as soon as its use ends, whether it
 * succeeded or not. Files are written synchronously: it is a copy into the page cache, a few
 * milliseconds per batch, while an asynchronous write would queue in the thread pool behind the
 * engine's running queries, which occupy the same threads.
 * Using it throws StoreError FW_STORE_CONFIG_INVALID when the temporary directory's path has
 * characters other than letters, digits, `/`, `.`, `_` and `-` (set TMPDIR to such a path).
 */
export function createStagedFile(tmpDir: string = os.tmpdir()): StagedFile {
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

  return async (body, use) => {
    const file = path.join(stagingDir(), randomUUID())
    writeFileSync(file, body)
    try {
      return await use(sqlString(file))
    } finally {
      try {
        unlinkSync(file)
      } catch {
        // Already gone: nothing to clean up.
      }
    }
  }
}

/**
 * Makes the embedded engine's insert: each batch is written to a staging file and read back by
 * the engine with `INSERT … SELECT * FROM file(…)`, the column types taken from the target table.
 * The engine reads a file about ten times faster than the same bytes appended to an INSERT
 * statement, which it parses on one thread.
 */
export function createStagedInsert(
  run: (sql: string) => Promise<unknown>,
  staged: StagedFile = createStagedFile(),
): RowInsert {
  return async ({ table, columns, format, body, token }) => {
    await staged(body, (file) =>
      run(
        `INSERT INTO ${table} (${columns.join(', ')})
         SETTINGS insert_deduplication_token = ${sqlString(token)},
           use_structure_from_insertion_table_in_table_functions = 1
         SELECT * FROM file(${file}, ${format})`,
      ),
    )
  }
}
