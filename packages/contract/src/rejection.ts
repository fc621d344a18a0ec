/** Why an event was refused. Stable values: they are stored, counted and shown to producers. */
export type RejectionReason =
  | 'oversize'
  | 'malformed_json'
  | 'not_an_object'
  | 'unknown_kind'
  | 'unknown_contract_version'
  | 'invalid_field'

/** A refused event: its original text and a precise account of what was wrong and where. */
export interface Rejection {
  reason: RejectionReason
  /** Dotted path of the offending field (`attributes.sex`, `score`), or null for the whole event. */
  field: string | null
  /** Human-readable detail; every problem found, separated by "; ". */
  message: string
  /** The event exactly as received. */
  raw: string
}
