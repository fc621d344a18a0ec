import { z } from 'zod'

import { queryEvaluations, queryPolicyVersions } from '../query/evaluations-query.ts'
import { queryLatestDisparities, queryMetricModels, queryMetrics } from '../query/metrics-query.ts'
import {
  activePolicySchema,
  auditPageSchema,
  evaluationSchema,
  incidentSchema,
  metricRowSchema,
  modelSummarySchema,
  nonconformitySchema,
  pageOf,
  policyVersionSchema,
} from '../schemas/resource-schemas.ts'
import { snakeCaseKeys } from '../schemas/snake-case.ts'
import type { ApiContext } from '../server/api-context.ts'
import {
  flagParam,
  idParams,
  limitParam,
  modelParams,
  offsetParam,
  textParam,
  timeParam,
} from './common-schemas.ts'
import { defineRoute } from './route-spec.ts'
import type { RouteSpec } from './route-spec.ts'

function page<T>(items: readonly T[], limit: number, offset: number) {
  return { items: items.slice(offset, offset + limit), total: items.length, limit, offset }
}

const nonconformityStatus = z.enum([
  'open',
  'investigating',
  'action_planned',
  'action_taken',
  'verifying',
  'closed',
  'rejected',
])
const incidentStatus = z.enum(['open', 'acknowledged', 'mitigated', 'resolved'])

/** Read-only operations: metrics, evaluations, policies, records and the audit trail. */
export function readRoutes(context: ApiContext): RouteSpec[] {
  const { client, database, governance } = context
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/models',
      operationId: 'listModels',
      tag: 'metrics',
      summary: 'Models with current metrics',
      access: 'read',
      response: {
        status: 200,
        description: 'Models, their window sizes and latest window',
        schema: z.object({ items: z.array(modelSummarySchema) }),
      },
      handler: async () => ({ items: await queryMetricModels(client, database) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/models/{model_id}/metrics',
      operationId: 'listMetrics',
      tag: 'metrics',
      summary: 'Current metrics of a model',
      description:
        'The latest revision of every metric (metrics_current), filtered by window size, ' +
        'window start range [from, to), attribute, group, metric and scope.',
      access: 'read',
      params: modelParams,
      query: z.object({
        window_size: textParam.optional(),
        from: timeParam.optional(),
        to: timeParam.optional(),
        attribute: textParam.optional(),
        group: textParam.optional(),
        metric: textParam.optional(),
        scope: z.enum(['group', 'missing', 'across_groups', 'vs_reference']).optional(),
        limit: limitParam,
        offset: offsetParam,
      }),
      response: {
        status: 200,
        description: 'A page of metric rows',
        schema: pageOf(metricRowSchema, 'MetricPage'),
      },
      handler: async ({ params, query }) =>
        queryMetrics(client, database, {
          modelId: params.model_id,
          windowSize: query.window_size,
          from: query.from,
          to: query.to,
          attribute: query.attribute,
          group: query.group,
          metric: query.metric,
          scope: query.scope,
          limit: query.limit,
          offset: query.offset,
        }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/models/{model_id}/disparities/latest',
      operationId: 'latestDisparities',
      tag: 'metrics',
      summary: 'Disparities of the latest window of each window size',
      description: 'Rows comparing groups (scopes vs_reference and across_groups).',
      access: 'read',
      params: modelParams,
      response: {
        status: 200,
        description: 'Disparity rows',
        schema: z.object({ items: z.array(metricRowSchema) }),
      },
      handler: async ({ params }) => ({
        items: await queryLatestDisparities(client, database, params.model_id),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/evaluations',
      operationId: 'listEvaluations',
      tag: 'governance',
      summary: 'Policy evaluations of windows',
      access: 'read',
      query: z.object({
        model_id: textParam.optional(),
        window_size: textParam.optional(),
        rule_id: textParam.optional(),
        status: z.enum(['pass', 'warning', 'critical', 'insufficient_evidence']).optional(),
        from: timeParam.optional(),
        to: timeParam.optional(),
        limit: limitParam,
        offset: offsetParam,
      }),
      response: {
        status: 200,
        description: 'A page of evaluations, newest windows first',
        schema: pageOf(evaluationSchema, 'EvaluationPage'),
      },
      handler: async ({ query }) =>
        queryEvaluations(client, database, {
          modelId: query.model_id,
          windowSize: query.window_size,
          ruleId: query.rule_id,
          status: query.status,
          from: query.from,
          to: query.to,
          limit: query.limit,
          offset: query.offset,
        }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/policies',
      operationId: 'listPolicies',
      tag: 'policies',
      summary: 'Policies in force',
      access: 'read',
      response: {
        status: 200,
        description: 'Every policy in force',
        schema: z.object({ items: z.array(activePolicySchema) }),
      },
      handler: async () => ({
        items: governance.registry.list().map((p) => ({
          name: p.policy.name,
          version: p.version,
          source: p.source,
          models: p.policy.models,
          policy: p.policy as unknown as Record<string, unknown>,
        })),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/policies/{name}/versions',
      operationId: 'listPolicyVersions',
      tag: 'policies',
      summary: 'Stored versions of a policy, newest first',
      access: 'read',
      params: z.object({ name: textParam }),
      response: {
        status: 200,
        description: 'Versions with who loaded them and why',
        schema: z.object({ items: z.array(policyVersionSchema) }),
      },
      handler: async ({ params }) => ({
        items: await queryPolicyVersions(client, database, params.name),
      }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/nonconformities',
      operationId: 'listNonconformities',
      tag: 'records',
      summary: 'Nonconformities, oldest first',
      access: 'read',
      query: z.object({
        model_id: textParam.optional(),
        rule_id: textParam.optional(),
        status: nonconformityStatus.optional(),
        open: flagParam.optional().describe('Only records neither closed nor rejected'),
        limit: limitParam,
        offset: offsetParam,
      }),
      response: {
        status: 200,
        description: 'A page of nonconformities',
        schema: pageOf(nonconformitySchema, 'NonconformityPage'),
      },
      handler: async ({ query }) => {
        const all = await governance.listNonconformities({
          modelId: query.model_id,
          ruleId: query.rule_id,
          status: query.status,
          openOnly: query.open,
        })
        return page(all.map(snakeCaseKeys), query.limit, query.offset)
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/nonconformities/{id}',
      operationId: 'getNonconformity',
      tag: 'records',
      summary: 'One nonconformity',
      access: 'read',
      params: idParams,
      response: { status: 200, description: 'The nonconformity', schema: nonconformitySchema },
      errors: [404],
      handler: async ({ params }) => snakeCaseKeys(await governance.getNonconformity(params.id)),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/incidents',
      operationId: 'listIncidents',
      tag: 'records',
      summary: 'Incidents, oldest first',
      access: 'read',
      query: z.object({
        model_id: textParam.optional(),
        status: incidentStatus.optional(),
        open: flagParam.optional().describe('Only incidents not resolved'),
        limit: limitParam,
        offset: offsetParam,
      }),
      response: {
        status: 200,
        description: 'A page of incidents',
        schema: pageOf(incidentSchema, 'IncidentPage'),
      },
      handler: async ({ query }) => {
        const all = await governance.listIncidents({
          modelId: query.model_id,
          status: query.status,
          openOnly: query.open,
        })
        return page(all.map(snakeCaseKeys), query.limit, query.offset)
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/incidents/{id}',
      operationId: 'getIncident',
      tag: 'records',
      summary: 'One incident',
      access: 'read',
      params: idParams,
      response: { status: 200, description: 'The incident', schema: incidentSchema },
      errors: [404],
      handler: async ({ params }) => snakeCaseKeys(await governance.getIncident(params.id)),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/audit',
      operationId: 'listAuditEntries',
      tag: 'audit',
      summary: 'The audit trail and its verification status',
      description:
        'Entries in stored order (all chains), optionally about one subject, with the result ' +
        'of verifying every chain.',
      access: 'read',
      query: z.object({
        subject_id: textParam.optional(),
        limit: limitParam,
        offset: offsetParam,
      }),
      response: { status: 200, description: 'Audit entries', schema: auditPageSchema },
      handler: async ({ query }) => {
        const [verification, entries] = await Promise.all([
          governance.verifyAudit(),
          governance.auditEntries(query.subject_id ? { subjectId: query.subject_id } : {}),
        ])
        const items = entries.map(({ before, after, ...rest }) => ({
          ...(snakeCaseKeys(rest) as Record<string, unknown>),
          before,
          after,
        }))
        return {
          verification: snakeCaseKeys(verification),
          ...page(items, query.limit, query.offset),
        }
      },
    }),
  ]
}
