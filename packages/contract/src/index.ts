export {
  CONTRACT_VERSION,
  MAX_ATTRIBUTES,
  MAX_EVENT_BYTES,
  SUPPORTED_CONTRACT_VERSIONS,
  fairnessEventSchema,
  outcomeEventSchema,
  predictionEventSchema,
} from './schemas.ts'
export type { EventKind, FairnessEvent, OutcomeEvent, PredictionEvent } from './schemas.ts'
export type { EventRecord, OutcomeRecord, PredictionRecord } from './records.ts'
export type { Rejection, RejectionReason } from './rejection.ts'
export { checkEvent, parseEvent } from './parse-event.ts'
export type { ParseResult } from './parse-event.ts'
export { eventJsonSchemas } from './json-schema.ts'
