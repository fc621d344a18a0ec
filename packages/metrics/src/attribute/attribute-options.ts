import { OptionsInvalidError } from '../errors'

/** Options of computeAttributeMetrics. */
export interface AttributeMetricsOptions {
  /**
   * Fewest predictions a group needs for its rows to count as evidence; rows resting on a smaller
   * group are flagged insufficientEvidence. Default 30.
   */
  minSample?: number
  /**
   * Group every other group is compared with. Default: the group with the most predictions, ties
   * broken by label order.
   */
  referenceGroup?: string
  /** Two-sided confidence level of every interval. Default 0.95. */
  confidence?: number
}

/** Options with their defaults applied. */
export interface ResolvedAttributeMetricsOptions {
  minSample: number
  referenceGroup: string | null
  confidence: number
}

/** Default of AttributeMetricsOptions.minSample. */
export const DEFAULT_MIN_SAMPLE = 30
/** Default of AttributeMetricsOptions.confidence. */
export const DEFAULT_CONFIDENCE = 0.95

/**
 * Applies defaults and checks the options.
 *
 * @throws OptionsInvalidError when minSample is not a non-negative integer, confidence is not
 *   strictly between 0 and 1, or referenceGroup is not a string.
 */
export function resolveAttributeMetricsOptions(
  options: AttributeMetricsOptions | undefined,
): ResolvedAttributeMetricsOptions {
  const minSample = options?.minSample ?? DEFAULT_MIN_SAMPLE
  const confidence = options?.confidence ?? DEFAULT_CONFIDENCE
  const referenceGroup = options?.referenceGroup ?? null
  if (typeof minSample !== 'number' || !Number.isInteger(minSample) || minSample < 0) {
    throw new OptionsInvalidError('minSample', minSample, 'a non-negative integer')
  }
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new OptionsInvalidError('confidence', confidence, 'a number strictly between 0 and 1')
  }
  if (referenceGroup !== null && typeof referenceGroup !== 'string') {
    throw new OptionsInvalidError('referenceGroup', referenceGroup, 'a group label')
  }
  return { minSample, referenceGroup, confidence }
}
