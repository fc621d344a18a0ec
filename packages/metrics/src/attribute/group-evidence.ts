import type { GroupRates } from '../rates/group-rates'
import type { GroupCounts, MetricReason, MetricRow } from '../types'

/** One group of an attribute with its counts and rates. */
export interface GroupEvidence {
  label: string
  counts: GroupCounts
  rates: GroupRates
}

/**
 * The evidence fields shared by every row: a row without a value gets `nullReason`; a row with a
 * value resting on fewer than `minSample` predictions gets 'insufficient_evidence'.
 */
export function evidenceFields(
  value: number | null,
  nullReason: MetricReason,
  sampleSize: number,
  minSample: number,
): Pick<MetricRow, 'sampleSize' | 'insufficientEvidence' | 'reason'> {
  const insufficientEvidence = sampleSize < minSample
  let reason: MetricReason | null = null
  if (value === null) reason = nullReason
  else if (insufficientEvidence) reason = 'insufficient_evidence'
  return { sampleSize, insufficientEvidence, reason }
}
