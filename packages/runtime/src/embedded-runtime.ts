import path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { ClickHouseClient } from '@clickhouse/client'
import type { EventRecord } from '@fairwatch/contract'
import { GovernanceService, governanceMigrations } from '@fairwatch/governance'
import type { Logger } from '@fairwatch/observability'
import { FairnessPipeline } from '@fairwatch/pipeline'
import type { PipelineSettings } from '@fairwatch/pipeline'
import { applyMigrations, createStoreClient, storeMigrations } from '@fairwatch/store'
import type { RejectedEvent, StoreConfig, StoreMode, WindowMetrics } from '@fairwatch/store'
import type { Registry } from 'prom-client'

import { StoredIdFilter, loadInBackground } from './stored-id-filter.ts'

/** The starter policy shipped with Fairwatch, used when no policy directory is configured. */
export const STARTER_POLICY_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../governance/policies',
)

export interface EmbeddedRuntimeOptions {
  store: StoreConfig
  settings: PipelineSettings
  logger: Logger
  /** Directory of policy files; default the starter policy. */
  policyDir?: string
  /**
   * Shortest pause between two cycles that recompute and evaluate marked windows. Default
   * 2000 ms. Under heavy ingest a cycle takes longer, and the pause grows with it (see
   * CYCLE_SHARE).
   */
  recomputeIntervalMs?: number
  metrics?: Registry
  /**
   * Event ids per kind the stored id filter holds (see StoredIdFilter); default 10 000 000. The
   * filter exists only on the embedded engine, where this process is the store's single writer.
   */
  storedIdCapacity?: number
}

/**
 * The pause after a cycle is at least this many times the cycle's own duration, so that
 * recomputing and evaluating windows takes at most a third of the store's time and ingest keeps
 * the rest. Under heavy ingest metrics therefore trail the events by about three cycles instead
 * of starving the writes; when ingest calms down, cycles get short and the pause returns to
 * recomputeIntervalMs.
 */
const CYCLE_SHARE = 2

/** The pause before the next cycle, given the shortest pause and how long the last cycle took. */
export function nextCyclePause(intervalMs: number, lastCycleMs: number): number {
  return Math.max(intervalMs, lastCycleMs * CYCLE_SHARE)
}

/**
 * Everything Fairwatch runs in one process when there is no Kafka: the store (the embedded engine
 * unless a server URL is configured), the pipeline, policy evaluation and a loop that recomputes
 * changed windows, evaluates them and delivers notifications.
 */
export class EmbeddedRuntime {
  readonly client: ClickHouseClient
  readonly mode: StoreMode
  readonly database: string
  readonly pipeline: FairnessPipeline
  readonly governance: GovernanceService
  /**
   * Which event ids are certainly not stored yet, for ingest's duplicate check; null when the
   * store is a ClickHouse server, which other processes may write to as well.
   */
  readonly storedIds: StoredIdFilter | null
  readonly #logger: Logger
  readonly #intervalMs: number
  #timer: NodeJS.Timeout | null = null
  #cycle: Promise<void> = Promise.resolve()
  #lastError: unknown = null
  #windowsComputed = 0
  readonly #stopLoading = new AbortController()
  #idsLoaded: Promise<void> = Promise.resolve()

  private constructor(options: EmbeddedRuntimeOptions) {
    const { client, mode } = createStoreClient(options.store)
    this.client = client
    this.mode = mode
    this.database = options.store.database
    this.#logger = options.logger
    this.#intervalMs = options.recomputeIntervalMs ?? 2000
    this.storedIds =
      mode === 'embedded' ? new StoredIdFilter({ capacity: options.storedIdCapacity }) : null
    this.governance = new GovernanceService({
      client,
      database: this.database,
      logger: options.logger.child({ component: 'governance' }),
      metrics: options.metrics,
    })
    this.pipeline = new FairnessPipeline({
      client,
      database: this.database,
      settings: options.settings,
      logger: options.logger.child({ component: 'pipeline' }),
      onWindowMetrics: (windows) => this.#evaluate(windows),
    })
  }

  /**
   * Opens the store, applies the schema migrations, loads the policies and starts the recompute
   * loop. Throws StoreError when the store cannot be opened or migrated.
   */
  static async start(options: EmbeddedRuntimeOptions): Promise<EmbeddedRuntime> {
    const runtime = new EmbeddedRuntime(options)
    await applyMigrations(runtime.client, runtime.database, [
      ...storeMigrations,
      ...governanceMigrations,
    ])
    const report = await runtime.governance.loadPolicies({
      directory: options.policyDir ?? STARTER_POLICY_DIR,
      actor: 'system:startup',
      reason: 'policies loaded at start',
    })
    options.logger.info(
      { policies: report.active.map((p) => `${p.policy.name}@${p.version.slice(0, 12)}`) },
      'policies loaded',
    )
    if (runtime.storedIds) {
      runtime.#idsLoaded = loadInBackground(
        runtime.storedIds,
        runtime.client,
        runtime.database,
        options.logger,
        runtime.#stopLoading.signal,
      )
    }
    runtime.#schedule()
    return runtime
  }

  /** Settles when the stored id filter has loaded, or could not (it is then not ready). */
  storedIdsLoaded(): Promise<void> {
    return this.#idsLoaded
  }

  /** Windows recomputed since start. */
  get windowsComputed(): number {
    return this.#windowsComputed
  }

  /** The last error of the recompute loop, or null when its last cycle succeeded. */
  get lastError(): unknown {
    return this.#lastError
  }

  /** Stores valid events and refused ones; their windows are recomputed by the next cycle. */
  async ingest(records: readonly EventRecord[], rejected: readonly RejectedEvent[] = []) {
    const predictions = records.filter((r) => r.kind === 'prediction')
    const outcomes = records.filter((r) => r.kind === 'outcome')
    // Before the write: an id the filter lacks must never be in the store.
    if (this.storedIds) for (const r of records) this.storedIds.add(r.kind, r.eventId)
    await this.pipeline.store({ predictions, outcomes, rejected })
  }

  /** Runs one recompute, evaluation and notification cycle now, after any cycle under way. */
  async runCycle(): Promise<void> {
    this.#cycle = this.#cycle.then(() => this.#runCycle())
    return this.#cycle
  }

  async #runCycle(): Promise<void> {
    try {
      const windows = await this.pipeline.recompute()
      this.#windowsComputed += windows.length
      await this.governance.deliverNotifications()
      this.#lastError = null
    } catch (err) {
      this.#lastError = err
      this.#logger.error({ err }, 'recompute cycle failed; retrying next cycle')
    }
  }

  async #evaluate(windows: readonly WindowMetrics[]): Promise<void> {
    const reports = await this.governance.evaluateWindowMetrics(windows)
    for (const report of reports) {
      for (const nonconformity of report.raised) {
        this.#logger.warn(
          { model_id: report.modelId, window_start: report.windowStart, id: nonconformity.id },
          'nonconformity raised',
        )
      }
      for (const incident of report.incidentsOpened) {
        this.#logger.warn(
          { model_id: report.modelId, window_start: report.windowStart, id: incident.id },
          'incident opened',
        )
      }
    }
  }

  #schedule(delayMs = this.#intervalMs): void {
    this.#timer = setTimeout(async () => {
      const started = performance.now()
      await this.runCycle()
      const took = performance.now() - started
      if (this.#timer) this.#schedule(nextCyclePause(this.#intervalMs, took))
    }, delayMs)
  }

  /** Stops the loop after a last cycle, so every stored event is reflected, and closes the store. */
  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    this.#stopLoading.abort()
    await this.#idsLoaded
    await this.runCycle()
    await this.client.close()
  }
}
