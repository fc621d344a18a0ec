import { twoSidedCriticalValue } from '../statistics/normal-distribution'
import type { Proportion } from '../statistics/proportion'
import { wilsonInterval } from '../statistics/wilson-interval'
import type { GroupCounts, GroupMetricName } from '../types'

/** The per-group rates that are proportions of counts (every rate but the two score means). */
export type ProportionRateName = Exclude<GroupMetricName, 'mean_score' | 'calibration_gap'>

/** One per-group rate. */
export interface RateEstimate {
  /** numerator / denominator, or null when the denominator is 0. */
  value: number | null
  numerator: number
  denominator: number
  /** Interval bounds: Wilson for proportions, null for the score means and when value is null. */
  ciLow: number | null
  ciHigh: number | null
}

/** Every per-group rate of one group, by name. */
export type GroupRates = Record<GroupMetricName, RateEstimate>

/** The proportion (successes of trials) behind a rate, e.g. tpr = tp of tp + fn. */
export function rateProportion(counts: GroupCounts, rate: ProportionRateName): Proportion {
  const c = counts
  switch (rate) {
    case 'selection_rate':
      return { successes: c.selected, trials: c.predictions }
    case 'base_rate':
      return { successes: c.tp + c.fn, trials: c.labelled }
    case 'tpr':
      return { successes: c.tp, trials: c.tp + c.fn }
    case 'fnr':
      return { successes: c.fn, trials: c.tp + c.fn }
    case 'fpr':
      return { successes: c.fp, trials: c.fp + c.tn }
    case 'tnr':
      return { successes: c.tn, trials: c.fp + c.tn }
    case 'ppv':
      return { successes: c.tp, trials: c.tp + c.fp }
    case 'npv':
      return { successes: c.tn, trials: c.tn + c.fn }
    case 'accuracy':
      return { successes: c.tp + c.tn, trials: c.labelled }
    case 'label_coverage':
      return { successes: c.labelled, trials: c.predictions }
  }
}

/**
 * Every per-group rate of one group's counts, each with numerator, denominator and interval:
 * - selection_rate = selected / predictions (every prediction, labelled or not);
 * - base_rate = (tp + fn) / labelled; accuracy = (tp + tn) / labelled;
 * - tpr = tp / (tp + fn), fnr = fn / (tp + fn), fpr = fp / (fp + tn), tnr = tn / (fp + tn);
 * - ppv = tp / (tp + fp), npv = tn / (tn + fn); label_coverage = labelled / predictions;
 * - mean_score = scoreSum / scored;
 * - calibration_gap = labelledScoreSum / labelledScored − labelledScoredPositives /
 *   labelledScored (mean score minus observed positive rate over labelled, scored predictions;
 *   positive means over-prediction). Reported with numerator labelledScoreSum −
 *   labelledScoredPositives and denominator labelledScored.
 * Proportions carry a Wilson score interval. The two score means carry no interval: the counts do
 * not hold the sum of squared scores that a variance needs. A zero denominator gives value null.
 * Counts are not validated here; computeAttributeMetrics does that.
 *
 * @param confidence two-sided confidence level of the intervals, default 0.95.
 * @throws StatisticInputInvalidError on a confidence outside (0, 1).
 */
export function computeGroupRates(counts: GroupCounts, confidence = 0.95): GroupRates {
  twoSidedCriticalValue(confidence)
  const proportionRate = (rate: ProportionRateName): RateEstimate => {
    const proportion = rateProportion(counts, rate)
    const interval = wilsonInterval(proportion, confidence)
    return {
      value: proportion.trials === 0 ? null : proportion.successes / proportion.trials,
      numerator: proportion.successes,
      denominator: proportion.trials,
      ciLow: interval?.low ?? null,
      ciHigh: interval?.high ?? null,
    }
  }
  const mean = (numerator: number, denominator: number): RateEstimate => ({
    value: denominator === 0 ? null : numerator / denominator,
    numerator,
    denominator,
    ciLow: null,
    ciHigh: null,
  })
  return {
    selection_rate: proportionRate('selection_rate'),
    base_rate: proportionRate('base_rate'),
    tpr: proportionRate('tpr'),
    fpr: proportionRate('fpr'),
    tnr: proportionRate('tnr'),
    fnr: proportionRate('fnr'),
    ppv: proportionRate('ppv'),
    npv: proportionRate('npv'),
    accuracy: proportionRate('accuracy'),
    mean_score: mean(counts.scoreSum, counts.scored),
    calibration_gap: mean(
      counts.labelledScoreSum - counts.labelledScoredPositives,
      counts.labelledScored,
    ),
    label_coverage: proportionRate('label_coverage'),
  }
}
