import type { FairnessEvent } from '@fairwatch/contract'
import { pino } from 'pino'
import type { Logger } from 'pino'

import type { CreditSimulationOptions } from '../credit/credit-options.ts'
import { createCreditSimulation } from '../credit/credit-simulation.ts'
import { SimulationOptionsInvalidError, SimulationSinkFailedError } from '../errors.ts'
import { systemClock } from './live-clock.ts'
import type { LiveClock } from './live-clock.ts'

const DAY_MS = 86_400_000

/** Options of runLiveSimulation: the simulation's own options plus pacing and delivery. */
export interface LiveSimulationOptions extends CreditSimulationOptions {
  /**
   * Receives the events in arrival order, in batches. The next batch waits until a returned
   * promise settles; events due meanwhile come in later, larger batches.
   */
  onEvents: (events: FairnessEvent[]) => void | Promise<void>
  /** Stops the simulation. */
  signal: AbortSignal
  /** Simulated milliseconds per wall-clock millisecond. Default 3600: an hour each second. */
  speed?: number
  /** Simulated time of the first application. Default 60 days before the call. */
  start?: Date | string | number
  /**
   * Seed of the random generator. Default: taken from the wall clock at the call, so that every
   * run has its own events and identifiers.
   */
  seed?: number
  /** Wall-clock milliseconds between batches. Default 250. */
  intervalMs?: number
  /** Most events in one call of `onEvents`; more events due are split over calls. Default 5000. */
  maxBatchSize?: number
  /**
   * When true, simulated time never runs ahead of the wall clock: once it catches up it goes on at
   * real speed, so no event is dated in the future. When false it keeps running at `speed`.
   * Default true.
   */
  followWallClock?: boolean
  /** Default: a silent logger. */
  logger?: Logger
  /** Default: the system clock. */
  clock?: LiveClock
}

/** What a live simulation did before it stopped. */
export interface LiveSimulationSummary {
  /** Events handed to `onEvents`. */
  events: number
  /** Calls of `onEvents`. */
  batches: number
  /** Simulated time (epoch milliseconds) up to which every event was delivered. */
  simulatedUntil: number
}

/**
 * Runs a credit-decision simulation (see createCreditSimulation) against the wall clock, the
 * source of Fairwatch's embedded default. Simulated time starts at `start` and runs `speed` times
 * faster than the wall clock; every `intervalMs` the events that have arrived by the current
 * simulated time go to `onEvents`. With the defaults, the simulation starts 60 days in the past, so
 * outcomes (7 to 60 days after their decisions) have matured by the time it catches up with the
 * wall clock, which takes 24 minutes; the drift begins after 72 seconds and is fully grown after
 * about 7 minutes.
 *
 * Resolves once `signal` aborts, after the batch being delivered, if any, is taken.
 *
 * @throws SimulationOptionsInvalidError (as a rejection) when an option is outside its domain.
 * @throws SimulationSinkFailedError (as a rejection) when `onEvents` throws or rejects; the
 *   simulation stops there.
 */
export async function runLiveSimulation(
  options: LiveSimulationOptions,
): Promise<LiveSimulationSummary> {
  const {
    onEvents,
    signal,
    speed = 3600,
    intervalMs = 250,
    maxBatchSize = 5000,
    followWallClock = true,
    logger = pino({ enabled: false }),
    clock = systemClock,
    ...simulationOptions
  } = options
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
    throw new SimulationOptionsInvalidError('speed', speed, 'a finite number greater than 0')
  }
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new SimulationOptionsInvalidError('intervalMs', intervalMs, 'a number greater than 0')
  }
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new SimulationOptionsInvalidError('maxBatchSize', maxBatchSize, 'a positive integer')
  }

  const wallStart = clock.now()
  const simulation = createCreditSimulation({
    ...simulationOptions,
    seed: simulationOptions.seed ?? wallStart >>> 0,
    start: simulationOptions.start ?? wallStart - 60 * DAY_MS,
  })
  const { start, seed, runId } = simulation.options
  logger.info(
    { start: new Date(start).toISOString(), speed, seed, runId },
    'live simulation started',
  )

  const summary: LiveSimulationSummary = { events: 0, batches: 0, simulatedUntil: start }
  let caughtUp = false
  while (!signal.aborted) {
    const wallNow = clock.now()
    let simulatedNow = start + (wallNow - wallStart) * speed
    if (followWallClock && simulatedNow >= wallNow) {
      simulatedNow = wallNow
      if (!caughtUp) {
        caughtUp = true
        logger.info({ events: summary.events }, 'live simulation caught up with the wall clock')
      }
    }

    while (!signal.aborted && simulation.peekTime() <= simulatedNow) {
      const batch: FairnessEvent[] = []
      while (batch.length < maxBatchSize && simulation.peekTime() <= simulatedNow) {
        batch.push(simulation.next())
      }
      try {
        await onEvents(batch)
      } catch (err) {
        logger.error({ err, events: summary.events }, 'live simulation events callback failed')
        throw new SimulationSinkFailedError(summary.events, err)
      }
      summary.events += batch.length
      summary.batches += 1
    }
    if (!signal.aborted) summary.simulatedUntil = Math.max(summary.simulatedUntil, simulatedNow)

    await clock.sleep(intervalMs, signal)
  }

  logger.info(summary, 'live simulation stopped')
  return summary
}
