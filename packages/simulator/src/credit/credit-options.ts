import { predictionEventSchema } from '@fairwatch/contract'

import { SimulationOptionsInvalidError } from '../errors.ts'
import { CREDIT_APPLICANT_POPULATION } from '../population/credit-population.ts'

/**
 * The model defect that makes the simulation unfair over time. From `startDay` on, the scores of
 * one group get a negative bias and extra noise that grow linearly over `rampDays` days to their
 * full size and then stay. The group's approval rate falls (its disparate impact drops under the
 * four-fifths rule with the defaults) and its true positive rate falls with it (the
 * equal-opportunity gap grows), while every other group's rates stay steady.
 */
export interface DriftOptions {
  /** Attribute of the drifting group. Default `ethnicity`. */
  attribute: string
  /** Label of the drifting group. Default `black`. */
  group: string
  /** Simulated day (from the simulation start) on which the drift begins. Default 3. */
  startDay: number
  /** Days over which the drift grows to its full size; 0 makes it a step. Default 14. */
  rampDays: number
  /** Full negative bias added to the group's score, in log-odds. Default 1.0. */
  scoreBias: number
  /**
   * Full extra noise in the model's view of the group's creditworthiness, in standard deviations
   * (the model's base noise is 0.5). Default 0.6.
   */
  noiseIncrease: number
}

/** When and whether ground truth (repaid or not) arrives. */
export interface OutcomeOptions {
  /**
   * Share of declined applicants whose outcome is published anyway. A real lender never learns
   * whether a declined applicant would have repaid; the simulation publishes some, as if observed
   * through a credit bureau, so that false positive rates have data. Default 0.3.
   */
  declinedShare: number
  /** Share of approved applicants whose outcome never arrives. Default 0.05. */
  lostShare: number
  /** Shortest delay between decision and outcome, in days. Default 7. */
  minDelayDays: number
  /**
   * Median delay between decision and outcome, in days; slightly less in effect, since delays
   * beyond the maximum are drawn again. Default 18.
   */
  medianDelayDays: number
  /** Longest delay between decision and outcome, in days. Default 60. */
  maxDelayDays: number
}

/** Imperfections of real event streams, each a share of the events concerned. */
export interface FaultOptions {
  /**
   * Share of events (predictions and outcomes alike) delivered a second time, identical, with the
   * same event_id, right after the first delivery. Default 0.005.
   */
  duplicateShare: number
  /**
   * Share of published outcomes that are corrected: the first outcome carries the wrong label and a
   * second outcome for the same prediction, 1 to 14 days later, carries the right one. Default
   * 0.01.
   */
  correctionShare: number
  /** Share of predictions that lack one of their attributes, chosen at random. Default 0.01. */
  missingAttributeShare: number
}

/** Options of a credit-decision simulation. Every option has a default. */
export interface CreditSimulationOptions {
  /** Seed of the random generator, an integer in [0, 2^32). Default 1. */
  seed?: number
  /** Simulated time of the first application. Default 2025-01-06T00:00:00Z. */
  start?: Date | string | number
  /** Default `credit-scoring`. */
  modelId?: string
  /** Default `4.1.0`. */
  modelVersion?: string
  /**
   * Prefix of every event_id and prediction_id, so that runs with different seeds never share an
   * identifier. 1-64 letters, digits, `_`, `.`, `:` or `-`. Default `s` followed by the seed.
   */
  runId?: string
  /** Mean number of applications per simulated day (a Poisson process). Default 2400. */
  applicationsPerDay?: number
  /** Applications scoring at least this are approved (prediction 1). Default 0.78. */
  approvalThreshold?: number
  /** The drift, or `false` for a model that stays as fair as it starts. */
  drift?: Partial<DriftOptions> | false
  outcomes?: Partial<OutcomeOptions>
  faults?: Partial<FaultOptions>
}

/** The options of a simulation with every default filled in and every value checked. */
export interface ResolvedCreditSimulationOptions {
  seed: number
  /** Epoch milliseconds. */
  start: number
  modelId: string
  modelVersion: string
  runId: string
  applicationsPerDay: number
  approvalThreshold: number
  drift: DriftOptions | null
  outcomes: OutcomeOptions
  faults: FaultOptions
}

/** Simulated time of the first application when no start is given. */
export const DEFAULT_SIMULATION_START = '2025-01-06T00:00:00Z'

export const DEFAULT_DRIFT: Readonly<DriftOptions> = {
  attribute: 'ethnicity',
  group: 'black',
  startDay: 3,
  rampDays: 14,
  scoreBias: 1.0,
  noiseIncrease: 0.6,
}

export const DEFAULT_OUTCOMES: Readonly<OutcomeOptions> = {
  declinedShare: 0.3,
  lostShare: 0.05,
  minDelayDays: 7,
  medianDelayDays: 18,
  maxDelayDays: 60,
}

export const DEFAULT_FAULTS: Readonly<FaultOptions> = {
  duplicateShare: 0.005,
  correctionShare: 0.01,
  missingAttributeShare: 0.01,
}

const LATEST_START = Date.UTC(9000, 0, 1)
const RUN_ID = /^[A-Za-z0-9_.:-]{1,64}$/

/**
 * Fills in the defaults and checks every option.
 * @throws SimulationOptionsInvalidError naming the first option outside its domain.
 */
export function resolveCreditSimulationOptions(
  options: CreditSimulationOptions = {},
): ResolvedCreditSimulationOptions {
  const seed = options.seed ?? 1
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SimulationOptionsInvalidError('seed', seed, 'an integer from 0 to 4294967295')
  }

  const start = resolveTime('start', options.start ?? DEFAULT_SIMULATION_START)

  const modelId = options.modelId ?? 'credit-scoring'
  if (!predictionEventSchema.shape.model_id.safeParse(modelId).success) {
    throw new SimulationOptionsInvalidError(
      'modelId',
      modelId,
      '1-128 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
    )
  }
  const modelVersion = options.modelVersion ?? '4.1.0'
  if (!predictionEventSchema.shape.model_version.safeParse(modelVersion).success) {
    throw new SimulationOptionsInvalidError('modelVersion', modelVersion, '1-128 characters')
  }
  const runId = options.runId ?? `s${seed}`
  if (!RUN_ID.test(runId)) {
    throw new SimulationOptionsInvalidError(
      'runId',
      runId,
      '1-64 letters, digits, "_", ".", ":" or "-"',
    )
  }

  const applicationsPerDay = options.applicationsPerDay ?? 2400
  requirePositive('applicationsPerDay', applicationsPerDay)
  const approvalThreshold = options.approvalThreshold ?? 0.78
  requireShare('approvalThreshold', approvalThreshold)

  return {
    seed,
    start,
    modelId,
    modelVersion,
    runId,
    applicationsPerDay,
    approvalThreshold,
    drift: options.drift === false ? null : resolveDrift({ ...DEFAULT_DRIFT, ...options.drift }),
    outcomes: resolveOutcomes({ ...DEFAULT_OUTCOMES, ...options.outcomes }),
    faults: resolveFaults({ ...DEFAULT_FAULTS, ...options.faults }),
  }
}

/**
 * Turns a Date, an RFC 3339 string or epoch milliseconds into epoch milliseconds.
 * @throws SimulationOptionsInvalidError when the value is no valid point in time.
 */
export function resolveTime(option: string, value: Date | string | number): number {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value
  // Far from year 9999, so that every simulated timestamp can be written as RFC 3339.
  if (typeof ms !== 'number' || !(ms >= 0 && ms < LATEST_START)) {
    throw new SimulationOptionsInvalidError(
      option,
      value,
      'a Date, an RFC 3339 date-time or epoch milliseconds between 1970 and 9000',
    )
  }
  return Math.floor(ms)
}

function resolveDrift(drift: DriftOptions): DriftOptions {
  const attribute = CREDIT_APPLICANT_POPULATION.find((a) => a.name === drift.attribute)
  if (attribute === undefined) {
    const names = CREDIT_APPLICANT_POPULATION.map((a) => a.name).join(', ')
    throw new SimulationOptionsInvalidError('drift.attribute', drift.attribute, `one of ${names}`)
  }
  if (!attribute.groups.some((g) => g.label === drift.group)) {
    const labels = attribute.groups.map((g) => g.label).join(', ')
    throw new SimulationOptionsInvalidError('drift.group', drift.group, `one of ${labels}`)
  }
  requireNonNegative('drift.startDay', drift.startDay)
  requireNonNegative('drift.rampDays', drift.rampDays)
  requireFinite('drift.scoreBias', drift.scoreBias)
  requireNonNegative('drift.noiseIncrease', drift.noiseIncrease)
  return { ...drift }
}

function resolveOutcomes(outcomes: OutcomeOptions): OutcomeOptions {
  requireShare('outcomes.declinedShare', outcomes.declinedShare)
  requireShare('outcomes.lostShare', outcomes.lostShare)
  requireNonNegative('outcomes.minDelayDays', outcomes.minDelayDays)
  const { minDelayDays, medianDelayDays, maxDelayDays } = outcomes
  if (!(medianDelayDays > minDelayDays && Number.isFinite(medianDelayDays))) {
    throw new SimulationOptionsInvalidError(
      'outcomes.medianDelayDays',
      medianDelayDays,
      `a number greater than outcomes.minDelayDays (${minDelayDays})`,
    )
  }
  if (!(maxDelayDays > medianDelayDays && Number.isFinite(maxDelayDays))) {
    throw new SimulationOptionsInvalidError(
      'outcomes.maxDelayDays',
      maxDelayDays,
      `a number greater than outcomes.medianDelayDays (${medianDelayDays})`,
    )
  }
  return { ...outcomes }
}

function resolveFaults(faults: FaultOptions): FaultOptions {
  requireShare('faults.duplicateShare', faults.duplicateShare)
  requireShare('faults.correctionShare', faults.correctionShare)
  requireShare('faults.missingAttributeShare', faults.missingAttributeShare)
  return { ...faults }
}

function requireFinite(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SimulationOptionsInvalidError(option, value, 'a finite number')
  }
}

function requirePositive(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SimulationOptionsInvalidError(option, value, 'a finite number greater than 0')
  }
}

function requireNonNegative(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SimulationOptionsInvalidError(option, value, 'a finite number of at least 0')
  }
}

function requireShare(option: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new SimulationOptionsInvalidError(option, value, 'a number from 0 to 1')
  }
}
