/**
 * One versioned schema change. Versions are applied in ascending order, once per database; each
 * statement must be idempotent (`CREATE TABLE IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`) so that
 * several workers starting at once, or a run interrupted half-way, converge on the same schema.
 * Statements may use the placeholder `{db}` for the target database.
 */
export interface Migration {
  /** Unique and ascending across every migration list applied to one database. */
  version: number
  /** Short description, stored with the applied version. */
  name: string
  statements: readonly string[]
}
