import { readFile } from 'node:fs/promises'

import { checkEvent } from '@fairwatch/contract'
import { STARTER_POLICY_DIR } from '@fairwatch/runtime'
import { generateEvents } from '@fairwatch/simulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { raiseBreach, startTestApi } from './support/api-fixture.ts'
import type { TestApi } from './support/api-fixture.ts'

let t: TestApi

beforeAll(async () => {
  t = await startTestApi()
})

afterAll(async () => {
  await t?.close()
})

type Json = Record<string, unknown>

function prediction(eventId: string, overrides: Json = {}): Json {
  return {
    kind: 'prediction',
    event_id: eventId,
    model_id: 'credit-scoring',
    model_version: 'v1',
    prediction_id: `p-${eventId}`,
    timestamp: '2025-02-01T10:00:00Z',
    prediction: 1,
    score: 0.7,
    attributes: { sex: 'female' },
    ...overrides,
  }
}

function expectProblem(
  response: { status: number; body: unknown; headers: Headers },
  code: string,
) {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  expect(response.body).toMatchObject({ status: response.status, code })
  const body = response.body as Json
  for (const member of ['type', 'title', 'detail', 'instance']) {
    expect(typeof body[member]).toBe('string')
  }
}

describe('operations endpoints', () => {
  it('serves liveness, readiness, metrics, OpenAPI and docs without a key', async () => {
    const health = await t.call('GET', '/healthz', { key: null })
    const ready = await t.call('GET', '/readyz', { key: null })
    const metrics = await t.call('GET', '/metrics', { key: null })
    const openapi = await t.call('GET', '/openapi.json', { key: null })
    const docs = await t.call('GET', '/docs', { key: null })

    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } })
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ok', checks: { store: true, sink: true } },
    })
    expect(metrics.status).toBe(200)
    expect(String(metrics.body)).toContain('fairwatch_http_requests_total{')
    expect(String(metrics.body)).toContain('service="fairwatch-api"')
    expect(openapi.status).toBe(200)
    expect((openapi.body as Json).openapi).toBe('3.1.0')
    expect(docs.status).toBe(200)
    expect(String(docs.body)).toContain('Swagger UI')
  })

  it('sends security headers and no CORS headers when no origin is configured', async () => {
    const response = await t.call('GET', '/healthz', {
      key: null,
      headers: { origin: 'https://elsewhere.example' },
    })

    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('authentication and roles', () => {
  it('answers 401 with no key, an unknown key or a malformed Authorization header', async () => {
    const none = await t.call('GET', '/v1/incidents', { key: null })
    const unknown = await t.call('GET', '/v1/incidents', {
      key: 'fwk_0123456789abcdef_' + 'A'.repeat(43),
    })
    const malformed = await t.call('GET', '/v1/incidents', {
      key: null,
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    })

    expectProblem(none, 'FW_API_UNAUTHENTICATED')
    expect(none.status).toBe(401)
    expectProblem(unknown, 'FW_API_UNAUTHENTICATED')
    expectProblem(malformed, 'FW_API_UNAUTHENTICATED')
  })

  it('accepts a key in the X-API-Key header', async () => {
    const response = await t.call('GET', '/v1/incidents', {
      key: null,
      headers: { 'x-api-key': t.keys.viewer },
    })

    expect(response.status).toBe(200)
  })

  const matrix: { method: string; path: string; body?: unknown; allowed: string[] }[] = [
    { method: 'POST', path: '/v1/events/batch', body: [], allowed: ['producer', 'admin'] },
    { method: 'GET', path: '/v1/models', allowed: ['viewer', 'responder', 'admin'] },
    { method: 'GET', path: '/v1/audit?limit=1', allowed: ['viewer', 'responder', 'admin'] },
    {
      method: 'POST',
      path: '/v1/incidents',
      body: { title: 'role check', model_id: 'm1', severity: 'low', reason: 'roles' },
      allowed: ['responder', 'admin'],
    },
    { method: 'GET', path: '/v1/keys', allowed: ['admin'] },
    {
      method: 'POST',
      path: '/v1/policies',
      body: { content: 'name: x', reason: 'roles' },
      allowed: ['admin'],
    },
  ]

  for (const entry of matrix) {
    const route = `${entry.method} ${entry.path.split('?')[0]}`
    it(`lets only ${entry.allowed.join(', ')} call ${route}`, async () => {
      const outcomes: Record<string, number> = {}
      for (const role of ['producer', 'viewer', 'responder', 'admin'] as const) {
        const response = await t.call(entry.method, entry.path, {
          key: t.keys[role],
          body: entry.body,
        })
        outcomes[role] = response.status
        if (response.status === 403) expectProblem(response, 'FW_API_FORBIDDEN')
      }

      for (const role of ['producer', 'viewer', 'responder', 'admin']) {
        if (entry.allowed.includes(role)) expect(outcomes[role], role).not.toBe(403)
        else expect(outcomes[role], role).toBe(403)
      }
    })
  }
})

describe('API keys', () => {
  it('creates a key that works at once, lists it without its secret, audits it', async () => {
    const created = await t.call('POST', '/v1/keys', {
      body: { name: 'ops-bot', role: 'viewer', reason: 'dashboard access' },
    })
    const { key, secret } = created.body as { key: Json; secret: string }
    const before = await t.call('GET', '/v1/models', { key: secret })

    const revoked = await t.call('POST', `/v1/keys/${key.key_id}/revoke`, {
      body: { reason: 'dashboard retired' },
    })
    const after = await t.call('GET', '/v1/models', { key: secret })
    const listed = await t.call('GET', '/v1/keys')
    const audit = await t.call('GET', `/v1/audit?subject_id=${key.key_id}`, { key: t.keys.viewer })

    expect(created.status).toBe(201)
    expect(before.status).toBe(200)
    expect(revoked).toMatchObject({
      status: 200,
      body: { key_id: key.key_id, revoked_by: 'key:bootstrap/bootstrap-admin' },
    })
    expect(after.status).toBe(401)
    const items = (listed.body as { items: Json[] }).items
    expect(items.find((k) => k.key_id === key.key_id)).toMatchObject({
      name: 'ops-bot',
      role: 'viewer',
    })
    expect(JSON.stringify(listed.body)).not.toContain(secret)
    const entries = (audit.body as { items: Json[] }).items
    expect(entries.map((e) => [e.action, e.reason, e.actor])).toEqual([
      ['api_key.created', 'dashboard access', 'key:bootstrap/bootstrap-admin'],
      ['api_key.revoked', 'dashboard retired', 'key:bootstrap/bootstrap-admin'],
    ])
    expect(JSON.stringify(audit.body)).not.toContain(secret)
  })

  it('refuses a key without a reason and answers 404 for revoking an unknown key', async () => {
    const noReason = await t.call('POST', '/v1/keys', { body: { name: 'x', role: 'viewer' } })
    const unknown = await t.call('POST', '/v1/keys/00000000deadbeef/revoke', {
      body: { reason: 'r' },
    })

    expectProblem(noReason, 'FW_API_REQUEST_INVALID')
    expect((noReason.body as Json).invalid_params).toEqual([
      { name: 'body.reason', reason: expect.any(String) },
    ])
    expect(unknown.status).toBe(404)
    expectProblem(unknown, 'FW_API_NOT_FOUND')
  })
})

describe('ingest', () => {
  it('answers each event of a JSON batch and stores the valid ones among bad ones', async () => {
    const batch = [
      prediction('b1-1'),
      prediction('b1-2', { prediction: 7 }),
      'not an event',
      prediction('b1-1'),
      { ...prediction('b1-3'), kind: 'guess' },
      {
        kind: 'outcome',
        event_id: 'b1-o1',
        model_id: 'credit-scoring',
        prediction_id: 'p-b1-1',
        timestamp: '2025-02-03T10:00:00Z',
        outcome: 1,
      },
    ]

    const response = await t.call('POST', '/v1/events/batch', { key: t.keys.producer, body: batch })
    const again = await t.call('POST', '/v1/events/batch', {
      key: t.keys.producer,
      body: [batch[0]],
    })

    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: 3 })
    const results = (response.body as { results: Json[] }).results
    expect(results.map((r) => r.status)).toEqual([
      'accepted',
      'rejected',
      'rejected',
      'duplicate',
      'rejected',
      'accepted',
    ])
    expect(results[1]).toMatchObject({
      event_id: 'b1-2',
      reason: 'invalid_field',
      field: 'prediction',
    })
    expect(results[2]).toMatchObject({ event_id: null, reason: 'not_an_object', field: null })
    expect(results[4]).toMatchObject({ reason: 'unknown_kind', field: 'kind' })
    expect((again.body as { results: Json[] }).results[0]?.status).toBe('duplicate')
    const stored = await t.runtime.client.query({
      query: `SELECT
        (SELECT count() FROM fairwatch.predictions WHERE event_id LIKE 'b1-%') AS predictions,
        (SELECT count() FROM fairwatch.outcomes WHERE event_id LIKE 'b1-%') AS outcomes,
        (SELECT count() FROM fairwatch.rejected_events WHERE source = 'http') AS rejected`,
      format: 'JSONEachRow',
    })
    const [counts] = await stored.json<Record<string, string | number>>()
    expect([counts?.predictions, counts?.outcomes, counts?.rejected].map(Number)).toEqual([1, 1, 3])
  })

  it('reads NDJSON bodies line by line, naming the line of each result', async () => {
    const body = [
      JSON.stringify(prediction('nd-1')),
      '',
      '{"kind": "prediction", broken',
      JSON.stringify(prediction('nd-2')),
      '',
    ].join('\n')

    const response = await t.call('POST', '/v1/events/batch', {
      key: t.keys.producer,
      body,
      headers: { 'content-type': 'application/x-ndjson' },
    })

    expect(response.status).toBe(200)
    const results = (response.body as { results: Json[] }).results
    expect(results.map((r) => [r.line, r.status, r.reason ?? null])).toEqual([
      [1, 'accepted', null],
      [3, 'rejected', 'malformed_json'],
      [4, 'accepted', null],
    ])
  })

  it('calls duplicate an event the runtime stored itself, with the stored id filter ready', async () => {
    await t.runtime.storedIdsLoaded()
    expect(t.runtime.storedIds?.ready).toBe(true)
    const direct = checkEvent(prediction('direct-1'))
    if (!direct.ok) throw new Error('fixture event is invalid')
    // The way the simulator stores events: through the runtime, not the API.
    await t.runtime.ingest([direct.record])

    const response = await t.call('POST', '/v1/events/batch', {
      key: t.keys.producer,
      body: [prediction('direct-1'), prediction('direct-2')],
    })

    const results = (response.body as { results: Json[] }).results
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'accepted'])
  })

  it('takes single events: 202 accepted, then duplicate, 422 naming the bad field', async () => {
    const first = await t.call('POST', '/v1/events', {
      key: t.keys.producer,
      body: prediction('one-1'),
    })
    const repeat = await t.call('POST', '/v1/events', {
      key: t.keys.producer,
      body: prediction('one-1'),
    })
    const bad = await t.call('POST', '/v1/events', {
      key: t.keys.producer,
      body: prediction('one-2', { timestamp: 'yesterday' }),
    })

    expect(first).toMatchObject({ status: 202, body: { event_id: 'one-1', status: 'accepted' } })
    expect(repeat).toMatchObject({ status: 202, body: { event_id: 'one-1', status: 'duplicate' } })
    expect(bad.status).toBe(422)
    expectProblem(bad, 'FW_API_EVENT_REJECTED')
    expect(bad.body).toMatchObject({ reason: 'invalid_field', field: 'timestamp' })
  })

  it('answers malformed, empty, oversized and wrongly typed bodies with problems', async () => {
    const malformed = await t.call('POST', '/v1/events/batch', { key: t.keys.producer, body: '[{' })
    const notArray = await t.call('POST', '/v1/events/batch', { key: t.keys.producer, body: '{}' })
    const empty = await t.call('POST', '/v1/events/batch', { key: t.keys.producer, body: ' ' })
    const xml = await t.call('POST', '/v1/events/batch', {
      key: t.keys.producer,
      body: '<events/>',
      headers: { 'content-type': 'application/xml' },
    })
    const huge = await t.call('POST', '/v1/events', {
      key: t.keys.producer,
      body: JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }),
    })

    expectProblem(malformed, 'FW_API_BODY_MALFORMED')
    expectProblem(notArray, 'FW_API_BODY_MALFORMED')
    expectProblem(empty, 'FW_API_BODY_MALFORMED')
    expect(xml.status).toBe(415)
    expectProblem(xml, 'FW_API_MEDIA_TYPE_UNSUPPORTED')
    expect(huge.status).toBe(413)
    expectProblem(huge, 'FW_API_BODY_TOO_LARGE')
  })

  it('counts ingested and rejected events in Prometheus under the shared names', async () => {
    await t.call('POST', '/v1/events/batch', {
      key: t.keys.producer,
      body: [prediction('metric-1'), prediction('metric-2', { model_id: '' })],
    })

    const metrics = String((await t.call('GET', '/metrics', { key: null })).body)

    const labels = (kindOrReason: string) =>
      String.raw`\{${kindOrReason},source="http",service="fairwatch-api"\} \d+`
    expect(metrics).toMatch(
      new RegExp(`fairwatch_events_ingested_total${labels('kind="prediction"')}`),
    )
    expect(metrics).toMatch(
      new RegExp(`fairwatch_events_rejected_total${labels('reason="invalid_field"')}`),
    )
    expect(metrics).toContain('fairwatch_batch_size_bucket')
    expect(metrics).toMatch(
      /fairwatch_http_request_duration_seconds_count\{[^}]*route="\/v1\/events\/batch"/,
    )
    expect(metrics).toMatch(
      /fairwatch_http_requests_total\{[^}]*route="\/v1\/events\/batch",status_code="200"/,
    )
  })
})

describe('queries', () => {
  beforeAll(async () => {
    const events = [...generateEvents({ count: 3000, seed: 7 })]
    const response = await t.call('POST', '/v1/events/batch', {
      key: t.keys.producer,
      body: events,
    })
    expect(response.status).toBe(200)
    await t.runtime.runCycle()
  })

  it('lists the model and pages through its current metrics with filters', async () => {
    const models = await t.call('GET', '/v1/models', { key: t.keys.viewer })
    const all = await t.call('GET', '/v1/models/credit-scoring/metrics?limit=1000', {
      key: t.keys.viewer,
    })
    const filtered = await t.call(
      'GET',
      '/v1/models/credit-scoring/metrics' +
        '?metric=selection_rate&attribute=sex&group=female&limit=2&offset=1',
      { key: t.keys.viewer },
    )

    expect((models.body as { items: Json[] }).items).toEqual([
      expect.objectContaining({ model_id: 'credit-scoring', window_sizes: ['1d'] }),
    ])
    const page = filtered.body as { items: Json[]; total: number; limit: number; offset: number }
    expect(page.limit).toBe(2)
    expect(page.offset).toBe(1)
    expect(page.items.length).toBeLessThanOrEqual(2)
    expect(page.items.every((r) => r.metric === 'selection_rate' && r.group === 'female')).toBe(
      true,
    )
    const everyFemaleSelection = (all.body as { items: Json[] }).items.filter(
      (r) => r.metric === 'selection_rate' && r.attribute === 'sex' && r.group === 'female',
    )
    expect(page.total).toBe(everyFemaleSelection.length)
    expect(page.items).toEqual(everyFemaleSelection.slice(1, 3))
  })

  it('limits metrics to a window range', async () => {
    const all = await t.call(
      'GET',
      '/v1/models/credit-scoring/metrics?metric=selection_rate&attribute=sex&limit=1000',
      { key: t.keys.viewer },
    )
    const starts = [
      ...new Set((all.body as { items: Json[] }).items.map((r) => r.window_start as string)),
    ].sort()
    expect(starts.length).toBeGreaterThanOrEqual(3)
    const from = starts[1] as string
    const to = starts.at(-1) as string

    const ranged = await t.call(
      'GET',
      `/v1/models/credit-scoring/metrics?metric=selection_rate&attribute=sex&from=${from}&to=${to}`,
      { key: t.keys.viewer },
    )

    expect(ranged.status, JSON.stringify(ranged.body)).toBe(200)
    const got = [
      ...new Set((ranged.body as { items: Json[] }).items.map((r) => r.window_start)),
    ].sort()
    expect(got).toEqual(starts.slice(1, -1))
  })

  it('returns the disparities of the latest window', async () => {
    const all = await t.call(
      'GET',
      '/v1/models/credit-scoring/metrics?limit=1000&scope=vs_reference',
      { key: t.keys.viewer },
    )
    const latest = (all.body as { items: Json[] }).items
      .map((r) => r.window_start as string)
      .sort()
      .at(-1)

    const response = await t.call('GET', '/v1/models/credit-scoring/disparities/latest', {
      key: t.keys.viewer,
    })

    const items = (response.body as { items: Json[] }).items
    expect(items.length).toBeGreaterThan(0)
    expect(items.every((r) => r.window_start === latest)).toBe(true)
    expect(new Set(items.map((r) => r.scope))).toEqual(new Set(['vs_reference', 'across_groups']))
  })

  it('lists evaluations of the evaluated windows, filtered by status', async () => {
    const all = await t.call('GET', '/v1/evaluations?model_id=credit-scoring&limit=1000', {
      key: t.keys.viewer,
    })
    const insufficient = await t.call(
      'GET',
      '/v1/evaluations?status=insufficient_evidence&limit=5',
      { key: t.keys.viewer },
    )

    const items = (all.body as { items: Json[]; total: number }).items
    expect(items.length).toBeGreaterThan(0)
    expect(new Set(items.map((e) => e.rule_id))).toEqual(
      new Set(['four-fifths-selection', 'equalized-odds', 'equal-opportunity']),
    )
    const page = insufficient.body as { items: Json[]; total: number }
    expect(page.items.every((e) => e.status === 'insufficient_evidence')).toBe(true)
    expect(page.total).toBe(items.filter((e) => e.status === 'insufficient_evidence').length)
  })

  it('refuses a malformed query with every invalid parameter named', async () => {
    const response = await t.call(
      'GET',
      '/v1/models/credit-scoring/metrics?limit=0&from=yesterday&scope=x',
      { key: t.keys.viewer },
    )

    expectProblem(response, 'FW_API_REQUEST_INVALID')
    const names = ((response.body as Json).invalid_params as Json[]).map((p) => p.name).sort()
    expect(names).toEqual(['query.from', 'query.limit', 'query.scope'])
  })
})

describe('policies', () => {
  it('lists the policy in force and its stored versions', async () => {
    const active = await t.call('GET', '/v1/policies', { key: t.keys.viewer })
    const versions = await t.call('GET', '/v1/policies/starter/versions', { key: t.keys.viewer })

    const items = (active.body as { items: Json[] }).items
    expect(items.map((p) => [p.name, p.models])).toEqual([['starter', null]])
    expect((versions.body as { items: Json[] }).items[0]).toMatchObject({
      name: 'starter',
      version: items[0]?.version,
      loaded_by: 'system:startup',
    })
  })

  it('uploads an audited policy version and refuses an invalid one with its issues', async () => {
    const starter = await readFile(`${STARTER_POLICY_DIR}/starter.yaml`, 'utf8')
    const stricter = starter.replace('minSample: 30', 'minSample: 40')
    expect(stricter).not.toBe(starter)

    const uploaded = await t.call('POST', '/v1/policies', {
      key: t.keys.admin,
      body: { content: stricter, reason: 'larger minimum sample' },
    })
    const invalid = await t.call('POST', '/v1/policies', {
      key: t.keys.admin,
      body: { content: 'name: broken\nrules: 3', reason: 'try' },
    })
    const versions = await t.call('GET', '/v1/policies/starter/versions', { key: t.keys.viewer })

    expect(uploaded.status).toBe(201)
    const change = (uploaded.body as { changes: Json[] }).changes[0]
    expect(change).toMatchObject({ name: 'starter', kind: 'updated' })
    expect(change?.version).not.toBe(change?.previous_version)
    expect(invalid.status).toBe(422)
    expectProblem(invalid, 'FW_API_POLICY_INVALID')
    expect(((invalid.body as Json).issues as Json[]).map((i) => i.path)).toContain('rules')
    const stored = (versions.body as { items: Json[] }).items
    expect(stored[0]).toMatchObject({
      version: change?.version,
      reason: 'larger minimum sample',
      loaded_by: expect.stringMatching(/^key:[0-9a-f]{16}\/test-admin$/),
    })
  })
})

describe('records workflow', () => {
  it('moves a raised nonconformity through its lifecycle, audited under the caller', async () => {
    await raiseBreach(t.runtime, 'workflow-model')
    const list = await t.call('GET', '/v1/nonconformities?model_id=workflow-model&open=true', {
      key: t.keys.viewer,
    })
    const nc = (list.body as { items: Json[] }).items[0] as Json
    const id = nc.id as string

    const assigned = await t.call('POST', `/v1/nonconformities/${id}/assign`, {
      key: t.keys.responder,
      body: {
        owner: 'fairness-team',
        due_date: '2025-04-01T00:00:00Z',
        reason: 'team owns credit',
      },
    })
    const commented = await t.call('POST', `/v1/nonconformities/${id}/comments`, {
      key: t.keys.responder,
      body: { text: 'looking at the female approval rate' },
    })
    const investigating = await t.call('POST', `/v1/nonconformities/${id}/transition`, {
      key: t.keys.responder,
      body: { to: 'investigating', reason: 'triaged' },
    })
    const illegal = await t.call('POST', `/v1/nonconformities/${id}/transition`, {
      key: t.keys.responder,
      body: { to: 'closed', reason: 'skip ahead' },
    })
    const fetched = await t.call('GET', `/v1/nonconformities/${id}`, { key: t.keys.viewer })
    const audit = await t.call('GET', `/v1/audit?subject_id=${id}&limit=1000`, {
      key: t.keys.viewer,
    })

    expect(nc).toMatchObject({
      status: 'open',
      rule_id: 'four-fifths-selection',
      model_id: 'workflow-model',
    })
    expect(assigned.body).toMatchObject({
      owner: 'fairness-team',
      due_date: '2025-04-01T00:00:00.000Z',
    })
    expect((commented.body as { comments: Json[] }).comments.at(-1)).toMatchObject({
      text: 'looking at the female approval rate',
    })
    expect(investigating.body).toMatchObject({ status: 'investigating' })
    expect(illegal.status).toBe(409)
    expectProblem(illegal, 'FW_API_CONFLICT')
    expect(fetched.body).toMatchObject({ status: 'investigating', owner: 'fairness-team' })
    const responder = expect.stringMatching(/^key:[0-9a-f]{16}\/test-responder$/)
    const human = (audit.body as { items: Json[] }).items.filter((e) =>
      String(e.actor).startsWith('key:'),
    )
    expect(human.map((e) => [e.action, e.reason])).toEqual([
      ['nonconformity.assigned', 'team owns credit'],
      ['nonconformity.commented', null],
      ['nonconformity.transitioned', 'triaged'],
    ])
    expect(human.every((e) => responder.asymmetricMatch(e.actor))).toBe(true)
    expect((audit.body as { verification: Json }).verification).toMatchObject({ ok: true })
  })

  it('opens a serious incident by hand with its Article 73 due date and resolves it', async () => {
    const opened = await t.call('POST', '/v1/incidents', {
      key: t.keys.responder,
      body: {
        title: 'Complaints about denials',
        model_id: 'credit-scoring',
        severity: 'high',
        reason: 'customer complaints',
      },
    })
    const id = (opened.body as Json).id as string

    const classified = await t.call('POST', `/v1/incidents/${id}/classify`, {
      key: t.keys.responder,
      body: {
        category: 'widespread_infringement',
        aware_at: '2025-05-01T08:00:00Z',
        reason: 'affects many applicants',
      },
    })
    const assigned = await t.call('POST', `/v1/incidents/${id}/assign`, {
      key: t.keys.responder,
      body: { owner: 'on-call', reason: 'rota' },
    })
    const commented = await t.call('POST', `/v1/incidents/${id}/comments`, {
      key: t.keys.responder,
      body: { text: 'paged the model owner' },
    })
    const steps = []
    for (const to of ['acknowledged', 'mitigated', 'resolved']) {
      steps.push(
        await t.call('POST', `/v1/incidents/${id}/transition`, {
          key: t.keys.responder,
          body: { to, reason: `step to ${to}` },
        }),
      )
    }
    const missingReason = await t.call('POST', `/v1/incidents/${id}/transition`, {
      key: t.keys.responder,
      body: { to: 'resolved' },
    })
    const unknown = await t.call('GET', '/v1/incidents/inc-does-not-exist', { key: t.keys.viewer })
    const listed = await t.call('GET', '/v1/incidents?status=resolved&limit=10', {
      key: t.keys.viewer,
    })

    expect(opened.status).toBe(201)
    expect(opened.body).toMatchObject({
      status: 'open',
      severity: 'high',
      opened_by: expect.stringContaining('test-responder'),
    })
    expect((classified.body as { serious: Json }).serious).toMatchObject({
      category: 'widespread_infringement',
      report_due_at: '2025-05-03T08:00:00.000Z',
    })
    expect(assigned.body).toMatchObject({ owner: 'on-call' })
    expect(commented.status).toBe(200)
    expect(steps.map((s) => (s.body as Json).status)).toEqual([
      'acknowledged',
      'mitigated',
      'resolved',
    ])
    expectProblem(missingReason, 'FW_API_REQUEST_INVALID')
    expect(unknown.status).toBe(404)
    expectProblem(unknown, 'FW_API_NOT_FOUND')
    expect((listed.body as { items: Json[] }).items.map((i) => i.id)).toContain(id)
  })

  it('refuses workflow changes to viewers', async () => {
    const response = await t.call('POST', '/v1/incidents', {
      key: t.keys.viewer,
      body: { title: 't', model_id: 'm', severity: 'low', reason: 'r' },
    })

    expect(response.status).toBe(403)
  })
})

describe('errors', () => {
  it('answers unknown routes and methods with a 404 problem', async () => {
    const unknown = await t.call('GET', '/v1/nothing-here', { key: null })
    const method = await t.call('DELETE', '/v1/incidents', { key: null })

    expectProblem(unknown, 'FW_API_NOT_FOUND')
    expectProblem(method, 'FW_API_NOT_FOUND')
  })

  it('answers a JSON body that does not parse with a 400 problem', async () => {
    const response = await t.call('POST', '/v1/incidents', {
      key: t.keys.responder,
      body: '{"title":',
    })

    expect(response.status).toBe(400)
    expectProblem(response, 'FW_API_BODY_MALFORMED')
  })
})
