import { z } from 'zod'

import { incidentSchema, nonconformitySchema } from '../schemas/resource-schemas.ts'
import { snakeCaseKeys } from '../schemas/snake-case.ts'
import type { ApiContext } from '../server/api-context.ts'
import { idParams, reasonField, timeParam } from './common-schemas.ts'
import { defineRoute } from './route-spec.ts'
import type { RouteSpec } from './route-spec.ts'

const person = z.string().trim().min(1).max(256)
const commentBody = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'a comment needs text')
    .max(10_000)
    .describe('The comment; it stands as the reason of the change in the audit trail'),
})

function actorOf(caller: { actor: string } | null): string {
  // Workflow routes are never public, so a caller is always present.
  return caller?.actor ?? 'anonymous'
}

/**
 * Changes to nonconformities and incidents. Every change names its reason and is audited under
 * the caller's key by the governance service.
 */
export function workflowRoutes(context: ApiContext): RouteSpec[] {
  const { governance } = context
  const conflict = [404, 409]
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/nonconformities/{id}/assign',
      operationId: 'assignNonconformity',
      tag: 'records',
      summary: 'Set the owner and/or due date of a nonconformity',
      access: 'workflow',
      params: idParams,
      body: z.object({
        owner: person.optional(),
        due_date: timeParam.nullable().optional().describe('null clears the due date'),
        reason: reasonField,
      }),
      response: { status: 200, description: 'The updated record', schema: nonconformitySchema },
      errors: conflict,
      handler: async ({ params, body, caller }) =>
        snakeCaseKeys(
          await governance.assignNonconformity(params.id, {
            actor: actorOf(caller),
            owner: body.owner,
            dueDate: body.due_date,
            reason: body.reason,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/nonconformities/{id}/comments',
      operationId: 'commentNonconformity',
      tag: 'records',
      summary: 'Comment on a nonconformity',
      access: 'workflow',
      params: idParams,
      body: commentBody,
      response: { status: 200, description: 'The updated record', schema: nonconformitySchema },
      errors: conflict,
      handler: async ({ params, body, caller }) =>
        snakeCaseKeys(
          await governance.commentNonconformity(params.id, {
            actor: actorOf(caller),
            text: body.text,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/nonconformities/{id}/transition',
      operationId: 'transitionNonconformity',
      tag: 'records',
      summary: 'Move a nonconformity along its lifecycle',
      description:
        'open → investigating → action_planned → action_taken → verifying → closed; verifying → ' +
        'action_planned; any open state → rejected. Planning needs a corrective action; closing ' +
        'is refused (409, retriable) until enough clean windows followed the action.',
      access: 'workflow',
      params: idParams,
      body: z.object({
        to: z.enum([
          'investigating',
          'action_planned',
          'action_taken',
          'verifying',
          'closed',
          'rejected',
        ]),
        reason: reasonField,
        root_cause: z.string().trim().min(1).max(10_000).optional(),
        corrective_action: z.string().trim().min(1).max(10_000).optional(),
        owner: person.optional(),
        due_date: timeParam.optional(),
      }),
      response: { status: 200, description: 'The updated record', schema: nonconformitySchema },
      errors: conflict,
      handler: async ({ params, body, caller }) =>
        snakeCaseKeys(
          await governance.transitionNonconformity(params.id, {
            to: body.to,
            actor: actorOf(caller),
            reason: body.reason,
            rootCause: body.root_cause,
            correctiveAction: body.corrective_action,
            owner: body.owner,
            dueDate: body.due_date,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/incidents',
      operationId: 'openIncident',
      tag: 'records',
      summary: 'Open an incident by hand',
      access: 'workflow',
      body: z.object({
        title: z.string().trim().min(1).max(500),
        model_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'not a model id'),
        severity: z.enum(['critical', 'high', 'medium', 'low']),
        reason: reasonField,
        nonconformity_ids: z.array(z.string().min(1).max(256)).max(100).optional(),
        owner: person.optional(),
      }),
      response: { status: 201, description: 'The new incident', schema: incidentSchema },
      errors: [404],
      handler: async ({ body, caller }) =>
        snakeCaseKeys(
          await governance.openIncident({
            title: body.title,
            modelId: body.model_id,
            severity: body.severity,
            actor: actorOf(caller),
            reason: body.reason,
            nonconformityIds: body.nonconformity_ids,
            owner: body.owner,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/incidents/{id}/assign',
      operationId: 'assignIncident',
      tag: 'records',
      summary: 'Set the owner of an incident',
      access: 'workflow',
      params: idParams,
      body: z.object({ owner: person, reason: reasonField }),
      response: { status: 200, description: 'The updated incident', schema: incidentSchema },
      errors: conflict,
      handler: async ({ params, body, caller }) =>
        snakeCaseKeys(
          await governance.assignIncident(params.id, {
            actor: actorOf(caller),
            owner: body.owner,
            reason: body.reason,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/incidents/{id}/comments',
      operationId: 'commentIncident',
      tag: 'records',
      summary: "Comment on an incident's timeline",
      access: 'workflow',
      params: idParams,
      body: commentBody,
      response: { status: 200, description: 'The updated incident', schema: incidentSchema },
      errors: conflict,
      handler: async ({ params, body, caller }) =>
        snakeCaseKeys(
          await governance.commentIncident(params.id, { actor: actorOf(caller), text: body.text }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/incidents/{id}/transition',
      operationId: 'transitionIncident',
      tag: 'records',
      summary: 'Move an incident one step: open → acknowledged → mitigated → resolved',
      access: 'workflow',
      params: idParams,
      body: z.object({
        to: z.enum(['acknowledged', 'mitigated', 'resolved']),
        reason: reasonField,
      }),
      response: { status: 200, description: 'The updated incident', schema: incidentSchema },
      errors: conflict,
      handler: async ({ params, body, caller }) =>
        snakeCaseKeys(
          await governance.transitionIncident(params.id, {
            to: body.to,
            actor: actorOf(caller),
            reason: body.reason,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/incidents/{id}/classify',
      operationId: 'classifyIncident',
      tag: 'records',
      summary: 'Classify an incident as serious (EU AI Act Article 73)',
      description:
        'Records the category and the reporting due date counted from aware_at: general 15 ' +
        'days, widespread_infringement and critical_infrastructure 2 days, death 10 days.',
      access: 'workflow',
      params: idParams,
      body: z.object({
        category: z.enum([
          'general',
          'widespread_infringement',
          'critical_infrastructure',
          'death',
        ]),
        aware_at: timeParam.describe('When the provider became aware of the incident'),
        reason: reasonField,
      }),
      response: { status: 200, description: 'The classified incident', schema: incidentSchema },
      errors: conflict,
      handler: async ({ params, body, caller }) =>
        snakeCaseKeys(
          await governance.classifyIncident(params.id, {
            category: body.category,
            awareAt: body.aware_at,
            actor: actorOf(caller),
            reason: body.reason,
          }),
        ),
    }),
  ]
}
