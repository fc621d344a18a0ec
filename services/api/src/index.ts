export { createApiServer } from './server/create-api-server.ts'
export type { ApiServer, ApiServerOptions } from './server/create-api-server.ts'
export { apiConfigFromEnv, DEFAULT_API_CONFIG } from './config/api-config.ts'
export type { ApiConfig } from './config/api-config.ts'
export { apiMigrations } from './auth/api-key-migrations.ts'
export { KeyStore } from './auth/key-store.ts'
export type { ApiKeyInfo, Caller, KeyStoreOptions } from './auth/key-store.ts'
export { ROLES, roleAllows } from './auth/roles.ts'
export type { Access, Role } from './auth/roles.ts'
export { createEmbeddedSink } from './ingest/embedded-sink.ts'
export type { EventStoreRuntime } from './ingest/embedded-sink.ts'
export { createKafkaSink } from './ingest/kafka-sink.ts'
export type { KafkaSinkOptions } from './ingest/kafka-sink.ts'
export type { AcceptedEvent, IngestSink } from './ingest/ingest-sink.ts'
export type { BatchResult, EventResult } from './ingest/ingest-events.ts'
export { startEmbeddedApi } from './server/start-embedded-api.ts'
export type { EmbeddedApi, EmbeddedApiOptions } from './server/start-embedded-api.ts'
export type { OverviewOptions } from './overview/overview-routes.ts'
export type { OverviewData, OverviewPipelineStatus } from './overview/overview-data.ts'
export {
  ApiError,
  BodyMalformedError,
  ConfigInvalidError,
  ConflictError,
  EventRejectedError,
  ForbiddenError,
  NotFoundError,
  PolicyRejectedError,
  RequestInvalidError,
  UnauthenticatedError,
  UnavailableError,
} from './errors.ts'
export type { ApiErrorCode, InvalidParam } from './errors.ts'
