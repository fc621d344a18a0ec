import type { ClickHouseClient } from '@clickhouse/client'
import type { GovernanceService } from '@fairwatch/governance'

import type { KeyStore } from '../auth/key-store.ts'
import type { IngestCommitter } from '../ingest/ingest-committer.ts'
import type { IngestSink } from '../ingest/ingest-sink.ts'
import type { ApiMetrics } from '../metrics/api-metrics.ts'

/** What the route handlers work with. */
export interface ApiContext {
  client: ClickHouseClient
  database: string
  governance: GovernanceService
  keys: KeyStore
  sink: IngestSink
  committer: IngestCommitter
  metrics: ApiMetrics
}
