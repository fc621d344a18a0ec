import { PredictionInvalidError } from '../errors'
import type { GroupCounts } from '../types'

/** What one prediction contributes to its group's counts. */
export interface CountedPrediction {
  /** The model's decision: 1 is the favourable-or-flagged (positive) decision. */
  decision: 0 | 1
  /** The observed outcome, or null while it has not arrived. */
  outcome: 0 | 1 | null
  /** The model's score, or null when the model gives none. */
  score: number | null
}

/** Counts of a group that has seen nothing yet. Returns a new object each call. */
export function emptyCounts(): GroupCounts {
  return {
    predictions: 0,
    selected: 0,
    labelled: 0,
    tp: 0,
    fp: 0,
    tn: 0,
    fn: 0,
    scored: 0,
    scoreSum: 0,
    labelledScored: 0,
    labelledScoreSum: 0,
    labelledScoredPositives: 0,
  }
}

/**
 * The counts of the union of two disjoint sets of predictions: field-wise sums. Neither argument
 * is changed. Merging is associative and commutative, so partial aggregates from workers, batches
 * or windows combine in any order.
 */
export function mergeCounts(a: GroupCounts, b: GroupCounts): GroupCounts {
  return {
    predictions: a.predictions + b.predictions,
    selected: a.selected + b.selected,
    labelled: a.labelled + b.labelled,
    tp: a.tp + b.tp,
    fp: a.fp + b.fp,
    tn: a.tn + b.tn,
    fn: a.fn + b.fn,
    scored: a.scored + b.scored,
    scoreSum: a.scoreSum + b.scoreSum,
    labelledScored: a.labelledScored + b.labelledScored,
    labelledScoreSum: a.labelledScoreSum + b.labelledScoreSum,
    labelledScoredPositives: a.labelledScoredPositives + b.labelledScoredPositives,
  }
}

/**
 * Counts one prediction into `counts`, changing it in place (this runs once per event, so it
 * allocates nothing).
 *
 * @throws PredictionInvalidError when decision is not 0 or 1, outcome is not 0, 1 or null, or
 *   score is neither null nor a finite number; `counts` is left unchanged.
 */
export function addPrediction(counts: GroupCounts, prediction: CountedPrediction): void {
  const { decision, outcome, score } = prediction
  if (decision !== 0 && decision !== 1) {
    throw new PredictionInvalidError('decision', decision, '0 or 1')
  }
  if (outcome !== 0 && outcome !== 1 && outcome !== null) {
    throw new PredictionInvalidError('outcome', outcome, '0, 1 or null')
  }
  if (score !== null && !Number.isFinite(score)) {
    throw new PredictionInvalidError('score', score, 'a finite number or null')
  }

  counts.predictions += 1
  counts.selected += decision
  if (score !== null) {
    counts.scored += 1
    counts.scoreSum += score
  }
  if (outcome === null) return

  counts.labelled += 1
  if (decision === 1) {
    if (outcome === 1) counts.tp += 1
    else counts.fp += 1
  } else if (outcome === 1) counts.fn += 1
  else counts.tn += 1
  if (score !== null) {
    counts.labelledScored += 1
    counts.labelledScoreSum += score
    counts.labelledScoredPositives += outcome
  }
}
