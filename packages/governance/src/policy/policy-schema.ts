import { z } from 'zod'
import { METRIC_NAMES } from './metric-names'
import type {
  AbsoluteThresholds,
  Band,
  Comparison,
  Policy,
  PolicyRule,
  RelativeThresholds,
} from './policy-types'

const DEFAULT_MIN_SAMPLE = 30
const DEFAULT_ALPHA = 0.05
const DEFAULT_PERSISTENCE = { raiseAfter: 2, clearAfter: 3 }

const probability = z.number().gt(0).lt(1)
const count = z.number().int().min(1)

const significanceSchema = z.strictObject({
  required: z.boolean(),
  alpha: probability.optional(),
})

const persistenceSchema = z.strictObject({
  raiseAfter: count,
  clearAfter: count,
})

const scopeSchema = z
  .strictObject({
    attribute: z.string().min(1).optional(),
    intersection: z.array(z.string().min(1)).min(2).optional(),
    group: z.string().min(1).optional(),
  })
  .superRefine((scope, ctx) => {
    if ((scope.attribute === undefined) === (scope.intersection === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of attribute or intersection' })
    }
  })

const bandSchema = z
  .strictObject({ low: z.number(), high: z.number() })
  .refine((b) => b.low < b.high, { message: 'low must be below high' })

const baselineSchema = z.union([
  z.literal('first_window'),
  z
    .strictObject({
      start: z.iso.datetime({ offset: true }),
      end: z.iso.datetime({ offset: true }),
    })
    .refine((b) => Date.parse(b.start) < Date.parse(b.end), {
      message: 'start must be before end',
    }),
])

const limitSchema = z.union([z.number(), bandSchema], {
  error: 'expected a number or a band {low, high}',
})

const absoluteSchema = z.strictObject({ warning: limitSchema, critical: limitSchema })

const relativeSchema = z.strictObject({
  relativeTo: z.literal('baseline'),
  baseline: baselineSchema,
  warning: z.number().min(0),
  critical: z.number().min(0),
})

const defaultsSchema = z.strictObject({
  minSample: count.optional(),
  significance: significanceSchema.optional(),
  persistence: persistenceSchema.optional(),
  owner: z.string().min(1).optional(),
})

const comparisonSchema = z.enum(['below', 'above', 'outside'])

const ruleInputSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits, dot, dash or underscore'),
  title: z.string().min(1).optional(),
  metric: z.enum(METRIC_NAMES),
  scope: scopeSchema,
  comparison: comparisonSchema,
  thresholds: z.record(z.string(), z.unknown()),
  minSample: count.optional(),
  significance: significanceSchema.optional(),
  persistence: persistenceSchema.optional(),
  windowSize: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
  runbook: z.url().optional(),
  evidences: z
    .strictObject({
      iso42001: z.array(z.string().min(1)).default([]),
      euAiAct: z.array(z.string().min(1)).default([]),
    })
    .optional(),
})

/** The document as written; rule defaults come from `defaults`, then from built-in values. */
export const policyInputSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits, dot, dash or underscore'),
  description: z.string().optional(),
  models: z.array(z.string().min(1)).min(1).optional(),
  defaults: defaultsSchema.optional(),
  rules: z.array(z.unknown()).min(1),
})

type Issue = { path: (string | number)[]; message: string }

function isBand(v: number | Band): v is Band {
  return typeof v !== 'number'
}

function checkAbsolute(
  comparison: Comparison,
  t: AbsoluteThresholds,
  issues: Issue[],
  at: (string | number)[],
): void {
  if (comparison === 'outside') {
    if (!isBand(t.warning))
      issues.push({
        path: [...at, 'warning'],
        message: 'expected a band {low, high} for comparison outside',
      })
    if (!isBand(t.critical))
      issues.push({
        path: [...at, 'critical'],
        message: 'expected a band {low, high} for comparison outside',
      })
    if (isBand(t.warning) && isBand(t.critical)) {
      if (t.critical.low > t.warning.low || t.critical.high < t.warning.high) {
        issues.push({
          path: [...at, 'critical'],
          message: 'the critical band must contain the warning band',
        })
      }
    }
    return
  }
  if (isBand(t.warning))
    issues.push({
      path: [...at, 'warning'],
      message: `expected a number for comparison ${comparison}`,
    })
  if (isBand(t.critical))
    issues.push({
      path: [...at, 'critical'],
      message: `expected a number for comparison ${comparison}`,
    })
  if (!isBand(t.warning) && !isBand(t.critical)) {
    if (comparison === 'below' && t.critical > t.warning) {
      issues.push({
        path: [...at, 'critical'],
        message: 'for below, critical must not exceed warning',
      })
    }
    if (comparison === 'above' && t.critical < t.warning) {
      issues.push({
        path: [...at, 'critical'],
        message: 'for above, critical must not be under warning',
      })
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function checkThresholds(
  comparison: Comparison,
  raw: Record<string, unknown>,
  issues: Issue[],
  at: (string | number)[],
): AbsoluteThresholds | RelativeThresholds | undefined {
  const before = issues.length
  if ('relativeTo' in raw) {
    const t = relativeSchema.safeParse(raw)
    if (!t.success) {
      issues.push(...zodIssues(t.error, at))
      return undefined
    }
    if (t.data.critical < t.data.warning) {
      issues.push({
        path: [...at, 'critical'],
        message: 'critical deviation must not be under warning',
      })
      return undefined
    }
    return {
      kind: 'relative',
      baseline: t.data.baseline,
      warning: t.data.warning,
      critical: t.data.critical,
    }
  }
  const t = absoluteSchema.safeParse(raw)
  if (!t.success) {
    issues.push(...zodIssues(t.error, at))
    return undefined
  }
  const abs: AbsoluteThresholds = {
    kind: 'absolute',
    warning: t.data.warning,
    critical: t.data.critical,
  }
  checkAbsolute(comparison, abs, issues, at)
  return issues.length === before ? abs : undefined
}

function zodIssues(error: z.ZodError, prefix: (string | number)[]): Issue[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path.filter((p): p is string | number => typeof p !== 'symbol')],
    message: i.message,
  }))
}

/** Formats an issue path the way people write it: `rules[2].thresholds.critical`. */
export function formatIssuePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(document)'
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

/**
 * Validates a parsed policy document and resolves its defaults. Collects every problem across the
 * whole document (each rule is checked even when another is broken) instead of stopping at the
 * first.
 */
export function validatePolicyDocument(
  doc: unknown,
): { ok: true; policy: Policy } | { ok: false; issues: Issue[] } {
  const top = policyInputSchema.safeParse(doc)
  const issues: Issue[] = []
  if (!top.success) issues.push(...zodIssues(top.error, []))
  const record = isRecord(doc) ? doc : {}
  const rawRules = Array.isArray(record.rules) ? (record.rules as unknown[]) : []
  const defaults = defaultsSchema.safeParse(record.defaults ?? {}).data

  const rules: PolicyRule[] = []
  const seenIds = new Map<string, number>()
  rawRules.forEach((raw, index) => {
    const at: (string | number)[] = ['rules', index]
    const before = issues.length
    const parsed = ruleInputSchema.safeParse(raw)
    if (!parsed.success) issues.push(...zodIssues(parsed.error, at))
    // The checks below read the raw rule so that one broken field does not hide problems in others.
    const fields = isRecord(raw) ? raw : {}
    if (typeof fields.id === 'string') {
      const firstIndex = seenIds.get(fields.id)
      if (firstIndex !== undefined) {
        issues.push({
          path: [...at, 'id'],
          message: `duplicate rule id ${fields.id} (also rules[${firstIndex}])`,
        })
      } else {
        seenIds.set(fields.id, index)
      }
    }
    const comparison = comparisonSchema.safeParse(fields.comparison).data
    const thresholds =
      comparison && isRecord(fields.thresholds)
        ? checkThresholds(comparison, fields.thresholds, issues, [...at, 'thresholds'])
        : undefined
    const owner = parsed.data?.owner ?? defaults?.owner
    if (isRecord(raw) && fields.owner === undefined && owner === undefined) {
      issues.push({ path: [...at, 'owner'], message: 'required (or set defaults.owner)' })
    }
    if (!parsed.success || !thresholds || owner === undefined || issues.length > before) return

    const r = parsed.data
    const significance = r.significance ?? defaults?.significance
    rules.push({
      id: r.id,
      title: r.title ?? null,
      metric: r.metric,
      scope: {
        ...(r.scope.attribute !== undefined ? { attribute: r.scope.attribute } : {}),
        ...(r.scope.intersection !== undefined ? { intersection: r.scope.intersection } : {}),
        ...(r.scope.group !== undefined ? { group: r.scope.group } : {}),
      },
      comparison: r.comparison,
      thresholds,
      minSample: r.minSample ?? defaults?.minSample ?? DEFAULT_MIN_SAMPLE,
      significance: {
        required: significance?.required ?? false,
        alpha: significance?.alpha ?? DEFAULT_ALPHA,
      },
      persistence: r.persistence ?? defaults?.persistence ?? DEFAULT_PERSISTENCE,
      windowSize: r.windowSize ?? null,
      owner,
      runbook: r.runbook ?? null,
      evidences: {
        iso42001: r.evidences?.iso42001 ?? [],
        euAiAct: r.evidences?.euAiAct ?? [],
      },
    })
  })

  if (issues.length > 0 || !top.success) return { ok: false, issues }
  return {
    ok: true,
    policy: {
      name: top.data.name,
      description: top.data.description ?? null,
      models: top.data.models ?? null,
      rules,
    },
  }
}
