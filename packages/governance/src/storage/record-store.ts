import type { ClickHouseClient } from '@clickhouse/client'
import { RecordConflictError, RecordNotFoundError } from '../errors'
import { storageCall } from './storage-call'

/** What a versioned record must carry to be stored. */
export interface VersionedRecord {
  id: string
  revision: number
}

/** Column values repeated next to the document for dashboards and filters. */
export type RecordColumns = Record<string, string | number | null>

/**
 * Stores records (nonconformities, incidents) as append-only revisions in a ReplacingMergeTree
 * table keyed by id: `save` inserts a new row, reads take the highest revision. A save expects
 * the stored revision to be exactly one below the new one, and after inserting reads back which
 * row won, so that two writers saving the same revision at once cannot both believe they won.
 */
export class RecordStore<T extends VersionedRecord> {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly table: string,
    private readonly kind: 'nonconformity' | 'incident',
    private readonly columns: (record: T) => RecordColumns,
  ) {}

  /**
   * Saves a new revision of a record (revision 1 creates it).
   * @throws RecordConflictError when the stored revision is not `record.revision - 1`, or another
   *   writer saved the same revision at the same time.
   */
  async save(record: T): Promise<T> {
    const current = await this.find(record.id)
    const stored = current?.revision ?? 0
    if (stored !== record.revision - 1) {
      throw new RecordConflictError(this.kind, record.id, record.revision - 1, stored)
    }
    const document = JSON.stringify(record)
    await storageCall(`save ${this.kind}`, () =>
      this.client.insert({
        table: this.table,
        values: [{ ...this.columns(record), id: record.id, revision: record.revision, document }],
        format: 'JSONEachRow',
      }),
    )
    const winner = await this.find(record.id)
    if (!winner || JSON.stringify(winner) !== document) {
      throw new RecordConflictError(this.kind, record.id, record.revision, winner?.revision ?? 0)
    }
    return record
  }

  /** The newest revision of a record, or null. */
  async find(id: string): Promise<T | null> {
    const [found] = await this.query('id = {id:String}', { id })
    return found ?? null
  }

  /** The newest revision of a record. @throws RecordNotFoundError when there is none. */
  async get(id: string): Promise<T> {
    const found = await this.find(id)
    if (!found) throw new RecordNotFoundError(this.kind, id)
    return found
  }

  /** Newest revisions of the records matching a WHERE clause over the table's columns. */
  async query(where: string, params: Record<string, unknown>, orderBy = 'id'): Promise<T[]> {
    const rows = await storageCall(`read ${this.kind}`, async () => {
      const result = await this.client.query({
        query: `SELECT document FROM ${this.table} FINAL WHERE ${where} ORDER BY ${orderBy}`,
        query_params: params,
        format: 'JSONEachRow',
      })
      return result.json<{ document: string }>()
    })
    return rows.map((r) => JSON.parse(r.document) as T)
  }
}
