/**
 * Categories of serious incident with their own reporting deadline under EU AI Act Article 73:
 * - `general`: any other serious incident, 15 days (Art. 73(2));
 * - `widespread_infringement`: a widespread infringement, 2 days (Art. 73(3));
 * - `critical_infrastructure`: a serious and irreversible disruption of the management or
 *   operation of critical infrastructure, 2 days (Art. 73(3));
 * - `death`: the death of a person, 10 days (Art. 73(4)).
 */
export type SeriousIncidentCategory =
  'general' | 'widespread_infringement' | 'critical_infrastructure' | 'death'

/** Reporting period in days per category. */
export const ARTICLE_73_DAYS: Readonly<Record<SeriousIncidentCategory, number>> = {
  general: 15,
  widespread_infringement: 2,
  critical_infrastructure: 2,
  death: 10,
}

/** Every category, for validation and listing. */
export const SERIOUS_INCIDENT_CATEGORIES = Object.keys(ARTICLE_73_DAYS) as SeriousIncidentCategory[]

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Latest time to report a serious incident to the market surveillance authority: the moment of
 * awareness plus the category's period, counted in whole 24-hour days. The article asks for a
 * report immediately; this is the outer limit, not a target.
 */
export function article73Deadline(category: SeriousIncidentCategory, awareAt: Date): Date {
  return new Date(awareAt.getTime() + ARTICLE_73_DAYS[category] * DAY_MS)
}
