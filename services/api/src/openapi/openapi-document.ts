import { eventJsonSchemas } from '@fairwatch/contract'
import { z } from 'zod'

import { rolesFor } from '../auth/roles.ts'
import { BATCH_PATH, EVENT_PATH } from '../ingest/ingest-routes.ts'
import { PROBLEM_CONTENT_TYPE, problemSchema } from '../http/problem.ts'
import { batchResultSchema, healthSchema, singleResultSchema } from '../schemas/resource-schemas.ts'
import type { RouteSpec } from '../routes/route-spec.ts'

type JsonObject = Record<string, unknown>

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'Invalid request or malformed body',
  401: 'No API key, or an unknown or revoked one',
  403: "The key's role does not allow this operation",
  404: 'No such record',
  409: 'The record is not in a state that allows the change',
  413: 'Body larger than the limit',
  415: 'Unsupported content type',
  422: 'Refused by the contract or the policy schema',
  429: 'Rate limit of the key exceeded',
  500: 'Unexpected error (logged; no details are returned)',
  503: 'Store or event transport unavailable; retry later',
}

/**
 * Converts a zod schema to JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), moving
 * schemas with an `id` into `components` and referring to them.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: JsonObject): JsonObject {
  const generated = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  })
  // Schemas with an `id` are extracted under $defs; in the document they live in components.
  const json = JSON.parse(
    JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as JsonObject
  const defs = (json.$defs ?? {}) as JsonObject
  for (const [id, def] of Object.entries(defs)) components[id] = def
  delete json.$defs
  delete json.$schema
  const id = json.id
  if (typeof id === 'string') {
    delete json.id
    components[id] = json
    return { $ref: `#/components/schemas/${id}` }
  }
  return json
}

function problemResponses(statuses: readonly number[]): JsonObject {
  const responses: JsonObject = {}
  for (const status of statuses) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? 'Error',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    }
  }
  return responses
}

function queryParameters(schema: z.ZodType, components: JsonObject, where: 'query' | 'path') {
  const json = toSchema(schema, 'input', components)
  const properties = (json.properties ?? {}) as Record<string, JsonObject>
  const required = new Set((json.required ?? []) as string[])
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }))
}

function operation(route: RouteSpec, components: JsonObject): JsonObject {
  const parameters = [
    ...(route.params ? queryParameters(route.params, components, 'path') : []),
    ...(route.query ? queryParameters(route.query, components, 'query') : []),
  ]
  const errors = new Set<number>([...(route.errors ?? []), 429, 500, 503])
  if (route.params || route.query || route.body) errors.add(400)
  if (route.body) errors.add(413).add(415)
  if (route.access !== 'public') errors.add(401).add(403)
  const roles = route.access === 'public' ? [] : rolesFor(route.access)
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, roles.length ? `Roles: ${roles.join(', ')}.` : '']
      .filter(Boolean)
      .join('\n\n'),
    ...(route.access === 'public' ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(route.body, 'input', components) } },
          },
        }
      : {}),
    responses: {
      [String(route.response.status)]: {
        description: route.response.description,
        content: {
          'application/json': { schema: toSchema(route.response.schema, 'output', components) },
        },
      },
      ...problemResponses([...errors].sort()),
    },
  }
}

function ingestOperations(components: JsonObject): JsonObject {
  const events = eventJsonSchemas()
  components.PredictionEvent = { ...events.prediction, $schema: undefined }
  components.OutcomeEvent = { ...events.outcome, $schema: undefined }
  delete (components.PredictionEvent as JsonObject).$schema
  delete (components.OutcomeEvent as JsonObject).$schema
  const event = {
    oneOf: [
      { $ref: '#/components/schemas/PredictionEvent' },
      { $ref: '#/components/schemas/OutcomeEvent' },
    ],
  }
  const roles = `Roles: ${rolesFor('ingest').join(', ')}.`
  return {
    [EVENT_PATH]: {
      post: {
        operationId: 'ingestEvent',
        tags: ['ingest'],
        summary: 'Send one prediction or outcome event',
        description: `Checked against the event contract; a refused event answers 422 with the contract's reason and field. ${roles}`,
        requestBody: { required: true, content: { 'application/json': { schema: event } } },
        responses: {
          '202': {
            description: 'Accepted (or already stored: status duplicate)',
            content: {
              'application/json': { schema: toSchema(singleResultSchema, 'output', components) },
            },
          },
          ...problemResponses([400, 401, 403, 413, 415, 422, 429, 500, 503]),
        },
      },
    },
    [BATCH_PATH]: {
      post: {
        operationId: 'ingestBatch',
        tags: ['ingest'],
        summary: 'Send a batch of events (JSON array or NDJSON)',
        description:
          'Each event is answered on its own: accepted, duplicate (event_id already in this batch ' +
          'or already stored) or rejected with the reason, field and message from the contract. ' +
          `Valid events are stored whatever their neighbours. ${roles}`,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'array', items: event } },
            'application/x-ndjson': {
              schema: { type: 'string', description: 'One event (JSON object) per line' },
            },
          },
        },
        responses: {
          '200': {
            description: 'One result per event, in the order sent',
            content: {
              'application/json': { schema: toSchema(batchResultSchema, 'output', components) },
            },
          },
          ...problemResponses([400, 401, 403, 413, 415, 429, 500, 503]),
        },
      },
    },
  }
}

function publicOperations(components: JsonObject): JsonObject {
  const health = toSchema(healthSchema, 'output', components)
  const plain = (summary: string, operationId: string, description: string) => ({
    get: {
      operationId,
      tags: ['operations'],
      summary,
      security: [],
      responses: {
        '200': { description, content: { 'application/json': { schema: health } } },
        ...problemResponses(operationId === 'ready' ? [503] : []),
      },
    },
  })
  return {
    '/healthz': plain('Liveness', 'health', 'The process is up'),
    '/readyz': plain('Readiness: the store and the event sink answer', 'ready', 'Ready'),
    '/metrics': {
      get: {
        operationId: 'metrics',
        tags: ['operations'],
        summary: 'Prometheus metrics of this process',
        security: [],
        responses: {
          '200': {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
  }
}

/**
 * The OpenAPI 3.1 document of the API, generated from the same zod schemas the server validates
 * requests with, and from the event contract's schemas for ingest.
 */
export function openApiDocument(routes: readonly RouteSpec[], version = '0.1.0'): JsonObject {
  const components: JsonObject = {}
  toSchema(problemSchema, 'output', components)
  const paths: Record<string, JsonObject> = {
    ...(publicOperations(components) as Record<string, JsonObject>),
    ...(ingestOperations(components) as Record<string, JsonObject>),
  }
  for (const route of routes) {
    const item = paths[route.path] ?? {}
    item[route.method.toLowerCase()] = operation(route, components)
    paths[route.path] = item
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fairwatch API',
      version,
      description:
        'Ingest prediction and outcome events, read fairness metrics and evaluations, and work ' +
        'nonconformities and incidents. Every error is an RFC 9457 problem document with a ' +
        'stable `code`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    tags: [
      'ingest',
      'metrics',
      'governance',
      'policies',
      'records',
      'audit',
      'keys',
      'operations',
    ].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  }
}
