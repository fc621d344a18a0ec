/** Events that notify on-call. */
export type NotificationEvent =
  'nonconformity.raised' | 'incident.opened' | 'incident.transitioned' | 'incident.classified'

/** Body shape a webhook receiver expects. */
export type WebhookFormat = 'generic' | 'alertmanager'

/** One outgoing webhook. */
export interface NotificationTarget {
  /** Stable name; part of every idempotency key, so renaming a target resends nothing twice. */
  name: string
  url: string
  format: WebhookFormat
  /** Extra request headers (e.g. authorization), read at delivery time, never stored. */
  headers?: Record<string, string>
  /** Events sent to this target; all when omitted. */
  events?: NotificationEvent[]
}

/** What happened, independent of the body format. */
export interface NotificationMessage {
  event: NotificationEvent
  /** Distinguishes this occurrence: the same key never notifies a target twice. */
  eventKey: string
  occurredAt: Date
  severity: string
  modelId: string
  subjectType: 'nonconformity' | 'incident'
  subjectId: string
  subjectStatus: string
  summary: string
  description: string
  /** True when the condition is over (an incident resolved): Alertmanager gets an end time. */
  resolved: boolean
  runbookUrl: string | null
  labels: Record<string, string>
}
