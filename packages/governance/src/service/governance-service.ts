import { randomUUID } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import type { MetricRow } from '@fairwatch/metrics'
import type { WindowMetrics } from '@fairwatch/store'
import type { Logger } from 'pino'
import { Counter, type Registry } from 'prom-client'
import { AuditTrail } from '../audit/audit-trail'
import type { AuditEntry, AuditVerification } from '../audit/audit-chain'
import { sha256Hex } from '../canonical/canonical-json'
import { CloseNotVerifiedError, InputInvalidError, PolicyNotFoundError } from '../errors'
import { evaluateWindow } from '../evaluation/evaluate-window'
import type { RuleEvaluation, WindowContext } from '../evaluation/evaluation-types'
import { derivePersistence, type PersistenceState } from '../evaluation/persistence'
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../notify/backoff'
import { incidentMessage, nonconformityRaisedMessage } from '../notify/messages'
import type { NotificationMessage, NotificationTarget } from '../notify/notification-types'
import { NotificationOutbox, type DeliveryReport, type OutboxEntry } from '../notify/outbox'
import {
  PolicyRegistry,
  type PolicyDocument,
  type PolicyLoadReport,
} from '../policy/policy-registry'
import type { LoadedPolicy, PolicyRule } from '../policy/policy-types'
import type { SeriousIncidentCategory } from '../records/article-73'
import { checkEffectiveness } from '../records/effectiveness'
import {
  assignIncident,
  classifySeriousIncident,
  commentIncident,
  createIncident,
  linkNonconformity,
  transitionIncident,
  type Incident,
  type IncidentSeverity,
  type IncidentStatus,
} from '../records/incident'
import {
  assignNonconformity,
  commentNonconformity,
  isNonconformityOpen,
  transitionNonconformity,
  type Nonconformity,
  type NonconformityStatus,
} from '../records/nonconformity'
import { toClickHouseTime } from '../storage/clickhouse-time'
import { EvaluationStore, type StoredEvaluation } from '../storage/evaluation-store'
import { RecordStore } from '../storage/record-store'
import { storageCall } from '../storage/storage-call'

/** Dependencies of the service. */
export interface GovernanceServiceOptions {
  client: ClickHouseClient
  /** Database holding the governance tables (created by `governanceMigrations`). */
  database: string
  logger: Logger
  /** Source of the current time; defaults to the system clock. */
  clock?: () => Date
  /** Policies in force; a new empty registry when omitted (call loadPolicies). */
  registry?: PolicyRegistry
  notificationTargets?: readonly NotificationTarget[]
  backoff?: BackoffPolicy
  /** Id of this process's audit chain; unique per instance when omitted (see AuditTrail). */
  auditChainId?: string
  /** Registry for the service's counters (one service per registry); none when omitted. */
  metrics?: Registry
}

/** The result of evaluating one window. */
export interface WindowEvaluationReport {
  modelId: string
  windowStart: string
  windowSize: string
  policyName: string
  policyVersion: string
  results: RuleEvaluation[]
  /** Breaches confirmed (by persistence) as of this evaluation. */
  confirmed: {
    ruleId: string
    scopeKey: string
    severity: 'warning' | 'critical'
    episodeStart: string
  }[]
  raised: Nonconformity[]
  incidentsOpened: Incident[]
}

/** Filter of nonconformity listings. */
export interface NonconformityFilter {
  modelId?: string
  ruleId?: string
  status?: NonconformityStatus
  /** Only records still being handled (neither closed nor rejected). */
  openOnly?: boolean
}

/** Filter of incident listings. */
export interface IncidentFilter {
  modelId?: string
  status?: IncidentStatus
  openOnly?: boolean
}

const SYSTEM_ACTOR = 'system:governance'
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function shortHash(prefix: string, ...parts: string[]): string {
  return `${prefix}-${sha256Hex(parts.join('\n')).slice(0, 24)}`
}

/**
 * The governance facade used by the worker, the CLI and the HTTP API: policies, window
 * evaluation, nonconformities, incidents, the audit trail and notifications. Every automatic and
 * human action it performs is appended to the audit trail with actor, reason, policy version and
 * the subject before and after.
 *
 * Writes happen in order record, then audit entry, then notifications; ClickHouse has no
 * transactions, so a failure between them (reported as a retriable StorageFailedError) can leave
 * a record change without its audit entry. Automatic steps are idempotent (ids derive from the
 * breach they are about), so retrying the evaluation completes them.
 */
export class GovernanceService {
  readonly registry: PolicyRegistry
  private readonly client: ClickHouseClient
  private readonly database: string
  private readonly logger: Logger
  private readonly clock: () => Date
  private readonly targets: readonly NotificationTarget[]
  private readonly audit: AuditTrail
  private readonly evaluations: EvaluationStore
  private readonly nonconformities: RecordStore<Nonconformity>
  private readonly incidents: RecordStore<Incident>
  private readonly outbox: NotificationOutbox
  private readonly counters: {
    evaluations: Counter<'status'>
    raised: Counter
    notifications: Counter<'outcome'>
  } | null

  /** @throws InputInvalidError when the database name is not a plain identifier. */
  constructor(options: GovernanceServiceOptions) {
    if (!DATABASE_NAME.test(options.database)) {
      throw new InputInvalidError('database', `not a plain identifier: ${options.database}`)
    }
    this.client = options.client
    this.database = options.database
    this.logger = options.logger
    this.clock = options.clock ?? (() => new Date())
    this.registry = options.registry ?? new PolicyRegistry()
    this.targets = options.notificationTargets ?? []
    this.audit = new AuditTrail(options.client, options.database, this.clock, options.auditChainId)
    this.evaluations = new EvaluationStore(options.client, options.database)
    this.nonconformities = new RecordStore<Nonconformity>(
      options.client,
      `${options.database}.nonconformities`,
      'nonconformity',
      (nc) => ({
        model_id: nc.modelId,
        rule_id: nc.ruleId,
        scope_key: nc.scopeKey,
        window_size: nc.windowSize,
        status: nc.status,
        severity: nc.breach.severity,
        owner: nc.owner,
        raised_at: toClickHouseTime(new Date(nc.raisedAt)),
        updated_at: toClickHouseTime(new Date(nc.updatedAt)),
        due_date: nc.dueDate ? toClickHouseTime(new Date(nc.dueDate)) : null,
      }),
    )
    this.incidents = new RecordStore<Incident>(
      options.client,
      `${options.database}.incidents`,
      'incident',
      (i) => ({
        model_id: i.modelId,
        status: i.status,
        severity: i.severity,
        serious_category: i.serious?.category ?? null,
        report_due_at: i.serious ? toClickHouseTime(new Date(i.serious.reportDueAt)) : null,
        opened_at: toClickHouseTime(new Date(i.openedAt)),
        updated_at: toClickHouseTime(new Date(i.updatedAt)),
      }),
    )
    this.outbox = new NotificationOutbox(
      options.client,
      options.database,
      options.logger,
      options.backoff ?? DEFAULT_BACKOFF,
    )
    this.counters = options.metrics
      ? {
          evaluations: new Counter({
            name: 'fairwatch_governance_evaluations_total',
            help: 'Rule evaluations by status',
            labelNames: ['status'],
            registers: [options.metrics],
          }),
          raised: new Counter({
            name: 'fairwatch_governance_nonconformities_raised_total',
            help: 'Nonconformities raised on confirmed breaches',
            registers: [options.metrics],
          }),
          notifications: new Counter({
            name: 'fairwatch_governance_notification_attempts_total',
            help: 'Webhook delivery attempts by outcome',
            labelNames: ['outcome'],
            registers: [options.metrics],
          }),
        }
      : null
  }

  /** Id of the audit chain this instance writes. */
  get auditChainId(): string {
    return this.audit.chainId
  }

  // ---------------------------------------------------------------- policies

  /**
   * Loads policy documents (a directory of YAML/JSON files, or the documents themselves) into the
   * registry, stores every new version and audits each change and each refusal with who and why.
   * Refused documents keep their last good version in force (see PolicyRegistry).
   */
  async loadPolicies(request: {
    directory?: string
    documents?: readonly PolicyDocument[]
    actor: string
    reason: string
  }): Promise<PolicyLoadReport> {
    if ((request.directory === undefined) === (request.documents === undefined)) {
      throw new InputInvalidError('directory', 'give exactly one of directory or documents')
    }
    const report =
      request.directory !== undefined
        ? await this.registry.loadDirectory(request.directory)
        : this.registry.load(request.documents ?? [])
    const now = this.clock()
    const byVersion = new Map(report.active.map((p) => [p.version, p]))
    const stored = report.changes
      .map((c) => (c.version ? byVersion.get(c.version) : undefined))
      .filter((p): p is LoadedPolicy => p !== undefined)
    if (stored.length > 0) {
      await storageCall('store policies', () =>
        this.client.insert({
          table: `${this.database}.governance_policies`,
          values: stored.map((p) => ({
            name: p.policy.name,
            version: p.version,
            source: p.source,
            models: p.policy.models ?? [],
            content: p.canonical,
            loaded_at: toClickHouseTime(now),
            loaded_by: request.actor,
            reason: request.reason,
          })),
          format: 'JSONEachRow',
        }),
      )
    }
    for (const change of report.changes) {
      const after = change.version ? byVersion.get(change.version) : undefined
      await this.audit.append({
        actor: request.actor,
        action: `policy.${change.kind}`,
        reason: request.reason,
        subjectType: 'policy',
        subjectId: change.name,
        policyVersion: change.version,
        before: change.previousVersion ? { version: change.previousVersion } : null,
        after: after
          ? { version: after.version, source: after.source, policy: after.policy }
          : null,
      })
      this.logger.info(
        { policy: change.name, kind: change.kind, version: change.version },
        'policy changed',
      )
    }
    for (const refusal of report.refused) {
      await this.audit.append({
        actor: request.actor,
        action: 'policy.refused',
        reason: request.reason,
        subjectType: 'policy_source',
        subjectId: refusal.source,
        policyVersion: null,
        before: null,
        after: { issues: refusal.issues },
      })
      this.logger.warn({ source: refusal.source, issues: refusal.issues }, 'policy refused')
    }
    return report
  }

  // -------------------------------------------------------------- evaluation

  /**
   * Evaluates one window's metric rows against the model's policy, stores the results, derives
   * each series' persistence state from stored results, raises a nonconformity for every newly
   * confirmed breach (one per breach episode; none while one is still open for the same series)
   * and opens an incident for every critical one. Safe to call again for the same window (a
   * recomputed window replaces its earlier results; nothing is raised twice).
   * @throws PolicyNotFoundError when no policy governs the model.
   */
  async evaluateWindow(
    rows: readonly MetricRow[],
    window: WindowContext,
    actor = 'system:evaluation',
  ): Promise<WindowEvaluationReport> {
    const loaded = this.registry.policyFor(window.modelId)
    const baselines = await this.baselinesFor(loaded, window)
    const results = evaluateWindow({
      window,
      rows,
      policy: loaded,
      baselines: (ruleId, scopeKey) => baselines.get(`${ruleId}\n${scopeKey}`) ?? null,
    })
    const now = this.clock()
    await this.evaluations.insert(results, now)
    for (const r of results) this.counters?.evaluations.inc({ status: r.status })

    const statusCounts: Record<string, number> = {}
    for (const r of results) statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1
    await this.audit.append({
      actor,
      action: 'evaluation.recorded',
      reason: null,
      subjectType: 'window',
      subjectId: `${window.modelId}/${window.windowSize}/${window.windowStart.toISOString()}`,
      policyVersion: loaded.version,
      before: null,
      after: {
        statusCounts,
        labelCoverage: window.labelCoverage,
        breaches: results
          .filter((r) => r.status === 'warning' || r.status === 'critical')
          .map((r) => ({
            ruleId: r.ruleId,
            scopeKey: r.scopeKey,
            status: r.status,
            value: r.value,
            adjustedPValue: r.adjustedPValue,
          })),
      },
    })

    const report: WindowEvaluationReport = {
      modelId: window.modelId,
      windowStart: window.windowStart.toISOString(),
      windowSize: window.windowSize,
      policyName: loaded.policy.name,
      policyVersion: loaded.version,
      results,
      confirmed: [],
      raised: [],
      incidentsOpened: [],
    }
    const ruleIds = [...new Set(results.map((r) => r.ruleId))]
    const stored = await this.evaluations.series({
      modelId: window.modelId,
      windowSize: window.windowSize,
      ruleIds,
    })
    const seriesByKey = new Map<string, StoredEvaluation[]>()
    for (const e of stored) {
      const key = `${e.ruleId}\n${e.scopeKey}`
      const list = seriesByKey.get(key) ?? []
      list.push(e)
      seriesByKey.set(key, list)
    }
    const seen = new Set<string>()
    for (const result of results) {
      const key = `${result.ruleId}\n${result.scopeKey}`
      if (seen.has(key)) continue
      seen.add(key)
      const rule = loaded.policy.rules.find((r) => r.id === result.ruleId)
      const series = seriesByKey.get(key) ?? []
      if (!rule) continue
      const state = derivePersistence(series, rule.persistence)
      if (!state.confirmed || !state.episodeStart || !state.severity) continue
      report.confirmed.push({
        ruleId: rule.id,
        scopeKey: result.scopeKey,
        severity: state.severity,
        episodeStart: state.episodeStart.toISOString(),
      })
      await this.onConfirmedBreach(loaded, rule, result, series, state, report)
    }
    return report
  }

  /**
   * Evaluates the windows the pipeline has just (re)computed, in order. Windows of a model that no
   * policy governs are skipped with a debug log, so an unpoliced model never blocks the others.
   */
  async evaluateWindowMetrics(
    windows: readonly WindowMetrics[],
    actor?: string,
  ): Promise<WindowEvaluationReport[]> {
    const reports: WindowEvaluationReport[] = []
    for (const w of windows) {
      const context: WindowContext = {
        modelId: w.modelId,
        windowStart: new Date(w.windowStart),
        windowEnd: new Date(w.windowEnd),
        windowSize: w.windowSize,
        labelCoverage: w.labelCoverage,
      }
      try {
        reports.push(await this.evaluateWindow(w.rows, context, actor))
      } catch (err) {
        if (!(err instanceof PolicyNotFoundError)) throw err
        this.logger.debug({ model_id: w.modelId }, 'no policy governs the model')
      }
    }
    return reports
  }

  /** Evaluates several windows in order (see evaluateWindow). */
  async evaluateWindows(
    windows: readonly { rows: readonly MetricRow[]; window: WindowContext }[],
    actor?: string,
  ): Promise<WindowEvaluationReport[]> {
    const reports: WindowEvaluationReport[] = []
    for (const w of windows) reports.push(await this.evaluateWindow(w.rows, w.window, actor))
    return reports
  }

  private async baselinesFor(
    loaded: LoadedPolicy,
    window: WindowContext,
  ): Promise<Map<string, number>> {
    const relative = loaded.policy.rules.filter((r) => r.thresholds.kind === 'relative')
    const baselines = new Map<string, number>()
    if (relative.length === 0) return baselines
    const stored = await this.evaluations.series({
      modelId: window.modelId,
      windowSize: window.windowSize,
      ruleIds: relative.map((r) => r.id),
    })
    for (const rule of relative) {
      if (rule.thresholds.kind !== 'relative') continue
      const spec = rule.thresholds.baseline
      const evidence = stored.filter(
        (e) => e.ruleId === rule.id && e.status !== 'insufficient_evidence' && e.value !== null,
      )
      const sums = new Map<string, { weighted: number; weight: number }>()
      for (const e of evidence) {
        const key = `${rule.id}\n${e.scopeKey}`
        if (spec === 'first_window') {
          // Series are ordered by window start: the first one with evidence is the baseline.
          if (!baselines.has(key) && e.windowStart.getTime() < window.windowStart.getTime()) {
            baselines.set(key, e.value as number)
          }
          continue
        }
        const t = e.windowStart.getTime()
        if (t < Date.parse(spec.start) || t >= Date.parse(spec.end)) continue
        const sum = sums.get(key) ?? { weighted: 0, weight: 0 }
        sum.weighted += (e.value as number) * e.sampleSize
        sum.weight += e.sampleSize
        sums.set(key, sum)
      }
      for (const [key, s] of sums) if (s.weight > 0) baselines.set(key, s.weighted / s.weight)
    }
    return baselines
  }

  private async onConfirmedBreach(
    loaded: LoadedPolicy,
    rule: PolicyRule,
    result: RuleEvaluation,
    series: readonly StoredEvaluation[],
    state: PersistenceState,
    report: WindowEvaluationReport,
  ): Promise<void> {
    const episodeStart = (state.episodeStart as Date).toISOString()
    const ncId = shortHash(
      'nc',
      result.modelId,
      result.windowSize,
      rule.id,
      result.scopeKey,
      episodeStart,
    )
    let nc = await this.nonconformities.find(ncId)
    if (!nc) {
      const sameSeries = await this.nonconformities.query(
        'model_id = {modelId:String} AND window_size = {windowSize:String} ' +
          'AND rule_id = {ruleId:String} AND scope_key = {scopeKey:String}',
        {
          modelId: result.modelId,
          windowSize: result.windowSize,
          ruleId: rule.id,
          scopeKey: result.scopeKey,
        },
        'raised_at',
      )
      const open = sameSeries.find((n) => isNonconformityOpen(n.status))
      if (open) {
        nc = open
      } else {
        nc = await this.raiseNonconformity(
          ncId,
          loaded,
          rule,
          result,
          series,
          state,
          sameSeries.at(-1)?.id ?? null,
        )
        report.raised.push(nc)
      }
    }
    if (state.severity !== 'critical') return
    if (nc.id === ncId && nc.breach.severity === 'warning') {
      const escalated: Nonconformity = {
        ...nc,
        revision: nc.revision + 1,
        updatedAt: this.clock().toISOString(),
        breach: { ...nc.breach, severity: 'critical' },
      }
      await this.nonconformities.save(escalated)
      await this.appendRecordAudit(
        SYSTEM_ACTOR,
        'nonconformity.escalated',
        `rule ${rule.id} breached critically`,
        'nonconformity',
        nc.id,
        loaded.version,
        nc,
        escalated,
      )
      nc = escalated
    }
    const incidentId = shortHash('inc', nc.id)
    if (await this.incidents.find(incidentId)) return
    const incident = createIncident({
      id: incidentId,
      title: nc.title,
      modelId: nc.modelId,
      severity: 'critical',
      actor: SYSTEM_ACTOR,
      at: this.clock(),
      reason: `critical confirmed breach of rule ${rule.id} on ${result.scopeKey}`,
      nonconformityIds: [nc.id],
      owner: rule.owner,
    })
    await this.incidents.save(incident)
    await this.appendRecordAudit(
      SYSTEM_ACTOR,
      'incident.opened',
      incident.timeline[0]?.text ?? null,
      'incident',
      incident.id,
      loaded.version,
      null,
      incident,
    )
    report.incidentsOpened.push(incident)
    const linked = {
      ...nc,
      revision: nc.revision + 1,
      updatedAt: incident.openedAt,
      incidentIds: [...nc.incidentIds, incident.id],
    }
    await this.nonconformities.save(linked)
    await this.appendRecordAudit(
      SYSTEM_ACTOR,
      'nonconformity.linked',
      `incident ${incident.id}`,
      'nonconformity',
      nc.id,
      loaded.version,
      nc,
      linked,
    )
    await this.notify(incidentMessage(incident, 'incident.opened', rule.runbook))
  }

  private async raiseNonconformity(
    id: string,
    loaded: LoadedPolicy,
    rule: PolicyRule,
    result: RuleEvaluation,
    series: readonly StoredEvaluation[],
    state: PersistenceState,
    previousId: string | null,
  ): Promise<Nonconformity> {
    const now = this.clock().toISOString()
    const episodeStart = state.episodeStart as Date
    const target =
      result.group === null ? result.attribute : `${result.attribute} = ${result.group}`
    const nc: Nonconformity = {
      id,
      revision: 1,
      modelId: result.modelId,
      ruleId: rule.id,
      metric: rule.metric,
      scopeKey: result.scopeKey,
      attribute: result.attribute,
      group: result.group,
      windowSize: result.windowSize,
      policyName: loaded.policy.name,
      policyVersion: loaded.version,
      title: `${rule.title ?? rule.id}: ${rule.metric} breached for ${target} (model ${result.modelId})`,
      runbook: rule.runbook,
      requiredCleanWindows: rule.persistence.clearAfter,
      status: 'open',
      breach: {
        severity: state.severity ?? 'warning',
        episodeStart: episodeStart.toISOString(),
        windows: series
          .filter((e) => e.windowStart.getTime() >= episodeStart.getTime())
          .slice(0, 50)
          .map((e) => ({
            windowStart: e.windowStart.toISOString(),
            value: e.value,
            status: e.status,
            adjustedPValue: e.adjustedPValue,
          })),
      },
      raisedAt: now,
      updatedAt: now,
      owner: rule.owner,
      dueDate: null,
      rootCause: null,
      correctiveAction: null,
      actionTakenAt: null,
      closedAt: null,
      rejectionReason: null,
      effectiveness: null,
      previousId,
      incidentIds: [],
      comments: [],
      history: [],
    }
    await this.nonconformities.save(nc)
    this.counters?.raised.inc()
    await this.appendRecordAudit(
      SYSTEM_ACTOR,
      'nonconformity.raised',
      `breach confirmed after ${rule.persistence.raiseAfter} consecutive breaching windows`,
      'nonconformity',
      nc.id,
      loaded.version,
      null,
      nc,
    )
    this.logger.info(
      { nonconformity: nc.id, model: nc.modelId, rule: nc.ruleId, scope: nc.scopeKey },
      'nonconformity raised',
    )
    await this.notify(nonconformityRaisedMessage(nc))
    return nc
  }

  // -------------------------------------------------------- nonconformities

  /** Nonconformities matching a filter, oldest first. */
  async listNonconformities(filter: NonconformityFilter = {}): Promise<Nonconformity[]> {
    const where = ['1 = 1']
    if (filter.modelId !== undefined) where.push('model_id = {modelId:String}')
    if (filter.ruleId !== undefined) where.push('rule_id = {ruleId:String}')
    if (filter.status !== undefined) where.push('status = {status:String}')
    if (filter.openOnly) where.push(`status NOT IN ('closed', 'rejected')`)
    const { modelId, ruleId, status } = filter
    return this.nonconformities.query(
      where.join(' AND '),
      { modelId, ruleId, status },
      'raised_at, id',
    )
  }

  /** One nonconformity. @throws RecordNotFoundError. */
  getNonconformity(id: string): Promise<Nonconformity> {
    return this.nonconformities.get(id)
  }

  /**
   * Moves a nonconformity along its lifecycle. Closing checks effectiveness automatically: the
   * series' evaluations of windows starting after the corrective action was taken must include
   * `requiredCleanWindows` passes and no breach; the check is attached to the closed record as
   * evidence. A refused close is audited with the evidence that refused it.
   * @throws TransitionIllegalError, InputInvalidError, CloseNotVerifiedError, RecordNotFoundError,
   *   RecordConflictError.
   */
  async transitionNonconformity(
    id: string,
    request: {
      to: NonconformityStatus
      actor: string
      reason?: string
      rootCause?: string
      correctiveAction?: string
      owner?: string
      dueDate?: Date
    },
  ): Promise<Nonconformity> {
    const before = await this.nonconformities.get(id)
    const now = this.clock()
    let effectiveness
    if (request.to === 'closed' && before.actionTakenAt) {
      const actionTakenAt = new Date(before.actionTakenAt)
      const series = await this.evaluations.series({
        modelId: before.modelId,
        windowSize: before.windowSize,
        ruleIds: [before.ruleId],
        scopeKey: before.scopeKey,
        from: actionTakenAt,
      })
      effectiveness = checkEffectiveness(series, actionTakenAt, before.requiredCleanWindows, now)
    }
    let after: Nonconformity
    try {
      after = transitionNonconformity(before, { ...request, at: now }, effectiveness)
    } catch (err) {
      if (err instanceof CloseNotVerifiedError) {
        await this.appendRecordAudit(
          request.actor,
          'nonconformity.close_refused',
          err.message,
          'nonconformity',
          id,
          before.policyVersion,
          before,
          { effectiveness: effectiveness ?? null },
        )
      }
      throw err
    }
    return this.saveNonconformityChange(
      before,
      after,
      request.actor,
      'nonconformity.transitioned',
      request.reason ?? null,
    )
  }

  /** Adds a comment to a nonconformity. */
  async commentNonconformity(
    id: string,
    request: { actor: string; text: string },
  ): Promise<Nonconformity> {
    const before = await this.nonconformities.get(id)
    const after = commentNonconformity(before, { ...request, at: this.clock() })
    return this.saveNonconformityChange(
      before,
      after,
      request.actor,
      'nonconformity.commented',
      null,
    )
  }

  /** Sets the owner and/or due date of a nonconformity. */
  async assignNonconformity(
    id: string,
    request: { actor: string; owner?: string; dueDate?: Date | null; reason?: string },
  ): Promise<Nonconformity> {
    const before = await this.nonconformities.get(id)
    const after = assignNonconformity(before, { ...request, at: this.clock() })
    return this.saveNonconformityChange(
      before,
      after,
      request.actor,
      'nonconformity.assigned',
      request.reason ?? null,
    )
  }

  // -------------------------------------------------------------- incidents

  /** Opens an incident by hand, linking any nonconformities named; notifies on-call. */
  async openIncident(request: {
    title: string
    modelId: string
    severity: IncidentSeverity
    actor: string
    reason: string
    nonconformityIds?: string[]
    owner?: string
  }): Promise<Incident> {
    const linked = await Promise.all(
      (request.nonconformityIds ?? []).map((id) => this.nonconformities.get(id)),
    )
    const now = this.clock()
    const incident = createIncident({ ...request, id: `inc-${randomUUID()}`, at: now })
    await this.incidents.save(incident)
    await this.appendRecordAudit(
      request.actor,
      'incident.opened',
      request.reason,
      'incident',
      incident.id,
      null,
      null,
      incident,
    )
    for (const nc of linked) {
      const after = {
        ...nc,
        revision: nc.revision + 1,
        updatedAt: now.toISOString(),
        incidentIds: [...nc.incidentIds, incident.id],
      }
      await this.nonconformities.save(after)
      await this.appendRecordAudit(
        request.actor,
        'nonconformity.linked',
        `incident ${incident.id}`,
        'nonconformity',
        nc.id,
        nc.policyVersion,
        nc,
        after,
      )
    }
    await this.notify(incidentMessage(incident, 'incident.opened', linked[0]?.runbook ?? null))
    return incident
  }

  /** Incidents matching a filter, oldest first. */
  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const where = ['1 = 1']
    if (filter.modelId !== undefined) where.push('model_id = {modelId:String}')
    if (filter.status !== undefined) where.push('status = {status:String}')
    if (filter.openOnly) where.push(`status != 'resolved'`)
    const { modelId, status } = filter
    return this.incidents.query(where.join(' AND '), { modelId, status }, 'opened_at, id')
  }

  /** One incident. @throws RecordNotFoundError. */
  getIncident(id: string): Promise<Incident> {
    return this.incidents.get(id)
  }

  /** Moves an incident one step (open → acknowledged → mitigated → resolved); notifies on-call. */
  async transitionIncident(
    id: string,
    request: { to: IncidentStatus; actor: string; reason?: string },
  ): Promise<Incident> {
    return this.updateIncident(
      id,
      request.actor,
      'incident.transitioned',
      request.reason ?? null,
      (i, at) => transitionIncident(i, { ...request, at }),
      true,
    )
  }

  /** Adds a comment to an incident's timeline. */
  commentIncident(id: string, request: { actor: string; text: string }): Promise<Incident> {
    return this.updateIncident(
      id,
      request.actor,
      'incident.commented',
      null,
      (i, at) => commentIncident(i, { ...request, at }),
      false,
    )
  }

  /** Sets the owner of an incident. */
  assignIncident(
    id: string,
    request: { actor: string; owner: string; reason?: string },
  ): Promise<Incident> {
    return this.updateIncident(
      id,
      request.actor,
      'incident.assigned',
      request.reason ?? null,
      (i, at) => assignIncident(i, { ...request, at }),
      false,
    )
  }

  /**
   * Classifies an incident as serious under EU AI Act Article 73 and records the reporting due
   * date for its category, counted from `awareAt`; notifies on-call.
   */
  classifyIncident(
    id: string,
    request: { category: SeriousIncidentCategory; awareAt: Date; actor: string; reason: string },
  ): Promise<Incident> {
    return this.updateIncident(
      id,
      request.actor,
      'incident.classified',
      request.reason,
      (i, at) => classifySeriousIncident(i, { ...request, at }),
      true,
    )
  }

  private async updateIncident(
    id: string,
    actor: string,
    action:
      | 'incident.transitioned'
      | 'incident.commented'
      | 'incident.assigned'
      | 'incident.classified'
      | 'incident.linked',
    reason: string | null,
    change: (i: Incident, at: Date) => Incident,
    notify: boolean,
  ): Promise<Incident> {
    const before = await this.incidents.get(id)
    const after = change(before, this.clock())
    await this.incidents.save(after)
    await this.appendRecordAudit(actor, action, reason, 'incident', id, null, before, after)
    if (notify && (action === 'incident.transitioned' || action === 'incident.classified')) {
      await this.notify(incidentMessage(after, action, null))
    }
    return after
  }

  /** Links a nonconformity to an incident (both records are updated). */
  async linkIncident(
    incidentId: string,
    nonconformityId: string,
    actor: string,
  ): Promise<Incident> {
    const nc = await this.nonconformities.get(nonconformityId)
    const incident = await this.updateIncident(
      incidentId,
      actor,
      'incident.linked',
      `nonconformity ${nonconformityId}`,
      (i, at) => linkNonconformity(i, { actor, nonconformityId, at }),
      false,
    )
    if (!nc.incidentIds.includes(incidentId)) {
      const after = {
        ...nc,
        revision: nc.revision + 1,
        updatedAt: this.clock().toISOString(),
        incidentIds: [...nc.incidentIds, incidentId],
      }
      await this.nonconformities.save(after)
      await this.appendRecordAudit(
        actor,
        'nonconformity.linked',
        `incident ${incidentId}`,
        'nonconformity',
        nc.id,
        nc.policyVersion,
        nc,
        after,
      )
    }
    return incident
  }

  // ------------------------------------------------------ audit, notifications

  /** Verifies every audit chain in storage; reports the first changed, removed or reordered entry. */
  verifyAudit(): Promise<AuditVerification> {
    return this.audit.verify()
  }

  /** Stored audit entries, all or about one subject (a record id, a policy name). */
  auditEntries(filter: { subjectId?: string } = {}): Promise<AuditEntry[]> {
    return this.audit.entries(filter)
  }

  /**
   * Delivers every due notification once (see NotificationOutbox.deliver) and audits each
   * delivery. Call it periodically; a failed delivery is retried after its backoff.
   */
  async deliverNotifications(): Promise<DeliveryReport> {
    const report = await this.outbox.deliver(this.targets, this.clock())
    this.counters?.notifications.inc({ outcome: 'delivered' }, report.delivered)
    this.counters?.notifications.inc({ outcome: 'failed' }, report.failed.length)
    if (report.attempted > 0) {
      await this.audit.append({
        actor: 'system:notifications',
        action: 'notifications.delivered',
        reason: null,
        subjectType: 'outbox',
        subjectId: 'notification_outbox',
        policyVersion: null,
        before: null,
        after: report,
      })
    }
    return report
  }

  /** Notifications not yet delivered. */
  pendingNotifications(): Promise<OutboxEntry[]> {
    return this.outbox.pending()
  }

  private async notify(message: NotificationMessage): Promise<void> {
    const queued = await this.outbox.enqueue(message, this.targets, this.clock())
    if (queued.length === 0) return
    await this.audit.append({
      actor: SYSTEM_ACTOR,
      action: 'notification.queued',
      reason: null,
      subjectType: message.subjectType,
      subjectId: message.subjectId,
      policyVersion: null,
      before: null,
      after: {
        event: message.event,
        notifications: queued.map((q) => ({ id: q.id, target: q.target })),
      },
    })
  }

  /** Saves a person's change to a nonconformity and audits it with the before and after. */
  private async saveNonconformityChange(
    before: Nonconformity,
    after: Nonconformity,
    actor: string,
    action: string,
    reason: string | null,
  ): Promise<Nonconformity> {
    await this.nonconformities.save(after)
    await this.appendRecordAudit(
      actor,
      action,
      reason,
      'nonconformity',
      after.id,
      before.policyVersion,
      before,
      after,
    )
    return after
  }

  private appendRecordAudit(
    actor: string,
    action: string,
    reason: string | null,
    subjectType: 'nonconformity' | 'incident',
    subjectId: string,
    policyVersion: string | null,
    before: unknown,
    after: unknown,
  ): Promise<AuditEntry> {
    return this.audit.append({
      actor,
      action,
      reason,
      subjectType,
      subjectId,
      policyVersion,
      before,
      after,
    })
  }
}
