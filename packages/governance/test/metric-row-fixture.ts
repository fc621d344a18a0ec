import type { MetricRow } from '@fairwatch/metrics'
import { parsePolicy } from '../src/policy/parse-policy'
import type { LoadedPolicy } from '../src/policy/policy-types'

/** A vs_reference disparate_impact row with enough evidence; override what a test is about. */
export function metricRow(overrides: Partial<MetricRow> = {}): MetricRow {
  return {
    attribute: 'sex',
    group: 'female',
    scope: 'vs_reference',
    metric: 'disparate_impact',
    value: 1,
    numerator: 50,
    denominator: 100,
    ciLow: 0.9,
    ciHigh: 1.1,
    pValue: 0.5,
    referenceGroup: 'male',
    sampleSize: 200,
    insufficientEvidence: false,
    reason: null,
    ...overrides,
  }
}

/** A policy from YAML text, failing the test on a validation error. */
export function policyFrom(yaml: string): LoadedPolicy {
  return parsePolicy(yaml, 'test.yaml')
}

export const window = {
  modelId: 'credit',
  windowStart: new Date('2025-03-01T00:00:00Z'),
  windowEnd: new Date('2025-03-02T00:00:00Z'),
  windowSize: '1d',
  labelCoverage: 0.6,
}
