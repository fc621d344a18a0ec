import { z } from 'zod'

/** The contract version this release writes and reads. Events without a version are version 1. */
export const CONTRACT_VERSION = 1

/** Contract versions this release accepts. An event naming another version is rejected. */
export const SUPPORTED_CONTRACT_VERSIONS: readonly number[] = [1]

/** Largest event accepted, in bytes of its JSON text. */
export const MAX_EVENT_BYTES = 64 * 1024

/** Most demographic attributes one prediction may carry. */
export const MAX_ATTRIBUTES = 32

const identifier = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters')

const modelId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
    'must be 1-128 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
  )

/** RFC 3339 date-time with an explicit offset (`Z` or `+02:00`); fractions of a second allowed. */
const timestamp = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time' })

const attributeName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'attribute names are 1-64 letters, digits, "_", "." or "-", starting with a letter',
  )

const groupLabel = z
  .string()
  .min(1, 'group labels must not be empty')
  .max(128, 'group labels must be at most 128 characters')
  .refine((label) => label !== '(missing)', 'the group label "(missing)" is reserved')

const binary = z.union([z.literal(0), z.literal(1)], { error: 'must be 0 or 1' })

const contractVersion = z.literal(CONTRACT_VERSION).optional()

/** A model's decision about one person, with the demographic groups the person belongs to. */
export const predictionEventSchema = z.object({
  contract_version: contractVersion,
  kind: z.literal('prediction'),
  /** Idempotency key: a repeated event_id is counted once. */
  event_id: identifier,
  model_id: modelId,
  model_version: z.string().min(1).max(128),
  /** Join key with the outcome events of this decision. */
  prediction_id: identifier,
  /** Event time of the decision; it decides the window. */
  timestamp,
  /** The decision: 1 is the favourable (selected) decision. */
  prediction: binary,
  /** The model's score behind the decision, between 0 and 1. */
  score: z.number().min(0).max(1).optional(),
  /** Demographic attribute → group label, e.g. {"sex": "female", "age_band": "25-34"}. */
  attributes: z
    .record(attributeName, groupLabel)
    .refine((attributes) => Object.keys(attributes).length <= MAX_ATTRIBUTES, {
      message: `at most ${MAX_ATTRIBUTES} attributes`,
    }),
})

/** The ground truth for an earlier decision, which may arrive days or years after it. */
export const outcomeEventSchema = z.object({
  contract_version: contractVersion,
  kind: z.literal('outcome'),
  event_id: identifier,
  model_id: modelId,
  prediction_id: identifier,
  /** When the outcome became known. A later outcome for the same prediction replaces it. */
  timestamp,
  /** What actually happened: 1 is the positive outcome (e.g. the loan was repaid). */
  outcome: binary,
})

/** Either event, told apart by `kind`. */
export const fairnessEventSchema = z.discriminatedUnion('kind', [
  predictionEventSchema,
  outcomeEventSchema,
])

export type PredictionEvent = z.infer<typeof predictionEventSchema>
export type OutcomeEvent = z.infer<typeof outcomeEventSchema>
export type FairnessEvent = z.infer<typeof fairnessEventSchema>
export type EventKind = FairnessEvent['kind']
