import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { checkEvent } from '@fairwatch/contract'
import type { EventRecord } from '@fairwatch/contract'
import { AuditTrail } from '@fairwatch/governance'
import type { Nonconformity } from '@fairwatch/governance'
import { createRegistry, silentLogger } from '@fairwatch/observability'
import { settingsFrom } from '@fairwatch/pipeline'
import { EmbeddedRuntime } from '@fairwatch/runtime'
import { generateEvents } from '@fairwatch/simulator'
import type { RejectedEvent } from '@fairwatch/store'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  createApiServer,
  createEmbeddedSink,
  DEFAULT_API_CONFIG,
  startEmbeddedApi,
} from '../src/index.ts'
import type { EmbeddedApi } from '../src/index.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '.artifacts')
const MODEL = 'credit-scoring'
const ADMIN_KEY = 'overview-admin-key-0123456789'
/** Simulated events: about four weeks of decisions, enough for the drift to be confirmed. */
const EVENT_COUNT = 90_000

let dataDir: string
let profileDir: string
let runtime: EmbeddedRuntime
let api: EmbeddedApi
let browser: BrowserContext
let page: Page
const problems: string[] = []

async function rows<T>(query: string): Promise<T[]> {
  const result = await runtime.client.query({ query, format: 'JSONEachRow' })
  return result.json<T>()
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium with ` +
        '`apt-get update && apt-get install -y --no-install-recommends chromium` (as root), ' +
        'or run scripts/test.sh as root, which installs it',
    )
  }
  dataDir = mkdtempSync(join(tmpdir(), 'fairwatch-overview-'))
  profileDir = mkdtempSync(join(tmpdir(), 'fairwatch-chromium-'))
  const logger = silentLogger()
  runtime = await EmbeddedRuntime.start({
    store: { database: 'fairwatch', dataDir },
    settings: settingsFrom({
      windows: ['1d'],
      models: {
        [MODEL]: {
          attributes: ['sex', 'age_band', 'ethnicity'],
          intersections: [['ethnicity', 'sex']],
          reference_groups: { ethnicity: 'white', sex: 'male' },
        },
      },
    }),
    logger,
    recomputeIntervalMs: 3_600_000,
  })

  // The simulated stream through the contract, the pipeline and (on recompute) the policy.
  let records: EventRecord[] = []
  const rejected: RejectedEvent[] = []
  const refused = [{ kind: 'prediction', model_id: MODEL }, 'not an event', { kind: 'teleport' }]
  for (const event of [...generateEvents({ count: EVENT_COUNT, seed: 11 }), ...refused]) {
    const result = checkEvent(event)
    if (result.ok) records.push(result.record)
    else rejected.push({ source: 'test', sourceRef: '', rejection: result.rejection })
    if (records.length === 10_000) {
      await runtime.ingest(records)
      records = []
    }
  }
  await runtime.ingest(records, rejected)
  await runtime.runCycle()

  api = await startEmbeddedApi({
    runtime,
    logger,
    registry: createRegistry('fairwatch-overview', { defaults: false }),
    config: {
      ...DEFAULT_API_CONFIG,
      host: '127.0.0.1',
      port: 0,
      adminKey: ADMIN_KEY,
    },
  })

  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  })
  page = browser.pages()[0] ?? (await browser.newPage())
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`))
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`)
  })

  await page.goto(`${api.url}/`)
  await page.waitForSelector('svg[data-chart] circle')
})

afterAll(async () => {
  await browser?.close()
  await api?.close()
  await runtime?.stop()
  for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('overview page', () => {
  it('is served at / in embedded mode without errors or failed requests', async () => {
    const first = await page.locator('#refresh-state').textContent()

    await expect
      .poll(() => page.locator('#refresh-state').textContent(), { timeout: 15_000 })
      .not.toBe(first)

    expect(new URL(page.url()).pathname).toBe('/overview')
    expect(await page.locator('#refresh-state').textContent()).toMatch(/^updated /)
    expect(problems).toEqual([])
  })

  it('charts one point per stored window of each group, with the policy thresholds', async () => {
    const stored = await rows<{ group_label: string; windows: string }>(
      `SELECT group_label, countIf(value IS NOT NULL) AS windows
       FROM fairwatch.metrics_current FINAL
       WHERE model_id = '${MODEL}' AND window_size = '1d' AND attribute = 'ethnicity'
         AND metric = 'disparate_impact' AND scope = 'vs_reference' AND group_label != '(missing)'
       GROUP BY group_label`,
    )
    const chart = page.locator('svg[data-chart="disparate_impact:ethnicity"]')

    expect(stored.length).toBeGreaterThan(1)
    for (const { group_label, windows } of stored) {
      const key = `ethnicity=${group_label}`
      expect(await chart.locator(`circle[data-series="${key}"]`).count(), key).toBe(Number(windows))
      expect(await chart.locator(`path.series[data-series="${key}"]`).count(), key).toBe(1)
    }
    // four-fifths-selection has a warning and a critical band: a low and a high line each.
    expect(await chart.locator('line.threshold[data-rule="four-fifths-selection"]').count()).toBe(4)
    expect(await chart.locator('path.band').count()).toBeGreaterThan(0)
    const equalOpportunity = page.locator('svg[data-chart="equal_opportunity_difference"]')
    expect(
      await equalOpportunity.locator('line.threshold[data-rule="equal-opportunity"]').count(),
    ).toBe(2)
  })

  it('lists the open nonconformity the drift raised', async () => {
    const open: Nonconformity[] = await runtime.governance.listNonconformities({ openOnly: true })
    const drift = open.find(
      (nc) => nc.ruleId === 'four-fifths-selection' && nc.scopeKey === 'ethnicity:black',
    )

    expect(drift, 'the simulated drift raised no nonconformity').toBeDefined()
    const row = page.locator(`#records-table tr[data-record="${drift!.id}"]`)
    await expect.poll(() => row.count()).toBe(1)
    expect(await row.textContent()).toContain('four-fifths-selection')
    expect(await row.textContent()).toContain('ethnicity:black')
    expect(await page.locator('#records-table tbody tr').count()).toBeGreaterThanOrEqual(
      open.length,
    )
  })

  it('shows the rejected events by reason and saves a screenshot', async () => {
    const reasons = await rows<{ reason: string }>(
      'SELECT DISTINCT reason FROM fairwatch.rejected_events',
    )
    const table = await page.locator('#rejected').textContent()

    for (const { reason } of reasons) expect(table).toContain(reason)
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true })
  })
})

describe('overview page of a server that is not open', () => {
  it('answers the data only to a key that may read, and asks for one in the page', async () => {
    const { app } = await createApiServer({
      client: runtime.client,
      database: runtime.database,
      governance: runtime.governance,
      audit: new AuditTrail(runtime.client, runtime.database, () => new Date()),
      sink: createEmbeddedSink(runtime),
      logger: silentLogger(),
      registry: createRegistry('fairwatch-closed', { defaults: false }),
      config: { ...DEFAULT_API_CONFIG, adminKey: ADMIN_KEY },
      overview: { open: false, redirectRoot: false },
    })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      const keyOf = async (role: string) => {
        const created = await app.inject({
          method: 'POST',
          url: '/v1/keys',
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
          payload: { name: `overview-${role}`, role, reason: 'overview test' },
        })
        return (created.json() as { secret: string }).secret
      }
      const viewer = await keyOf('viewer')
      const producer = await keyOf('producer')
      const closedPage = await browser.newPage()

      const anonymous = await app.inject({ url: '/overview/data.json' })
      const asProducer = await app.inject({
        url: '/overview/data.json',
        headers: { authorization: `Bearer ${producer}` },
      })
      const asViewer = await app.inject({
        url: '/overview/data.json',
        headers: { authorization: `Bearer ${viewer}` },
      })
      const root = await app.inject({ url: '/' })
      await closedPage.goto(`${url}/overview`)
      await closedPage.locator('#key-form').waitFor({ state: 'visible' })
      await closedPage.fill('#key-input', viewer)
      await closedPage.click('#key-form button[type=submit]')
      await closedPage.waitForSelector('svg[data-chart] circle')

      expect(anonymous.statusCode).toBe(401)
      expect(anonymous.json()).toMatchObject({ code: 'FW_API_UNAUTHENTICATED' })
      expect(asProducer.statusCode).toBe(403)
      expect(asViewer.statusCode).toBe(200)
      expect((asViewer.json() as { models: { model_id: string }[] }).models).toEqual([
        expect.objectContaining({ model_id: MODEL }),
      ])
      expect(root.statusCode).toBe(404)
      expect(await closedPage.locator('#key-form').isHidden()).toBe(true)
      expect(await closedPage.evaluate(() => sessionStorage.length)).toBe(1)
      await closedPage.close()
    } finally {
      await app.close()
    }
  })
})
