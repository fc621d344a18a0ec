import type { NotificationMessage, WebhookFormat } from './notification-types'

/**
 * Renders the request body of a notification. `generic` is one JSON object; `alertmanager` is the
 * array the Alertmanager `POST /api/v2/alerts` endpoint accepts, one alert whose labels identify
 * the subject (so repeated notifications update the same alert) and whose annotations carry the
 * text and the idempotency key. Both carry the idempotency key in the body.
 */
export function renderWebhookBody(
  format: WebhookFormat,
  message: NotificationMessage,
  idempotencyKey: string,
): unknown {
  if (format === 'generic') {
    return {
      idempotencyKey,
      event: message.event,
      occurredAt: message.occurredAt.toISOString(),
      severity: message.severity,
      modelId: message.modelId,
      subject: { type: message.subjectType, id: message.subjectId, status: message.subjectStatus },
      summary: message.summary,
      description: message.description,
      resolved: message.resolved,
      runbookUrl: message.runbookUrl,
      labels: message.labels,
    }
  }
  const alert: Record<string, unknown> = {
    labels: {
      ...message.labels,
      alertname:
        message.subjectType === 'incident' ? 'FairwatchIncident' : 'FairwatchNonconformity',
      severity: message.severity,
      model: message.modelId,
      subject_id: message.subjectId,
    },
    annotations: {
      summary: message.summary,
      description: message.description,
      event: message.event,
      status: message.subjectStatus,
      idempotency_key: idempotencyKey,
      ...(message.runbookUrl ? { runbook_url: message.runbookUrl } : {}),
    },
    startsAt: message.occurredAt.toISOString(),
  }
  if (message.resolved) alert.endsAt = message.occurredAt.toISOString()
  return [alert]
}
