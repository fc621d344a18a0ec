import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { raiseBreach, startTestApi } from './support/api-fixture.ts'
import type { TestApi } from './support/api-fixture.ts'

type Json = Record<string, unknown>

let t: TestApi
let document: Json
let ajv: Ajv2020

// ajv-formats is a CommonJS module whose default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

beforeAll(async () => {
  t = await startTestApi()
  document = (await t.call('GET', '/openapi.json', { key: null })).body as Json
  ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema({ ...document, $id: 'urn:fairwatch:openapi' })
})

afterAll(async () => {
  await t?.close()
})

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')
}

interface Call {
  method: 'GET' | 'POST'
  template: string
  params?: Record<string, string>
  query?: string
  role?: 'producer' | 'viewer' | 'responder' | 'admin' | null
  body?: unknown
  headers?: Record<string, string>
}

/** Sends a call and checks its answer against the response documented for its status. */
async function checkCall(call: Call): Promise<{ status: number; body: unknown }> {
  let path = call.template
  for (const [name, value] of Object.entries(call.params ?? {})) {
    path = path.replace(`{${name}}`, encodeURIComponent(value))
  }
  const key = call.role === null ? null : t.keys[call.role ?? 'admin']
  const response = await t.call(call.method, path + (call.query ? `?${call.query}` : ''), {
    key,
    body: call.body,
    headers: call.headers,
  })
  const operation = (document.paths as Record<string, Record<string, Json>>)[call.template]?.[
    call.method.toLowerCase()
  ]
  expect(operation, `${call.method} ${call.template} is documented`).toBeDefined()
  const responses = operation?.responses as Record<string, { content?: Record<string, unknown> }>
  const documented = responses[String(response.status)]
  expect(
    documented,
    `${call.method} ${call.template} documents status ${response.status}`,
  ).toBeDefined()
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0] as string
  expect(Object.keys(documented?.content ?? {}), `${call.template} ${response.status}`).toContain(
    mediaType,
  )
  if (mediaType.endsWith('json')) {
    const schema = pointer(
      'paths',
      call.template,
      call.method.toLowerCase(),
      'responses',
      String(response.status),
      'content',
      mediaType,
      'schema',
    )
    const ref = `urn:fairwatch:openapi#/${schema}`
    const validate = ajv.compile({ $ref: ref })
    const valid = validate(response.body)
    expect(
      valid,
      `${call.method} ${path} ${response.status}: ${ajv.errorsText(validate.errors)}`,
    ).toBe(true)
  }
  return response
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator()

    const result = await validator.validate(structuredClone(document))

    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })

  it('holds response schemas strict enough to catch a body of the wrong shape', () => {
    const schema = pointer(
      'paths',
      '/v1/incidents/{id}',
      'get',
      'responses',
      '200',
      'content',
      'application/json',
      'schema',
    )
    const ref = `urn:fairwatch:openapi#/${schema}`
    const validate = ajv.compile({ $ref: ref })

    expect(validate({ id: 'inc-1' })).toBe(false)
    expect(validate({ id: 'inc-1', title: 't', extra: true })).toBe(false)
  })

  it('describes what the server answers for every operation', async () => {
    const prediction = {
      kind: 'prediction',
      event_id: 'oa-1',
      model_id: 'credit-scoring',
      model_version: 'v1',
      prediction_id: 'oa-p1',
      timestamp: '2025-02-01T10:00:00Z',
      prediction: 1,
      attributes: { sex: 'female' },
    }
    await raiseBreach(t.runtime, 'openapi-model')
    const ncs = (await t.call('GET', '/v1/nonconformities?model_id=openapi-model')).body as {
      items: Json[]
    }
    const ncId = ncs.items[0]?.id as string
    const incidents = (await t.call('GET', '/v1/incidents?model_id=openapi-model')).body as {
      items: Json[]
    }
    const incidentId = incidents.items[0]?.id as string

    const calls: Call[] = [
      { method: 'GET', template: '/healthz', role: null },
      { method: 'GET', template: '/readyz', role: null },
      { method: 'GET', template: '/metrics', role: null },
      { method: 'POST', template: '/v1/events', role: 'producer', body: prediction },
      {
        method: 'POST',
        template: '/v1/events',
        role: 'producer',
        body: { ...prediction, event_id: 'oa-2', score: 2 },
      },
      { method: 'POST', template: '/v1/events', role: null, body: prediction },
      { method: 'POST', template: '/v1/events', role: 'viewer', body: prediction },
      {
        method: 'POST',
        template: '/v1/events/batch',
        role: 'producer',
        body: [prediction, { ...prediction, event_id: 'oa-3', kind: 'x' }],
      },
      { method: 'POST', template: '/v1/events/batch', role: 'producer', body: '[' },
      { method: 'GET', template: '/v1/models', role: 'viewer' },
      {
        method: 'GET',
        template: '/v1/models/{model_id}/metrics',
        params: { model_id: 'credit-scoring' },
        role: 'viewer',
      },
      {
        method: 'GET',
        template: '/v1/models/{model_id}/metrics',
        params: { model_id: 'credit-scoring' },
        query: 'limit=abc',
        role: 'viewer',
      },
      {
        method: 'GET',
        template: '/v1/models/{model_id}/disparities/latest',
        params: { model_id: 'credit-scoring' },
        role: 'viewer',
      },
      {
        method: 'GET',
        template: '/v1/evaluations',
        query: 'model_id=openapi-model',
        role: 'viewer',
      },
      { method: 'GET', template: '/v1/policies', role: 'viewer' },
      {
        method: 'GET',
        template: '/v1/policies/{name}/versions',
        params: { name: 'starter' },
        role: 'viewer',
      },
      { method: 'POST', template: '/v1/policies', body: { content: 'name: [', reason: 'check' } },
      { method: 'GET', template: '/v1/nonconformities', role: 'viewer' },
      { method: 'GET', template: '/v1/nonconformities/{id}', params: { id: ncId }, role: 'viewer' },
      {
        method: 'GET',
        template: '/v1/nonconformities/{id}',
        params: { id: 'nc-missing' },
        role: 'viewer',
      },
      {
        method: 'POST',
        template: '/v1/nonconformities/{id}/assign',
        params: { id: ncId },
        role: 'responder',
        body: { owner: 'team', reason: 'owner' },
      },
      {
        method: 'POST',
        template: '/v1/nonconformities/{id}/comments',
        params: { id: ncId },
        role: 'responder',
        body: { text: 'note' },
      },
      {
        method: 'POST',
        template: '/v1/nonconformities/{id}/transition',
        params: { id: ncId },
        role: 'responder',
        body: { to: 'investigating', reason: 'start' },
      },
      {
        method: 'POST',
        template: '/v1/nonconformities/{id}/transition',
        params: { id: ncId },
        role: 'responder',
        body: { to: 'closed', reason: 'too early' },
      },
      { method: 'GET', template: '/v1/incidents', role: 'viewer' },
      { method: 'GET', template: '/v1/incidents/{id}', params: { id: incidentId }, role: 'viewer' },
      {
        method: 'POST',
        template: '/v1/incidents',
        role: 'responder',
        body: {
          title: 'by hand',
          model_id: 'openapi-model',
          severity: 'medium',
          reason: 'seen',
          nonconformity_ids: [ncId],
        },
      },
      {
        method: 'POST',
        template: '/v1/incidents/{id}/assign',
        params: { id: incidentId },
        role: 'responder',
        body: { owner: 'on-call', reason: 'rota' },
      },
      {
        method: 'POST',
        template: '/v1/incidents/{id}/comments',
        params: { id: incidentId },
        role: 'responder',
        body: { text: 'paged' },
      },
      {
        method: 'POST',
        template: '/v1/incidents/{id}/transition',
        params: { id: incidentId },
        role: 'responder',
        body: { to: 'acknowledged', reason: 'on it' },
      },
      {
        method: 'POST',
        template: '/v1/incidents/{id}/classify',
        params: { id: incidentId },
        role: 'responder',
        body: { category: 'general', aware_at: '2025-03-04T00:00:00Z', reason: 'serious' },
      },
      { method: 'GET', template: '/v1/audit', query: 'limit=5', role: 'viewer' },
      { method: 'GET', template: '/v1/keys' },
      {
        method: 'POST',
        template: '/v1/keys',
        body: { name: 'doc-key', role: 'producer', reason: 'docs' },
      },
    ]
    const created = []
    for (const call of calls) created.push(await checkCall(call))
    const newKey = (created.at(-1)?.body as { key: Json }).key
    await checkCall({
      method: 'POST',
      template: '/v1/keys/{key_id}/revoke',
      params: { key_id: newKey.key_id as string },
      body: { reason: 'done' },
    })
    const uploaded = await checkCall({
      method: 'POST',
      template: '/v1/policies',
      body: {
        content: [
          'name: extra',
          'models: [openapi-model]',
          'rules:',
          '  - id: di',
          '    metric: disparate_impact',
          '    scope: { attribute: sex }',
          '    comparison: below',
          '    thresholds: { warning: 0.8, critical: 0.6 }',
          '    owner: risk',
          '',
        ].join('\n'),
        reason: 'a policy of its own',
      },
    })

    expect(uploaded.status).toBe(201)
    const documentedOperations = Object.entries(document.paths as Record<string, Json>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    const exercised = new Set(
      [...calls, { method: 'POST', template: '/v1/keys/{key_id}/revoke' }].map(
        (c) => `${c.method} ${c.template}`,
      ),
    )
    expect(documentedOperations.filter((op) => !exercised.has(op))).toEqual([])
  })

  it('allows exactly the documented roles of every operation, others get 403', async () => {
    const roles = ['producer', 'viewer', 'responder', 'admin'] as const
    const mismatches: string[] = []

    for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item as Record<string, Json>)) {
        const description = String(operation.description ?? '')
        const listed = /Roles: ([a-z, ]+)\./.exec(description)?.[1]?.split(', ') ?? null
        const url = path.replace(/\{[^}]+\}/g, 'x')
        for (const role of roles) {
          const response = await t.api.app.inject({
            method: method.toUpperCase() as 'GET',
            url,
            headers: {
              authorization: `Bearer ${t.keys[role]}`,
              'content-type': 'application/json',
            },
            ...(method === 'post' ? { payload: '{}' } : {}),
          })
          const refused = response.statusCode === 403
          const shouldRefuse = listed !== null && !listed.includes(role)
          if (refused !== shouldRefuse) {
            mismatches.push(`${method.toUpperCase()} ${path} as ${role}: ${response.statusCode}`)
          }
        }
      }
    }

    expect(mismatches).toEqual([])
  })
})
