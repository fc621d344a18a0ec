import { parsePolicy, PolicyInvalidError } from '@fairwatch/governance'
import type { GovernanceService } from '@fairwatch/governance'
import { z } from 'zod'

import { ROLES } from '../auth/roles.ts'
import { PolicyRejectedError } from '../errors.ts'
import {
  apiKeySchema,
  createdApiKeySchema,
  policyUploadResultSchema,
} from '../schemas/resource-schemas.ts'
import type { ApiContext } from '../server/api-context.ts'
import { reasonField } from './common-schemas.ts'
import { defineRoute } from './route-spec.ts'
import type { RouteSpec } from './route-spec.ts'

/**
 * Loads a new version of one policy, keeping every other policy in force as it is. The document
 * replaces the policy of the same name (in its source) or is added under `api:<name>`.
 * @throws PolicyRejectedError when the document is invalid or conflicts with another policy.
 */
export async function uploadPolicy(
  governance: GovernanceService,
  request: { content: string; actor: string; reason: string },
) {
  let name: string
  try {
    name = parsePolicy(request.content, 'upload').policy.name
  } catch (err) {
    if (!(err instanceof PolicyInvalidError)) throw err
    throw new PolicyRejectedError(err.message, err.issues)
  }
  const documents = governance.registry.documents()
  const current = governance.registry.list().find((p) => p.policy.name === name)
  const source = current?.source ?? `api:${name}`
  const report = await governance.loadPolicies({
    documents: [...documents.filter((d) => d.source !== source), { source, text: request.content }],
    actor: request.actor,
    reason: request.reason,
  })
  const refusal = report.refused.find((r) => r.source === source)
  if (refusal) throw new PolicyRejectedError(refusal.message, refusal.issues)
  return {
    changes: report.changes.map((c) => ({
      source: c.source,
      name: c.name,
      kind: c.kind,
      previous_version: c.previousVersion,
      version: c.version,
    })),
    active: report.active.map((p) => ({
      name: p.policy.name,
      version: p.version,
      source: p.source,
      models: p.policy.models,
      policy: p.policy as unknown as Record<string, unknown>,
    })),
  }
}

/** Administration: policy versions and API keys. */
export function adminRoutes(context: ApiContext): RouteSpec[] {
  const { governance, keys } = context
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/policies',
      operationId: 'uploadPolicy',
      tag: 'policies',
      summary: 'Upload a new version of a policy',
      description:
        'The policy document (YAML or JSON text) replaces the loaded policy of the same name, ' +
        'or is added. Every other policy stays as it is. The new version is stored and audited.',
      access: 'admin',
      body: z.object({
        content: z
          .string()
          .min(1)
          .max(512 * 1024)
          .describe('The policy document, YAML or JSON'),
        reason: reasonField,
      }),
      response: {
        status: 201,
        description: 'What changed and the policies now in force',
        schema: policyUploadResultSchema,
      },
      errors: [422],
      handler: async ({ body, caller }) =>
        uploadPolicy(governance, {
          content: body.content,
          actor: caller?.actor ?? 'anonymous',
          reason: body.reason,
        }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/keys',
      operationId: 'listKeys',
      tag: 'keys',
      summary: 'API keys, newest first (never their secrets)',
      access: 'admin',
      response: {
        status: 200,
        description: 'Keys',
        schema: z.object({ items: z.array(apiKeySchema) }),
      },
      handler: async () => ({ items: await keys.list() }),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/keys',
      operationId: 'createKey',
      tag: 'keys',
      summary: 'Create an API key',
      description: 'The response holds the key itself; it is not stored and cannot be shown again.',
      access: 'admin',
      body: z.object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, 'names are 1-100 letters, digits, _ . @ -'),
        role: z.enum(ROLES as [string, ...string[]]).describe(ROLES.join(', ')),
        reason: reasonField,
      }),
      response: { status: 201, description: 'The new key', schema: createdApiKeySchema },
      handler: async ({ body, caller }) =>
        keys.create({
          name: body.name,
          role: body.role as (typeof ROLES)[number],
          actor: caller?.actor ?? 'anonymous',
          reason: body.reason,
        }),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/keys/{key_id}/revoke',
      operationId: 'revokeKey',
      tag: 'keys',
      summary: 'Revoke an API key',
      access: 'admin',
      params: z.object({ key_id: z.string().regex(/^[0-9a-f]{16}$/, 'not a key id') }),
      body: z.object({ reason: reasonField }),
      response: { status: 200, description: 'The revoked key', schema: apiKeySchema },
      errors: [404],
      handler: async ({ params, body, caller }) =>
        keys.revoke(params.key_id, { actor: caller?.actor ?? 'anonymous', reason: body.reason }),
    }),
  ]
}
