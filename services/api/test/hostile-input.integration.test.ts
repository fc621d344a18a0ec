import { AuditTrail } from '@fairwatch/governance'
import { createRegistry, silentLogger } from '@fairwatch/observability'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { DEFAULT_API_CONFIG, createApiServer } from '../src/index.ts'
import type { IngestSink } from '../src/index.ts'
import { ADMIN_KEY, startTestApi } from './support/api-fixture.ts'
import type { TestApi } from './support/api-fixture.ts'

type Json = Record<string, unknown>

let t: TestApi
let operations: { method: string; path: string }[]

beforeAll(async () => {
  t = await startTestApi({ batchBodyLimit: 256 * 1024, bodyLimit: 64 * 1024 })
  const document = (await t.call('GET', '/openapi.json', { key: null })).body as {
    paths: Record<string, Json>
  }
  operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
  )
})

afterAll(async () => {
  await t?.close()
})

/** Every answer is below 500, and every error is a problem document with a stable code. */
function expectWellFormed(
  response: { statusCode: number; headers: Json; body: string },
  what: string,
) {
  expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBeLessThan(500)
  if (response.statusCode < 400) return
  expect(String(response.headers['content-type']), what).toMatch(/^application\/problem\+json/)
  // A HEAD answer has the headers of the GET answer and no body.
  if (what.startsWith('HEAD ')) return
  const problem = JSON.parse(response.body) as Json
  expect(problem, what).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: response.statusCode,
    detail: expect.any(String),
    instance: expect.any(String),
    code: expect.stringMatching(/^FW_API_[A-Z_]+$/),
  })
  expect(response.body, what).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|SELECT |\/work\//)
}

const printable = fc
  .string({ unit: 'binary-ascii', maxLength: 80 })
  .map((s) => s.replace(/[^\x20-\x7e]/g, ''))
const anyText = fc.string({ unit: 'binary', maxLength: 200 })

const pathSegment = fc.oneof(
  fc.constantFrom(
    'credit-scoring',
    'starter',
    'nc-1',
    '0123456789abcdef',
    '..',
    '%2e%2e',
    '%00',
    '',
  ),
  anyText.map((s) => encodeURIComponent(s)),
)

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.constantFrom(
        'limit',
        'offset',
        'from',
        'to',
        'model_id',
        'status',
        'open',
        'scope',
        'metric',
        'group',
        'subject_id',
        '__proto__',
        'constructor',
      ),
      fc.oneof(
        anyText.map(encodeURIComponent),
        fc.constantFrom(
          '-1',
          '1e309',
          'NaN',
          '99999999999',
          'true',
          '2025-13-45T99:99:99Z',
          '%',
          '%%',
          '[]',
        ),
      ),
    )
    .map((params) =>
      Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join('&'),
    ),
  printable.map((s) => s.replace(/[#\s]/g, '')),
  fc.constant('limit=1&limit=2&open=true&open=false'),
)

const keyHeader = fc.oneof(
  fc.constant<Record<string, string>>({}),
  fc
    .constantFrom('producer', 'viewer', 'responder', 'admin')
    .map((role) => ({ authorization: `Bearer ${t.keys[role as 'admin']}` })),
  fc.constant({ authorization: `Bearer ${ADMIN_KEY}` }),
  printable.map((value) => ({ authorization: value })),
  printable.map((value) => ({ authorization: `Bearer ${value}` })),
  printable.map((value) => ({ 'x-api-key': value })),
)

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-ndjson',
    'text/plain',
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
  ),
  printable,
)

const body = fc.oneof(
  fc.json({ maxDepth: 4 }),
  anyText,
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify([v, v])),
  fc.constant('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'),
  fc.constant('['.repeat(5000) + ']'.repeat(5000)),
  fc.constant('{"kind":"prediction"}\n{bad\n\n' + '{"a":1}\n'.repeat(50)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.constant('x'.repeat(300 * 1024)),
)

describe('hostile input', () => {
  it('answers random bodies, query strings and headers at every operation without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        pathSegment,
        queryString,
        keyHeader,
        contentType,
        fc.option(body, { nil: undefined }),
        async (pick, segment, query, auth, type, payload) => {
          const operation = operations[pick % operations.length] as { method: string; path: string }
          const url =
            operation.path.replace(/\{[^}]+\}/g, segment || 'x') + (query ? `?${query}` : '')
          const request: InjectOptions = {
            method: operation.method as 'GET',
            url,
            headers: { ...auth, ...(payload === undefined ? {} : { 'content-type': type }) },
            ...(payload === undefined || operation.method === 'GET' ? {} : { payload }),
          }

          const response = await t.api.app.inject(request)

          expectWellFormed(response, `${operation.method} ${url}`)
        },
      ),
      { numRuns: 400 },
    )
    expect(({} as Json).polluted).toBeUndefined()
  })

  it('answers random methods and paths with problems', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        fc.array(pathSegment, { maxLength: 5 }),
        async (method, segments) => {
          const url = `/${segments.join('/')}`

          const response = await t.api.app.inject({ method: method as 'GET', url })

          expectWellFormed(response, `${method} ${url}`)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('answers a batch larger than the limit with a 413 problem', async () => {
    const response = await t.api.app.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: { authorization: `Bearer ${t.keys.producer}`, 'content-type': 'application/json' },
      payload: '[' + '{"kind":"prediction"},'.repeat(20_000) + '{}]',
    })

    expect(response.statusCode).toBe(413)
    expectWellFormed(response, 'oversized batch')
  })
})

describe('limits and failures', () => {
  async function serverWith(
    sink: IngestSink,
    rateLimitPerMinute: number,
    corsOrigins: string[] = [],
  ): Promise<FastifyInstance> {
    const { app } = await createApiServer({
      client: t.runtime.client,
      database: t.runtime.database,
      governance: t.runtime.governance,
      audit: new AuditTrail(t.runtime.client, t.runtime.database, () => new Date()),
      sink,
      logger: silentLogger(),
      registry: createRegistry('fairwatch-api', { defaults: false }),
      config: { ...DEFAULT_API_CONFIG, adminKey: ADMIN_KEY, rateLimitPerMinute, corsOrigins },
    })
    return app
  }

  it('limits each key to its rate and answers 429 problems with Retry-After', async () => {
    const app = await serverWith(
      { kind: 'embedded', write: async () => {}, ready: async () => true, close: async () => {} },
      3,
    )
    const asViewer = { authorization: `Bearer ${t.keys.viewer}` }

    const first = []
    for (let i = 0; i < 3; i += 1)
      first.push(await app.inject({ url: '/v1/policies', headers: asViewer }))
    const limited = await app.inject({ url: '/v1/policies', headers: asViewer })
    const otherKey = await app.inject({
      url: '/v1/policies',
      headers: { authorization: `Bearer ${t.keys.responder}` },
    })
    await app.close()

    expect(first.map((r) => r.statusCode)).toEqual([200, 200, 200])
    expect(limited.statusCode).toBe(429)
    expect(JSON.parse(limited.body)).toMatchObject({ code: 'FW_API_RATE_LIMITED', status: 429 })
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(otherKey.statusCode).toBe(200)
  })

  it('answers an unexpected failure with a generic 500 problem that reveals nothing internal', async () => {
    const secret = 'SELECT password FROM /work/secret/path.ts:12'
    const failing: IngestSink = {
      kind: 'embedded',
      write: async () => {
        throw new TypeError(secret)
      },
      ready: async () => false,
      close: async () => {},
    }
    const app = await serverWith(failing, 1000)

    const response = await app.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: { authorization: `Bearer ${t.keys.producer}`, 'content-type': 'application/json' },
      payload: '[]',
    })
    const ready = await app.inject({ url: '/readyz' })
    await app.close()

    expect(response.statusCode).toBe(500)
    expect(JSON.parse(response.body)).toMatchObject({ code: 'FW_API_INTERNAL', status: 500 })
    expect(response.body).not.toContain('password')
    expect(response.body).not.toContain('TypeError')
    expect(ready.statusCode).toBe(503)
    expect(JSON.parse(ready.body)).toMatchObject({
      code: 'FW_API_UNAVAILABLE',
      checks: { store: true, sink: false },
    })
  })

  it('allows cross-origin calls only from the configured origins', async () => {
    const sink: IngestSink = {
      kind: 'embedded',
      write: async () => {},
      ready: async () => true,
      close: async () => {},
    }
    const app = await serverWith(sink, 1000, ['https://dashboard.example'])
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/v1/incidents',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      })

    const allowed = await preflight('https://dashboard.example')
    const other = await preflight('https://evil.example')
    await app.close()

    expect(allowed.headers['access-control-allow-origin']).toBe('https://dashboard.example')
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })
})
