export { EmbeddedRuntime, STARTER_POLICY_DIR, nextCyclePause } from './embedded-runtime.ts'
export type { EmbeddedRuntimeOptions } from './embedded-runtime.ts'
export { StoredIdFilter } from './stored-id-filter.ts'
export type { StoredIdFilterOptions } from './stored-id-filter.ts'
