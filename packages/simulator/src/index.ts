export {
  NdjsonWriteFailedError,
  SimulationOptionsInvalidError,
  SimulationSinkFailedError,
  SimulatorError,
} from './errors.ts'
export type { SimulatorErrorCode } from './errors.ts'
export { SeededRandom } from './random/seeded-random.ts'
export { CREDIT_APPLICANT_POPULATION } from './population/credit-population.ts'
export type { PopulationAttribute, PopulationGroup } from './population/credit-population.ts'
export {
  DEFAULT_DRIFT,
  DEFAULT_FAULTS,
  DEFAULT_OUTCOMES,
  DEFAULT_SIMULATION_START,
  resolveCreditSimulationOptions,
} from './credit/credit-options.ts'
export type {
  CreditSimulationOptions,
  DriftOptions,
  FaultOptions,
  OutcomeOptions,
  ResolvedCreditSimulationOptions,
} from './credit/credit-options.ts'
export { createCreditSimulation } from './credit/credit-simulation.ts'
export type { CreditSimulation } from './credit/credit-simulation.ts'
export { generateEvents } from './events/generate-events.ts'
export type { GenerateEventsOptions } from './events/generate-events.ts'
export { runLiveSimulation } from './live/run-live-simulation.ts'
export type { LiveSimulationOptions, LiveSimulationSummary } from './live/run-live-simulation.ts'
export { systemClock } from './live/live-clock.ts'
export type { LiveClock } from './live/live-clock.ts'
export { writeNdjson } from './ndjson/write-ndjson.ts'
export type { NdjsonWriteSummary } from './ndjson/write-ndjson.ts'
