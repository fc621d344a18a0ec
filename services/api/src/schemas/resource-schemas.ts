import { z } from 'zod'

/*
 * Shapes of what the API answers, in the API's own words (snake_case). They document the
 * responses in the OpenAPI document; the tests check real responses against that document.
 */

const time = z.string().describe('RFC 3339 date-time (UTC)')
const nullableNumber = z.number().nullable()

/** A page of items with the total number matching. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      total: z.number().int().describe('Items matching the filter, across all pages'),
      limit: z.number().int(),
      offset: z.number().int(),
    })
    .meta({ id })
}

export const metricRowSchema = z
  .object({
    model_id: z.string(),
    window_size: z.string(),
    window_start: time,
    window_end: time,
    attribute: z.string().describe('Attribute, or attributes of an intersection joined by "&"'),
    group: z.string().nullable().describe('Group label; null on across-group rows'),
    scope: z.enum(['group', 'missing', 'across_groups', 'vs_reference']),
    metric: z.string(),
    value: nullableNumber,
    numerator: nullableNumber,
    denominator: nullableNumber,
    ci_low: nullableNumber,
    ci_high: nullableNumber,
    p_value: nullableNumber,
    reference_group: z.string().nullable(),
    sample_size: z.number().int(),
    insufficient_evidence: z.boolean(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'MetricRow' })

export const modelSummarySchema = z
  .object({
    model_id: z.string(),
    window_sizes: z.array(z.string()),
    latest_window_start: time,
  })
  .meta({ id: 'ModelSummary' })

export const evaluationSchema = z
  .object({
    model_id: z.string(),
    window_size: z.string(),
    window_start: time,
    window_end: time,
    rule_id: z.string(),
    scope_key: z.string(),
    metric: z.string(),
    attribute: z.string(),
    group: z.string().nullable(),
    reference_group: z.string().nullable(),
    status: z.enum(['pass', 'warning', 'critical', 'insufficient_evidence']),
    reason: z.string().nullable(),
    value: nullableNumber,
    ci_low: nullableNumber,
    ci_high: nullableNumber,
    p_value: nullableNumber,
    adjusted_p_value: nullableNumber,
    sample_size: z.number().int(),
    label_coverage: nullableNumber,
    thresholds: z.unknown().describe('The thresholds applied'),
    baseline: nullableNumber,
    policy_name: z.string(),
    policy_version: z.string(),
    evaluated_at: time,
  })
  .meta({ id: 'Evaluation' })

export const activePolicySchema = z
  .object({
    name: z.string(),
    version: z.string().describe('SHA-256 of the canonical policy content'),
    source: z.string(),
    models: z.array(z.string()).nullable().describe('Models governed; null for the default policy'),
    policy: z.record(z.string(), z.unknown()).describe('The validated policy, defaults applied'),
  })
  .meta({ id: 'ActivePolicy' })

export const policyVersionSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    source: z.string(),
    models: z.array(z.string()),
    loaded_at: time,
    loaded_by: z.string(),
    reason: z.string(),
    content: z.unknown(),
  })
  .meta({ id: 'PolicyVersion' })

export const policyUploadResultSchema = z
  .object({
    changes: z.array(
      z.object({
        source: z.string(),
        name: z.string(),
        kind: z.enum(['added', 'updated', 'removed']),
        previous_version: z.string().nullable(),
        version: z.string().nullable(),
      }),
    ),
    active: z.array(activePolicySchema),
  })
  .meta({ id: 'PolicyUploadResult' })

const comment = z.object({ at: time, actor: z.string(), text: z.string() })

export const nonconformitySchema = z
  .object({
    id: z.string(),
    revision: z.number().int(),
    model_id: z.string(),
    rule_id: z.string(),
    metric: z.string(),
    scope_key: z.string(),
    attribute: z.string(),
    group: z.string().nullable(),
    window_size: z.string(),
    policy_name: z.string(),
    policy_version: z.string(),
    title: z.string(),
    runbook: z.string().nullable(),
    required_clean_windows: z.number().int(),
    status: z.enum([
      'open',
      'investigating',
      'action_planned',
      'action_taken',
      'verifying',
      'closed',
      'rejected',
    ]),
    breach: z.looseObject({
      severity: z.enum(['warning', 'critical']),
      episode_start: time,
      windows: z.array(z.looseObject({ window_start: time, value: nullableNumber })),
    }),
    raised_at: time,
    updated_at: time,
    owner: z.string(),
    due_date: time.nullable(),
    root_cause: z.string().nullable(),
    corrective_action: z.string().nullable(),
    action_taken_at: time.nullable(),
    closed_at: time.nullable(),
    rejection_reason: z.string().nullable(),
    effectiveness: z.looseObject({ effective: z.boolean() }).nullable(),
    previous_id: z.string().nullable(),
    incident_ids: z.array(z.string()),
    comments: z.array(comment),
    history: z.array(
      z.object({
        at: time,
        actor: z.string(),
        from: z.string(),
        to: z.string(),
        reason: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Nonconformity' })

export const incidentSchema = z
  .object({
    id: z.string(),
    revision: z.number().int(),
    title: z.string(),
    model_id: z.string(),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    status: z.enum(['open', 'acknowledged', 'mitigated', 'resolved']),
    opened_at: time,
    opened_by: z.string(),
    updated_at: time,
    owner: z.string().nullable(),
    nonconformity_ids: z.array(z.string()),
    serious: z
      .object({
        category: z.enum([
          'general',
          'widespread_infringement',
          'critical_infrastructure',
          'death',
        ]),
        aware_at: time,
        report_due_at: time.describe('EU AI Act Article 73 reporting due date'),
        classified_by: z.string(),
        classified_at: time,
      })
      .nullable(),
    timeline: z.array(
      z.object({
        at: time,
        actor: z.string(),
        kind: z.enum(['opened', 'transition', 'comment', 'assigned', 'classified', 'linked']),
        text: z.string(),
      }),
    ),
  })
  .meta({ id: 'Incident' })

export const auditEntrySchema = z
  .object({
    chain_id: z.string(),
    seq: z.number().int(),
    at: time,
    actor: z.string(),
    action: z.string(),
    reason: z.string().nullable(),
    subject_type: z.string(),
    subject_id: z.string(),
    policy_version: z.string().nullable(),
    before: z.unknown().describe('The subject before the action, as hashed'),
    after: z.unknown().describe('The subject after the action, as hashed'),
    prev_hash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' })

export const auditVerificationSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    chains: z.number().int(),
    problem: z
      .object({
        kind: z.enum(['changed', 'removed', 'reordered', 'duplicated']),
        chain_id: z.string(),
        seq: z.number().int(),
        index: z.number().int(),
        detail: z.string(),
      })
      .nullable(),
  })
  .meta({ id: 'AuditVerification' })

export const auditPageSchema = z
  .object({
    verification: auditVerificationSchema,
    items: z.array(auditEntrySchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'AuditPage' })

export const apiKeySchema = z
  .object({
    key_id: z.string(),
    name: z.string(),
    role: z.enum(['producer', 'viewer', 'responder', 'admin']),
    created_at: time,
    created_by: z.string(),
    revoked_at: time.nullable(),
    revoked_by: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' })

export const createdApiKeySchema = z
  .object({
    key: apiKeySchema,
    secret: z.string().describe('The key itself; shown only in this response'),
  })
  .meta({ id: 'CreatedApiKey' })

export const eventResultSchema = z
  .object({
    index: z.number().int(),
    line: z.number().int().optional(),
    event_id: z.string().nullable(),
    status: z.enum(['accepted', 'duplicate', 'rejected']),
    reason: z
      .enum([
        'oversize',
        'malformed_json',
        'not_an_object',
        'unknown_kind',
        'unknown_contract_version',
        'invalid_field',
        'wrong_topic',
      ])
      .optional(),
    field: z.string().nullable().optional(),
    message: z.string().optional(),
  })
  .meta({ id: 'EventResult' })

export const batchResultSchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    results: z.array(eventResultSchema),
  })
  .meta({ id: 'BatchResult' })

export const singleResultSchema = z
  .object({
    event_id: z.string(),
    status: z.enum(['accepted', 'duplicate']),
  })
  .meta({ id: 'EventAccepted' })

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.boolean()).optional(),
  })
  .meta({ id: 'Health' })
