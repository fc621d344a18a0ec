import { CONTRACT_VERSION } from '@fairwatch/contract'
import type { FairnessEvent, OutcomeEvent, PredictionEvent } from '@fairwatch/contract'

import { CREDIT_APPLICANT_POPULATION } from '../population/credit-population.ts'
import { SeededRandom } from '../random/seeded-random.ts'
import { TimestampFormatter } from '../time/timestamp-formatter.ts'
import { PendingOutcomes } from './pending-outcomes.ts'
import { resolveCreditSimulationOptions } from './credit-options.ts'
import type {
  CreditSimulationOptions,
  DriftOptions,
  ResolvedCreditSimulationOptions,
} from './credit-options.ts'

const DAY_MS = 86_400_000

/** Log-odds of repaying for an applicant of average creditworthiness (about 83 % repay). */
const REPAYMENT_INTERCEPT = 1.6
/** Change in the log-odds of repaying per standard deviation of creditworthiness. */
const REPAYMENT_SLOPE = 1.2
/** Error of the model's estimate of creditworthiness, in standard deviations. */
const MODEL_NOISE = 0.5
/** Spread (log standard deviation) of the outcome delay beyond its minimum. */
const DELAY_LOG_SPREAD = 0.75
const CORRECTION_MIN_DAYS = 1
const CORRECTION_MAX_DAYS = 14
/** Detail bits of a pending outcome: its label, and whether it corrects an earlier outcome. */
const REPAID_BIT = 1
const CORRECTION_BIT = 2

/**
 * An endless stream of credit decisions and their outcomes, in arrival order. See
 * createCreditSimulation.
 */
export interface CreditSimulation {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedCreditSimulationOptions
  /** Event time (epoch milliseconds) of the event the next call to `next` returns. */
  peekTime(): number
  /**
   * The next event to arrive: the earliest of the next application's prediction and every
   * outcome, correction and duplicate still pending. Never ends.
   */
  next(): FairnessEvent
}

interface CompiledAttribute {
  name: string
  labels: string[]
  shifts: number[]
  cumulative: number[]
  /** Index of the drifting group when this is the drift's attribute, else -1. */
  driftIndex: number
}

/**
 * Creates a simulated credit-decision model and its applicants. Each application gets demographic
 * attributes drawn from CREDIT_APPLICANT_POPULATION and a latent creditworthiness; the true chance
 * of repaying grows with creditworthiness, and the model scores a noisy view of it. A score at or
 * above the approval threshold approves (prediction 1). The score is rounded to 4 decimals, and
 * the decision is taken on the rounded score.
 *
 * Outcomes (1 = repaid) follow the decision after `outcomes.minDelayDays` to
 * `outcomes.maxDelayDays` days, skewed towards the short end (log-normal beyond the minimum, with
 * median `outcomes.medianDelayDays`). Approved applicants' outcomes arrive except for a
 * `outcomes.lostShare`; a real lender never learns declined applicants' outcomes, but the
 * simulation publishes a `outcomes.declinedShare` of them so error rates on both sides have data.
 * Duplicates, corrections and predictions missing an attribute appear in the shares of `faults`;
 * the drift is described on DriftOptions.
 *
 * Applications arrive as a Poisson process at a constant rate: there is no daily or weekly cycle.
 *
 * @throws SimulationOptionsInvalidError when an option is outside its domain.
 */
export function createCreditSimulation(options?: CreditSimulationOptions): CreditSimulation {
  return new CreditDecisionSimulation(resolveCreditSimulationOptions(options))
}

class CreditDecisionSimulation implements CreditSimulation {
  private readonly random: SeededRandom
  private readonly pending = new PendingOutcomes()
  private readonly timestamps = new TimestampFormatter()
  private readonly attributes: CompiledAttribute[]
  private readonly drift: DriftOptions | null
  private readonly meanGapMs: number
  private readonly delayLogMedian: number
  private readonly delayMaxExcess: number
  private nextApplicationAt: number
  private applications = 0
  /** A second delivery of the event just returned, due before anything else. */
  private duplicate: FairnessEvent | null = null
  private lastTime: number

  constructor(readonly options: ResolvedCreditSimulationOptions) {
    this.random = new SeededRandom(options.seed)
    this.drift = options.drift
    this.attributes = CREDIT_APPLICANT_POPULATION.map((attribute) => {
      let total = 0
      const cumulative = attribute.groups.map((group) => (total += group.share))
      const drifting = options.drift?.attribute === attribute.name
      return {
        name: attribute.name,
        labels: attribute.groups.map((group) => group.label),
        shifts: attribute.groups.map((group) => group.creditworthinessShift),
        cumulative: cumulative.map((c) => c / total),
        driftIndex: drifting
          ? attribute.groups.findIndex((group) => group.label === options.drift?.group)
          : -1,
      }
    })
    this.meanGapMs = DAY_MS / options.applicationsPerDay
    const { minDelayDays, medianDelayDays, maxDelayDays } = options.outcomes
    this.delayLogMedian = Math.log(medianDelayDays - minDelayDays)
    this.delayMaxExcess = maxDelayDays - minDelayDays
    this.nextApplicationAt = options.start
    this.lastTime = options.start
  }

  peekTime(): number {
    if (this.duplicate !== null) return this.lastTime
    return Math.min(this.pending.peekTime(), Math.floor(this.nextApplicationAt))
  }

  next(): FairnessEvent {
    const duplicate = this.duplicate
    if (duplicate !== null) {
      this.duplicate = null
      return duplicate
    }

    const applicationTime = Math.floor(this.nextApplicationAt)
    let event: FairnessEvent
    if (this.pending.peekTime() <= applicationTime) {
      event = this.arrive()
    } else {
      this.lastTime = applicationTime
      event = this.decide(applicationTime)
      this.nextApplicationAt += this.random.exponential(this.meanGapMs)
    }

    if (this.random.chance(this.options.faults.duplicateShare)) this.duplicate = { ...event }
    return event
  }

  private decide(time: number): PredictionEvent {
    const random = this.random
    const options = this.options
    this.applications += 1
    const n = this.applications

    const omitted = random.chance(options.faults.missingAttributeShare)
      ? Math.floor(random.float() * this.attributes.length)
      : -1
    const attributes: Record<string, string> = {}
    let shift = 0
    let drifting = false
    for (let i = 0; i < this.attributes.length; i += 1) {
      const attribute = this.attributes[i] as CompiledAttribute
      const index = random.pickCumulative(attribute.cumulative)
      shift += attribute.shifts[index] as number
      if (index === attribute.driftIndex) drifting = true
      // The applicant still belongs to the group; only the event lacks its label.
      if (i !== omitted) attributes[attribute.name] = attribute.labels[index] as string
    }

    const creditworthiness = shift + random.normal()
    const repaid = random.chance(logistic(REPAYMENT_INTERCEPT + REPAYMENT_SLOPE * creditworthiness))
    const drift = drifting ? this.driftAt(time) : 0
    const noise = MODEL_NOISE + drift * (this.drift?.noiseIncrease ?? 0)
    const estimate = creditworthiness + noise * random.normal()
    const logit =
      REPAYMENT_INTERCEPT + REPAYMENT_SLOPE * estimate - drift * (this.drift?.scoreBias ?? 0)
    const score = Math.round(logistic(logit) * 10_000) / 10_000
    const prediction = score >= options.approvalThreshold ? 1 : 0

    this.scheduleOutcome(n, time, prediction, repaid ? 1 : 0)
    return {
      contract_version: CONTRACT_VERSION,
      kind: 'prediction',
      event_id: `${options.runId}-p${n}`,
      model_id: options.modelId,
      model_version: options.modelVersion,
      prediction_id: `${options.runId}-a${n}`,
      timestamp: this.timestamps.format(time),
      prediction,
      score,
      attributes,
    }
  }

  /** How far the drift has grown at `time`: 0 before it starts, 1 once fully grown. */
  private driftAt(time: number): number {
    const drift = this.drift
    if (drift === null) return 0
    const day = (time - this.options.start) / DAY_MS
    if (day < drift.startDay) return 0
    if (drift.rampDays === 0) return 1
    return Math.min(1, (day - drift.startDay) / drift.rampDays)
  }

  private scheduleOutcome(n: number, decidedAt: number, prediction: 0 | 1, repaid: 0 | 1): void {
    const random = this.random
    const { outcomes, faults } = this.options
    const published =
      prediction === 1 ? !random.chance(outcomes.lostShare) : random.chance(outcomes.declinedShare)
    if (!published) return

    const knownAt = decidedAt + Math.round(this.outcomeDelayDays() * DAY_MS)
    if (!random.chance(faults.correctionShare)) {
      this.pending.add(knownAt, n, repaid)
      return
    }
    const correctedAt =
      knownAt + Math.round(random.uniform(CORRECTION_MIN_DAYS, CORRECTION_MAX_DAYS) * DAY_MS)
    this.pending.add(knownAt, n, repaid ^ REPAID_BIT)
    this.pending.add(correctedAt, n, repaid | CORRECTION_BIT)
  }

  private outcomeDelayDays(): number {
    const { minDelayDays } = this.options.outcomes
    // Redraw rather than clamp, so that no pile of outcomes forms at the maximum delay.
    for (;;) {
      const excess = Math.exp(this.delayLogMedian + DELAY_LOG_SPREAD * this.random.normal())
      if (excess <= this.delayMaxExcess) return minDelayDays + excess
    }
  }

  /** Takes the earliest pending outcome and writes its event. */
  private arrive(): OutcomeEvent {
    const pending = this.pending
    const time = pending.peekTime()
    pending.take()
    const n = pending.takenApplication
    const detail = pending.takenDetail
    const { runId, modelId } = this.options
    this.lastTime = time
    return {
      contract_version: CONTRACT_VERSION,
      kind: 'outcome',
      event_id: detail & CORRECTION_BIT ? `${runId}-c${n}` : `${runId}-o${n}`,
      model_id: modelId,
      prediction_id: `${runId}-a${n}`,
      timestamp: this.timestamps.format(time),
      outcome: detail & REPAID_BIT ? 1 : 0,
    }
  }
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x))
}
