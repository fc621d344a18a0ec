/** Why an event was refused. Stable values: they are stored, counted and shown to producers. */
export type RejectionReason =
  | 'oversize'
  | 'malformed_json'
  | 'not_an_object'
  | 'unknown_kind'
  | 'unknown_contract_version'
  | 'invalid_field'
  /**
   * A valid event sent where its kind does not belong, such as an outcome on the predictions topic.
   * parseEvent never returns it: only a transport that assigns kinds to channels can tell.
   */
  | 'wrong_topic'

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
