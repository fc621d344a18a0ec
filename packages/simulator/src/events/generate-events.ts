import type { FairnessEvent } from '@fairwatch/contract'

import { createCreditSimulation } from '../credit/credit-simulation.ts'
import type { CreditSimulationOptions } from '../credit/credit-options.ts'
import { SimulationOptionsInvalidError } from '../errors.ts'

/** Options of generateEvents: the simulation's options and how many events to produce. */
export interface GenerateEventsOptions extends CreditSimulationOptions {
  /** Number of events to yield, duplicates included: a non-negative integer. */
  count: number
}

/**
 * The first `count` events of a credit-decision simulation (see createCreditSimulation), in
 * arrival order: by timestamp, predictions at their decision time and outcomes when they become
 * known. Outcomes still pending after the last yielded event are never yielded, so the latest
 * decisions have fewer outcomes than earlier ones, as in any cut of a live stream.
 *
 * Each iteration starts the simulation afresh, so iterating twice yields the same events. The
 * options are checked at once, not on the first iteration. A duplicate is a copy of its original
 * event that shares the original's `attributes` object: treat the events as read-only.
 *
 * @throws SimulationOptionsInvalidError when `count` or another option is outside its domain.
 */
export function generateEvents(options: GenerateEventsOptions): Iterable<FairnessEvent> {
  const { count, ...simulationOptions } = options
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new SimulationOptionsInvalidError('count', count, 'a non-negative integer')
  }
  // Resolving here surfaces a bad option at the call, not at the first iteration.
  createCreditSimulation(simulationOptions)

  return {
    *[Symbol.iterator]() {
      const simulation = createCreditSimulation(simulationOptions)
      for (let i = 0; i < count; i += 1) yield simulation.next()
    },
  }
}
