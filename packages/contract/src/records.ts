/**
 * The pipeline's view of a valid event: camelCase, event time as epoch milliseconds, optional
 * fields made explicit. Built by parseEvent from the wire form.
 */
export interface PredictionRecord {
  kind: 'prediction'
  eventId: string
  modelId: string
  modelVersion: string
  predictionId: string
  /** Event time, milliseconds since the Unix epoch (UTC). */
  eventTime: number
  decision: 0 | 1
  score: number | null
  attributes: Readonly<Record<string, string>>
}

export interface OutcomeRecord {
  kind: 'outcome'
  eventId: string
  modelId: string
  predictionId: string
  /** When the outcome became known, milliseconds since the Unix epoch (UTC). */
  eventTime: number
  outcome: 0 | 1
}

export type EventRecord = PredictionRecord | OutcomeRecord
