export { createStoreClient } from './client.ts'
export type { StoreMode } from './client.ts'
export { ROW_INSERT, insertRows } from './row-insert.ts'
export type { EncodedRows, RowFormat, RowInsert } from './row-insert.ts'
export { storeConfigFromEnv } from './config.ts'
export type { StoreConfig } from './config.ts'
export { StoreError, toStoreError } from './errors.ts'
export type { StoreErrorCode } from './errors.ts'
export type { Migration } from './migration.ts'
export { storeMigrations } from './migrations.ts'
export { applyMigrations } from './apply-migrations.ts'
export { encodeEvents } from './event-rows.ts'
export type { EncodedEventBatch, EventBatch, RejectedEvent } from './event-rows.ts'
export { writeEncodedEvents, writeEvents } from './event-writer.ts'
export type { WriteOptions } from './event-writer.ts'
export { queryWindowCells } from './window-cells.ts'
export type { WindowCell, WindowCellsQuery, WindowCellsResult } from './window-cells.ts'
export { writeMetricRevisions } from './metric-revisions.ts'
export type { WindowMetrics } from './metric-revisions.ts'
export {
  countOrphanOutcomes,
  countPredictionsAwaitingOutcome,
  eventTotals,
  listModels,
  storedEventIdPages,
  storedEventIds,
  windowsOfPredictions,
} from './event-queries.ts'
export type { EventTotals } from './event-queries.ts'
export { escapeTsv } from './tsv.ts'
