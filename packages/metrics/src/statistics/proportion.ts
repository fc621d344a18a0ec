import { StatisticInputInvalidError } from '../errors'

/** An observed proportion: `successes` out of `trials`. */
export interface Proportion {
  successes: number
  trials: number
}

/** A two-sided confidence interval. */
export interface Interval {
  low: number
  high: number
}

/**
 * @throws StatisticInputInvalidError unless trials is a non-negative integer and successes an
 *   integer between 0 and trials (and, with `positiveTrials`, trials is above 0).
 */
export function assertProportion(name: string, p: Proportion, positiveTrials: boolean): void {
  const { successes, trials } = p
  if (!Number.isInteger(trials) || trials < (positiveTrials ? 1 : 0)) {
    throw new StatisticInputInvalidError(
      `${name}.trials`,
      trials,
      positiveTrials ? 'a positive integer' : 'a non-negative integer',
    )
  }
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new StatisticInputInvalidError(
      `${name}.successes`,
      successes,
      `an integer between 0 and trials (${trials})`,
    )
  }
}
