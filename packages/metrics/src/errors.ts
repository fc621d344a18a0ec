/** Every condition this package reports, as a closed list. Callers branch on these, not on text. */
export type MetricsErrorCode =
  | 'FW_METRICS_PREDICTION_INVALID'
  | 'FW_METRICS_COUNTS_INVALID'
  | 'FW_METRICS_OPTIONS_INVALID'
  | 'FW_METRICS_GROUP_RESERVED'
  | 'FW_METRICS_STATISTIC_INPUT_INVALID'

/**
 * Base of every error this package throws. The package does no I/O, so nothing it throws can
 * succeed when simply tried again: `retriable` is false throughout.
 */
export abstract class MetricsError extends Error {
  abstract readonly code: MetricsErrorCode
  /** True when the same call may succeed if simply tried again later. */
  abstract readonly retriable: boolean
}

/** A prediction handed to addPrediction has a field outside its domain; `field` names it. */
export class PredictionInvalidError extends MetricsError {
  readonly code = 'FW_METRICS_PREDICTION_INVALID'
  readonly retriable = false
  constructor(
    readonly field: 'decision' | 'outcome' | 'score',
    readonly value: unknown,
    expected: string,
  ) {
    super(`prediction ${field} is ${String(value)}, expected ${expected}`)
    this.name = 'PredictionInvalidError'
  }
}

/**
 * Group counts are not a possible result of counting predictions: a field is negative, not an
 * integer, not finite, or breaks a relation between fields (`labelled = tp + fp + tn + fn`,
 * `selected <= predictions`, ...). `attribute`, `group` and `field` locate it.
 */
export class CountsInvalidError extends MetricsError {
  readonly code = 'FW_METRICS_COUNTS_INVALID'
  readonly retriable = false
  constructor(
    readonly attribute: string,
    readonly group: string,
    readonly field: string,
    detail: string,
  ) {
    super(`counts of ${attribute}=${group}: ${field} ${detail}`)
    this.name = 'CountsInvalidError'
  }
}

/** A metric option is outside its domain (e.g. confidence not strictly between 0 and 1). */
export class OptionsInvalidError extends MetricsError {
  readonly code = 'FW_METRICS_OPTIONS_INVALID'
  readonly retriable = false
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`option ${option} is ${String(value)}, expected ${expected}`)
    this.name = 'OptionsInvalidError'
  }
}

/** A group of an attribute uses the label reserved for predictions lacking the attribute. */
export class GroupReservedError extends MetricsError {
  readonly code = 'FW_METRICS_GROUP_RESERVED'
  readonly retriable = false
  constructor(
    readonly attribute: string,
    readonly group: string,
  ) {
    super(
      `attribute ${attribute} has a group labelled ${group}, which is reserved for predictions ` +
        'lacking the attribute; pass those counts as `missing`',
    )
    this.name = 'GroupReservedError'
  }
}

/** An argument of a statistical function is outside its domain; `parameter` names it. */
export class StatisticInputInvalidError extends MetricsError {
  readonly code = 'FW_METRICS_STATISTIC_INPUT_INVALID'
  readonly retriable = false
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${parameter} is ${String(value)}, expected ${expected}`)
    this.name = 'StatisticInputInvalidError'
  }
}
