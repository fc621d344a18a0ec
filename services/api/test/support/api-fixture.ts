import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { MetricRow } from '@fairwatch/metrics'
import { createLogger, createRegistry } from '@fairwatch/observability'
import { settingsFrom } from '@fairwatch/pipeline'
import { EmbeddedRuntime } from '@fairwatch/runtime'

import { DEFAULT_API_CONFIG, startEmbeddedApi } from '../../src/index.ts'
import type { ApiConfig, EmbeddedApi, Role } from '../../src/index.ts'

/** A bootstrap admin key for tests. */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef'

/** The API in embedded mode on a free port, over the embedded engine in a fresh directory. */
export interface TestApi {
  api: EmbeddedApi
  runtime: EmbeddedRuntime
  url: string
  /** A key of each role, created through the API by the bootstrap admin. */
  keys: Record<Role, string>
  /** Sends a request over the socket with a key (or none). */
  call(
    method: string,
    path: string,
    options?: { key?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown; headers: Headers }>
  close(): Promise<void>
}

/**
 * Starts the embedded runtime (credit model settings, starter policy) and the API in front of it.
 * The recompute loop is slowed down so tests run cycles by hand with `runtime.runCycle()`.
 */
export async function startTestApi(config: Partial<ApiConfig> = {}): Promise<TestApi> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fairwatch-api-'))
  // Errors only, on stderr: an unexpected failure behind a 500 shows its cause in the test output.
  const logger = createLogger('fairwatch-api-test', { level: 'error', destination: process.stderr })
  const runtime = await EmbeddedRuntime.start({
    store: { database: 'fairwatch', dataDir },
    settings: settingsFrom({
      windows: ['1d'],
      models: {
        'credit-scoring': {
          attributes: ['sex', 'age_band', 'ethnicity'],
          reference_groups: { ethnicity: 'white', sex: 'male' },
        },
      },
    }),
    logger,
    recomputeIntervalMs: 3_600_000,
  })
  const api = await startEmbeddedApi({
    runtime,
    logger,
    registry: createRegistry('fairwatch-api', { defaults: false }),
    config: { ...DEFAULT_API_CONFIG, port: 0, adminKey: ADMIN_KEY, ...config },
  })

  const call: TestApi['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers }
    const key = options.key === undefined ? ADMIN_KEY : options.key
    if (key !== null) headers.authorization = `Bearer ${key}`
    let body: string | undefined
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await fetch(`${api.url}${path}`, { method, headers, body })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // Not JSON (HTML docs, Prometheus text): keep the text.
    }
    return { status: response.status, body: parsed, headers: response.headers }
  }

  const keys = {} as Record<Role, string>
  for (const role of ['producer', 'viewer', 'responder', 'admin'] as const) {
    const created = await call('POST', '/v1/keys', {
      body: { name: `test-${role}`, role, reason: 'test fixture' },
    })
    if (created.status !== 201) throw new Error(`creating a ${role} key: ${created.status}`)
    keys[role] = (created.body as { secret: string }).secret
  }

  return {
    api,
    runtime,
    url: api.url,
    keys,
    call,
    close: async () => {
      await api.close()
      await runtime.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A vs_reference disparate_impact row far below the four-fifths band, with strong evidence. */
export function breachingRow(): MetricRow {
  return {
    attribute: 'sex',
    group: 'female',
    scope: 'vs_reference',
    metric: 'disparate_impact',
    value: 0.5,
    numerator: 0.25,
    denominator: 0.5,
    ciLow: 0.4,
    ciHigh: 0.6,
    pValue: 1e-9,
    referenceGroup: 'male',
    sampleSize: 500,
    insufficientEvidence: false,
    reason: null,
  }
}

/**
 * Evaluates `count` consecutive daily windows of the model with a critical disparate impact
 * breach, so the starter policy confirms it: a nonconformity and an incident are raised.
 */
export async function raiseBreach(runtime: EmbeddedRuntime, modelId: string, count = 3) {
  const start = Date.parse('2025-03-01T00:00:00Z')
  const day = 86_400_000
  return runtime.governance.evaluateWindows(
    Array.from({ length: count }, (_, i) => ({
      rows: [breachingRow()],
      window: {
        modelId,
        windowStart: new Date(start + i * day),
        windowEnd: new Date(start + (i + 1) * day),
        windowSize: '1d',
        labelCoverage: 0.8,
      },
    })),
  )
}
