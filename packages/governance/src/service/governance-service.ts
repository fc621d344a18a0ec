import { randomUUID } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import type { MetricRow } from '@fairwatch/metrics'
import type { WindowMetrics } from '@fairwatch/store'
import type { Logger } from 'pino'
import { Counter, type Registry } from 'prom-client'
import { AuditTrail } from '../audit/audit-trail'
import type { AuditEntry, AuditEvent, AuditVerification } from '../audit/audit-chain'
import { sha256Hex } from '../canonical/canonical-json'
import { CloseNotVerifiedError, InputInvalidError, PolicyNotFoundError } from '../errors'
import { baselinesAt } from '../evaluation/baselines'
import { evaluateWindow } from '../evaluation/evaluate-window'
import { EvaluationHistory } from '../evaluation/evaluation-history'
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
import { BreachLookups } from './breach-lookups'

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
const EVALUATION_ACTOR = 'system:evaluation'
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function shortHash(prefix: string, ...parts: string[]): string {
  return `${prefix}-${sha256Hex(parts.join('\n')).slice(0, 24)}`
}

/** A confirmed breach found in one window, with the series as of that window. */
interface ConfirmedBreach {
  rule: PolicyRule
  result: RuleEvaluation
  series: StoredEvaluation[]
  state: PersistenceState
}

/** One window of a call, evaluated in memory and not yet stored. */
interface EvaluatedWindow {
  loaded: LoadedPolicy
  window: WindowContext
  report: WindowEvaluationReport
  breaches: ConfirmedBreach[]
}

/** The audit event recording one window's results. */
function evaluationRecorded(
  actor: string,
  loaded: LoadedPolicy,
  window: WindowContext,
  report: WindowEvaluationReport,
): AuditEvent {
  const statusCounts: Record<string, number> = {}
  for (const r of report.results) statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1
  return {
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
      breaches: report.results
        .filter((r) => r.status === 'warning' || r.status === 'critical')
        .map((r) => ({
          ruleId: r.ruleId,
          scopeKey: r.scopeKey,
          status: r.status,
          value: r.value,
          adjustedPValue: r.adjustedPValue,
        })),
    },
  }
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
   * recomputed window replaces its earlier results; nothing is raised twice). The same as
   * `evaluateWindows` with this one window.
   * @throws PolicyNotFoundError when no policy governs the model.
   */
  async evaluateWindow(
    rows: readonly MetricRow[],
    window: WindowContext,
    actor = EVALUATION_ACTOR,
  ): Promise<WindowEvaluationReport> {
    const [report] = await this.evaluateBatch([{ rows, window }], actor, false)
    return report as WindowEvaluationReport
  }

  /**
   * Evaluates the windows the pipeline has just (re)computed, in order, as `evaluateWindows`
   * does. Windows of a model that no policy governs are skipped with a debug log, so an
   * unpoliced model never blocks the others.
   */
  evaluateWindowMetrics(
    windows: readonly WindowMetrics[],
    actor = EVALUATION_ACTOR,
  ): Promise<WindowEvaluationReport[]> {
    const batch = windows.map((w) => ({
      rows: w.rows,
      window: {
        modelId: w.modelId,
        windowStart: new Date(w.windowStart),
        windowEnd: new Date(w.windowEnd),
        windowSize: w.windowSize,
        labelCoverage: w.labelCoverage,
      },
    }))
    return this.evaluateBatch(batch, actor, true)
  }

  /**
   * Evaluates several windows with the results of calling `evaluateWindow` for each in the order
   * given (the same stored evaluations, nonconformities, incidents, notifications and audit
   * actions, and the same reports), at the cost of a few reads and writes for the whole call:
   * - the evaluation history of each model and window size is read once and kept in memory,
   *   updated with every window's results as storage would keep them; baselines and persistence
   *   come from it, persistence after each window in order, so a breach confirmed and cleared
   *   within the call still raises its nonconformity;
   * - nonconformities and incidents of confirmed series are looked up once per call;
   * - all results are stored in one insert and the windows' `evaluation.recorded` audit entries
   *   are appended in one insert, after the records.
   *
   * Nothing is written before every window is evaluated, so a malformed window (InputInvalidError)
   * or an unpoliced model (PolicyNotFoundError) fails the call with nothing stored. Then the
   * records are written (nonconformities, incidents, their audit entries and notifications, window
   * by window), then the results, then the `evaluation.recorded` entries. A failure or crash part
   * way leaves records without the results and audit entries of the windows that confirmed them.
   * Calling again with the same windows completes the work and raises, opens and notifies nothing
   * twice: record ids derive from the breach, and until the results are stored a second call reads
   * the history the first one read. Storing the results last is what keeps that so: stored first,
   * a breach confirmed and cleared within the call would read as never confirmed on the second
   * call, and its nonconformity would be lost. Records that people change during the call are
   * seen by the next call only; saving over such a change fails with RecordConflictError.
   * @throws PolicyNotFoundError when no policy governs a window's model; InputInvalidError for a
   *   malformed window or row; StorageFailedError and RecordConflictError (both retriable).
   */
  evaluateWindows(
    windows: readonly { rows: readonly MetricRow[]; window: WindowContext }[],
    actor = EVALUATION_ACTOR,
  ): Promise<WindowEvaluationReport[]> {
    return this.evaluateBatch(windows, actor, false)
  }

  private async evaluateBatch(
    windows: readonly { rows: readonly MetricRow[]; window: WindowContext }[],
    actor: string,
    skipUnpoliced: boolean,
  ): Promise<WindowEvaluationReport[]> {
    const policies = new Map<string, LoadedPolicy | null>()
    for (const { window } of windows) {
      if (policies.has(window.modelId)) continue
      try {
        policies.set(window.modelId, this.registry.policyFor(window.modelId))
      } catch (err) {
        if (!(err instanceof PolicyNotFoundError) || !skipUnpoliced) throw err
        policies.set(window.modelId, null)
        this.logger.debug({ model_id: window.modelId }, 'no policy governs the model')
      }
    }

    const histories = new Map<string, EvaluationHistory>()
    const evaluated: EvaluatedWindow[] = []
    for (const { rows, window } of windows) {
      const loaded = policies.get(window.modelId)
      if (!loaded) continue
      const history = await this.historyFor(histories, loaded, window)
      const results = evaluateWindow({
        window,
        rows,
        policy: loaded,
        baselines: baselinesAt(loaded, history, window.windowStart),
      })
      const evaluatedAt = this.clock()
      history.record(results, evaluatedAt)
      evaluated.push(this.confirmBreaches(loaded, window, results, history))
    }

    const lookups = new BreachLookups(this.nonconformities, this.incidents)
    for (const { loaded, report, breaches } of evaluated) {
      for (const b of breaches) {
        await this.onConfirmedBreach(loaded, b.rule, b.result, b.series, b.state, report, lookups)
      }
    }

    await this.evaluations.insert([...histories.values()].flatMap((h) => h.unsaved()))
    for (const { report } of evaluated) {
      for (const r of report.results) this.counters?.evaluations.inc({ status: r.status })
    }
    await this.audit.appendMany(
      evaluated.map(({ loaded, window, report }) =>
        evaluationRecorded(actor, loaded, window, report),
      ),
    )
    return evaluated.map((e) => e.report)
  }

  /** The history of the window's model and size, read on first use within a call. */
  private async historyFor(
    histories: Map<string, EvaluationHistory>,
    loaded: LoadedPolicy,
    window: WindowContext,
  ): Promise<EvaluationHistory> {
    const key = `${window.modelId}\n${window.windowSize}`
    const held = histories.get(key)
    if (held) return held
    const ruleIds = loaded.policy.rules
      .filter((r) => r.windowSize === null || r.windowSize === window.windowSize)
      .map((r) => r.id)
    const stored = await this.evaluations.timedSeries({
      modelId: window.modelId,
      windowSize: window.windowSize,
      ruleIds,
    })
    const history = new EvaluationHistory(stored)
    histories.set(key, history)
    return history
  }

  /** The window's report and its confirmed breaches, from the history including the window. */
  private confirmBreaches(
    loaded: LoadedPolicy,
    window: WindowContext,
    results: RuleEvaluation[],
    history: EvaluationHistory,
  ): EvaluatedWindow {
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
    const breaches: ConfirmedBreach[] = []
    const seen = new Set<string>()
    for (const result of results) {
      const key = `${result.ruleId}\n${result.scopeKey}`
      if (seen.has(key)) continue
      seen.add(key)
      const rule = loaded.policy.rules.find((r) => r.id === result.ruleId)
      if (!rule) continue
      // A copy as of this window: the nonconformity's evidence must not show later windows.
      const series = history.series(rule.id, result.scopeKey)
      const state = derivePersistence(series, rule.persistence)
      if (!state.confirmed || !state.episodeStart || !state.severity) continue
      report.confirmed.push({
        ruleId: rule.id,
        scopeKey: result.scopeKey,
        severity: state.severity,
        episodeStart: state.episodeStart.toISOString(),
      })
      breaches.push({ rule, result, series, state })
    }
    return { loaded, window, report, breaches }
  }

  private async onConfirmedBreach(
    loaded: LoadedPolicy,
    rule: PolicyRule,
    result: RuleEvaluation,
    series: readonly StoredEvaluation[],
    state: PersistenceState,
    report: WindowEvaluationReport,
    lookups: BreachLookups,
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
    let nc = await lookups.nonconformity(ncId)
    if (!nc) {
      const sameSeries = await lookups.nonconformitiesOf({
        modelId: result.modelId,
        windowSize: result.windowSize,
        ruleId: rule.id,
        scopeKey: result.scopeKey,
      })
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
          lookups,
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
      await lookups.saveNonconformity(escalated)
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
    if (await lookups.incident(incidentId)) return
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
    await lookups.saveIncident(incident)
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
    await lookups.saveNonconformity(linked)
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
    lookups: BreachLookups,
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
    await lookups.saveNonconformity(nc)
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
