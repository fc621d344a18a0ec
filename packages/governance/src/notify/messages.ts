import type { Incident } from '../records/incident'
import type { Nonconformity } from '../records/nonconformity'
import type { NotificationEvent, NotificationMessage } from './notification-types'

/** The on-call message for a newly raised nonconformity. */
export function nonconformityRaisedMessage(nc: Nonconformity): NotificationMessage {
  return {
    event: 'nonconformity.raised',
    eventKey: `nonconformity.raised:${nc.id}`,
    occurredAt: new Date(nc.raisedAt),
    severity: nc.breach.severity,
    modelId: nc.modelId,
    subjectType: 'nonconformity',
    subjectId: nc.id,
    subjectStatus: nc.status,
    summary: nc.title,
    description:
      `Rule ${nc.ruleId} (${nc.metric}) breached on ${nc.scopeKey} of model ${nc.modelId} ` +
      `in ${nc.breach.windows.length} windows since ${nc.breach.episodeStart}; policy ` +
      `${nc.policyName} ${nc.policyVersion.slice(0, 12)}. Owner: ${nc.owner}.`,
    resolved: false,
    runbookUrl: nc.runbook,
    labels: { rule: nc.ruleId, scope: nc.scopeKey, window_size: nc.windowSize },
  }
}

/** The on-call message for an incident event; the revision makes each change a new message. */
export function incidentMessage(
  incident: Incident,
  event: Extract<NotificationEvent, `incident.${string}`>,
  runbookUrl: string | null,
): NotificationMessage {
  const last = incident.timeline.at(-1)
  const serious = incident.serious
    ? ` Serious incident (${incident.serious.category}): report due by ${incident.serious.reportDueAt}.`
    : ''
  return {
    event,
    eventKey: `${event}:${incident.id}:${incident.revision}`,
    occurredAt: new Date(incident.updatedAt),
    severity: incident.severity,
    modelId: incident.modelId,
    subjectType: 'incident',
    subjectId: incident.id,
    subjectStatus: incident.status,
    summary: incident.title,
    description: `${last?.text ?? ''}${serious}`.trim(),
    resolved: incident.status === 'resolved',
    runbookUrl,
    labels: {},
  }
}
