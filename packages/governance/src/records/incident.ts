import { InputInvalidError, TransitionIllegalError } from '../errors'
import {
  article73Deadline,
  SERIOUS_INCIDENT_CATEGORIES,
  type SeriousIncidentCategory,
} from './article-73'

/** Lifecycle of an incident. */
export type IncidentStatus = 'open' | 'acknowledged' | 'mitigated' | 'resolved'

export type IncidentSeverity = 'critical' | 'high' | 'medium' | 'low'

/** One entry of an incident's timeline. Times are ISO-8601 UTC strings. */
export interface IncidentTimelineEntry {
  at: string
  actor: string
  kind: 'opened' | 'transition' | 'comment' | 'assigned' | 'classified' | 'linked'
  text: string
}

/** Serious incident classification under EU AI Act Article 73, with its reporting due date. */
export interface SeriousIncidentClassification {
  category: SeriousIncidentCategory
  awareAt: string
  reportDueAt: string
  classifiedBy: string
  classifiedAt: string
}

/** An incident: something that needs on-call attention now. */
export interface Incident {
  id: string
  revision: number
  title: string
  modelId: string
  severity: IncidentSeverity
  status: IncidentStatus
  openedAt: string
  openedBy: string
  updatedAt: string
  owner: string | null
  nonconformityIds: string[]
  serious: SeriousIncidentClassification | null
  timeline: IncidentTimelineEntry[]
}

const NEXT: Record<IncidentStatus, IncidentStatus | null> = {
  open: 'acknowledged',
  acknowledged: 'mitigated',
  mitigated: 'resolved',
  resolved: null,
}

/** The single state an incident may move to from `from`, or null when it is resolved. */
export function nextIncidentStatus(from: IncidentStatus): IncidentStatus | null {
  return NEXT[from]
}

/** Fields of a new incident. */
export interface NewIncident {
  id: string
  title: string
  modelId: string
  severity: IncidentSeverity
  actor: string
  at: Date
  reason: string
  nonconformityIds?: string[]
  owner?: string
}

/** Builds a new open incident at revision 1. @throws InputInvalidError on an empty title. */
export function createIncident(n: NewIncident): Incident {
  if (!n.title.trim()) throw new InputInvalidError('title', 'an incident needs a title')
  if (!n.modelId.trim()) throw new InputInvalidError('modelId', 'an incident needs a model')
  const at = n.at.toISOString()
  return {
    id: n.id,
    revision: 1,
    title: n.title,
    modelId: n.modelId,
    severity: n.severity,
    status: 'open',
    openedAt: at,
    openedBy: n.actor,
    updatedAt: at,
    owner: n.owner ?? null,
    nonconformityIds: [...(n.nonconformityIds ?? [])],
    serious: null,
    timeline: [{ at, actor: n.actor, kind: 'opened', text: n.reason }],
  }
}

function withEntry(i: Incident, entry: IncidentTimelineEntry, patch: Partial<Incident>): Incident {
  return {
    ...i,
    ...patch,
    revision: i.revision + 1,
    updatedAt: entry.at,
    timeline: [...i.timeline, entry],
  }
}

/**
 * Moves an incident one step along open → acknowledged → mitigated → resolved.
 * @throws TransitionIllegalError for any other move.
 */
export function transitionIncident(
  i: Incident,
  t: { to: IncidentStatus; actor: string; at: Date; reason?: string },
): Incident {
  if (NEXT[i.status] !== t.to) throw new TransitionIllegalError('incident', i.id, i.status, t.to)
  const text = `${i.status} → ${t.to}${t.reason ? `: ${t.reason}` : ''}`
  return withEntry(
    i,
    { at: t.at.toISOString(), actor: t.actor, kind: 'transition', text },
    { status: t.to },
  )
}

/** Adds a comment to the timeline. @throws InputInvalidError on empty text. */
export function commentIncident(
  i: Incident,
  c: { actor: string; text: string; at: Date },
): Incident {
  if (!c.text.trim()) throw new InputInvalidError('text', 'a comment needs text')
  return withEntry(i, { at: c.at.toISOString(), actor: c.actor, kind: 'comment', text: c.text }, {})
}

/** Sets the owner. @throws InputInvalidError on an empty owner. */
export function assignIncident(
  i: Incident,
  a: { actor: string; owner: string; at: Date },
): Incident {
  if (!a.owner.trim()) throw new InputInvalidError('owner', 'must not be empty')
  const entry = {
    at: a.at.toISOString(),
    actor: a.actor,
    kind: 'assigned' as const,
    text: `owner: ${a.owner}`,
  }
  return withEntry(i, entry, { owner: a.owner })
}

/** Links a nonconformity (no change when already linked). */
export function linkNonconformity(
  i: Incident,
  a: { actor: string; nonconformityId: string; at: Date },
): Incident {
  if (i.nonconformityIds.includes(a.nonconformityId)) return i
  const entry = {
    at: a.at.toISOString(),
    actor: a.actor,
    kind: 'linked' as const,
    text: `nonconformity ${a.nonconformityId}`,
  }
  return withEntry(i, entry, { nonconformityIds: [...i.nonconformityIds, a.nonconformityId] })
}

/**
 * Classifies the incident as serious under Article 73 and records the reporting due date computed
 * from the category and the time of awareness. Classifying again replaces the classification (for
 * example when a death becomes known later), and the timeline keeps both.
 * @throws InputInvalidError for an unknown category.
 */
export function classifySeriousIncident(
  i: Incident,
  c: { category: SeriousIncidentCategory; awareAt: Date; actor: string; at: Date },
): Incident {
  if (!SERIOUS_INCIDENT_CATEGORIES.includes(c.category)) {
    throw new InputInvalidError(
      'category',
      `expected one of ${SERIOUS_INCIDENT_CATEGORIES.join(', ')}`,
    )
  }
  const due = article73Deadline(c.category, c.awareAt)
  const at = c.at.toISOString()
  const serious: SeriousIncidentClassification = {
    category: c.category,
    awareAt: c.awareAt.toISOString(),
    reportDueAt: due.toISOString(),
    classifiedBy: c.actor,
    classifiedAt: at,
  }
  const text = `serious incident (${c.category}); report due by ${serious.reportDueAt}`
  return withEntry(i, { at, actor: c.actor, kind: 'classified', text }, { serious })
}
