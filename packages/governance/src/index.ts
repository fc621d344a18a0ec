export {
  CloseNotVerifiedError,
  GovernanceError,
  InputInvalidError,
  NotificationFailedError,
  PolicyInvalidError,
  PolicyNotFoundError,
  RecordConflictError,
  RecordNotFoundError,
  StorageFailedError,
  TransitionIllegalError,
} from './errors'
export type { GovernanceErrorCode, PolicyIssue } from './errors'
export { canonicalJson, sha256Hex } from './canonical/canonical-json'
export { METRIC_NAMES } from './policy/metric-names'
export type {
  AbsoluteThresholds,
  Band,
  BaselineSpec,
  Comparison,
  Evidences,
  LoadedPolicy,
  Persistence,
  Policy,
  PolicyRule,
  RelativeThresholds,
  RuleScope,
  Significance,
} from './policy/policy-types'
export { parsePolicy, policyVersion } from './policy/parse-policy'
export { PolicyRegistry } from './policy/policy-registry'
export type { PolicyChange, PolicyDocument, PolicyLoadReport } from './policy/policy-registry'
export type {
  AppliedThresholds,
  BaselineLookup,
  EvaluationStatus,
  InsufficiencyReason,
  RuleEvaluation,
  WindowContext,
} from './evaluation/evaluation-types'
export { evaluateWindow } from './evaluation/evaluate-window'
export type { EvaluateWindowInput } from './evaluation/evaluate-window'
export { scopeKeyOf } from './evaluation/match-scope'
export { derivePersistence, INITIAL_PERSISTENCE, stepPersistence } from './evaluation/persistence'
export type { PersistenceState, PersistenceTransition } from './evaluation/persistence'
export {
  assignNonconformity,
  commentNonconformity,
  isNonconformityOpen,
  nextNonconformityStatuses,
  transitionNonconformity,
} from './records/nonconformity'
export type {
  BreachSummary,
  Nonconformity,
  NonconformityHistoryEntry,
  NonconformityStatus,
  NonconformityTransition,
  RecordComment,
} from './records/nonconformity'
export { checkEffectiveness } from './records/effectiveness'
export type { EffectivenessCheck } from './records/effectiveness'
export {
  assignIncident,
  classifySeriousIncident,
  commentIncident,
  createIncident,
  linkNonconformity,
  nextIncidentStatus,
  transitionIncident,
} from './records/incident'
export type {
  Incident,
  IncidentSeverity,
  IncidentStatus,
  IncidentTimelineEntry,
  NewIncident,
  SeriousIncidentClassification,
} from './records/incident'
export {
  ARTICLE_73_DAYS,
  article73Deadline,
  SERIOUS_INCIDENT_CATEGORIES,
} from './records/article-73'
export type { SeriousIncidentCategory } from './records/article-73'
export { GENESIS_HASH, hashAuditEntry, nextAuditEntry, verifyAuditChain } from './audit/audit-chain'
export type { AuditEntry, AuditEvent, AuditProblem, AuditVerification } from './audit/audit-chain'
export { AuditTrail, newChainId } from './audit/audit-trail'
export { governanceMigrations } from './storage/governance-migrations'
export { GovernanceService } from './service/governance-service'
export type {
  GovernanceServiceOptions,
  IncidentFilter,
  NonconformityFilter,
  WindowEvaluationReport,
} from './service/governance-service'
export { NotificationOutbox, idempotencyKey } from './notify/outbox'
export type { DeliveryReport, OutboxEntry } from './notify/outbox'
export { DEFAULT_BACKOFF, retryDelayMs } from './notify/backoff'
export type { BackoffPolicy } from './notify/backoff'
export { renderWebhookBody } from './notify/webhook-body'
export type {
  NotificationEvent,
  NotificationMessage,
  NotificationTarget,
  WebhookFormat,
} from './notify/notification-types'
