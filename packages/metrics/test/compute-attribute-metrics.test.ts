import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  computeAttributeMetrics,
  CountsInvalidError,
  emptyCounts,
  GroupReservedError,
  MISSING_GROUP,
  OptionsInvalidError,
  type GroupCounts,
  type MetricName,
  type MetricRow,
  type MetricScope,
} from '@fairwatch/metrics'

/** Counts of fully labelled, unscored predictions with the given confusion cells. */
function confusion(tp: number, fp: number, tn: number, fn: number): GroupCounts {
  return {
    ...emptyCounts(),
    predictions: tp + fp + tn + fn,
    selected: tp + fp,
    labelled: tp + fp + tn + fn,
    tp,
    fp,
    tn,
    fn,
  }
}

function find(
  rows: readonly MetricRow[],
  scope: MetricScope,
  metric: MetricName,
  group: string | null = null,
): MetricRow {
  const matches = rows.filter((r) => r.scope === scope && r.metric === metric && r.group === group)
  expect(matches).toHaveLength(1)
  return matches[0] as MetricRow
}

// A: SR 50/100, TPR 40/50, FPR 10/50.  B: SR 20/80, TPR 15/30, FPR 5/50.
// C: SR 6/10, TPR 3/5, FPR 3/5 (below the default minimum sample of 30).
const A = confusion(40, 10, 40, 10)
const B = confusion(15, 5, 45, 15)
const C = confusion(3, 3, 2, 2)
const threeGroups = () =>
  new Map([
    ['B', B],
    ['C', C],
    ['A', A],
  ])

describe('computeAttributeMetrics: per-group rows', () => {
  it('reports every rate of every group, in label order, with the group as sample size', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    const groupRows = rows.filter((r) => r.scope === 'group')
    expect(groupRows).toHaveLength(3 * 12)
    expect([...new Set(groupRows.map((r) => r.group))]).toEqual(['A', 'B', 'C'])
    expect(find(rows, 'group', 'selection_rate', 'A')).toMatchObject({
      attribute: 'race',
      value: 0.5,
      numerator: 50,
      denominator: 100,
      sampleSize: 100,
      insufficientEvidence: false,
      reason: null,
      pValue: null,
      referenceGroup: null,
    })
  })

  it('flags rates of a group below the minimum sample without hiding the value', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    // C's FPR rests on its 5 labelled negatives, not on its 10 predictions.
    expect(find(rows, 'group', 'fpr', 'C')).toMatchObject({
      value: 0.6,
      sampleSize: 5,
      insufficientEvidence: true,
      reason: 'insufficient_evidence',
    })
  })

  it('honours a smaller minimum sample', () => {
    const rows = computeAttributeMetrics({
      attribute: 'race',
      groups: threeGroups(),
      options: { minSample: 5 },
    })

    expect(find(rows, 'group', 'fpr', 'C')).toMatchObject({
      insufficientEvidence: false,
      reason: null,
    })
  })

  it('narrows every interval at a lower confidence', () => {
    const wide = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    const narrow = computeAttributeMetrics({
      attribute: 'race',
      groups: threeGroups(),
      options: { confidence: 0.8 },
    })

    const width = (r: MetricRow) => (r.ciHigh as number) - (r.ciLow as number)
    expect(width(find(narrow, 'group', 'tpr', 'B'))).toBeLessThan(
      width(find(wide, 'group', 'tpr', 'B')),
    )
    expect(width(find(narrow, 'vs_reference', 'tpr_ratio', 'B'))).toBeLessThan(
      width(find(wide, 'vs_reference', 'tpr_ratio', 'B')),
    )
  })
})

describe('computeAttributeMetrics: across-group rows', () => {
  it('computes the between-groups differences and ratios from the extreme groups', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    // Selection rates .5 .25 .6; TPR .8 .5 .6; FPR .2 .1 .6.
    // Sample sizes: C's 10 predictions for parity, C's 5 labelled positives (or negatives) else.
    const expected: [MetricName, number, number, number, number][] = [
      ['demographic_parity_difference', 0.35, 0.6, 0.25, 10],
      ['demographic_parity_ratio', 0.25 / 0.6, 0.25, 0.6, 10],
      ['equal_opportunity_difference', 0.3, 0.8, 0.5, 5],
      ['equalized_odds_difference', 0.5, 0.6, 0.1, 5],
      ['equalized_odds_ratio', 0.1 / 0.6, 0.1, 0.6, 5],
    ]
    for (const [metric, value, numerator, denominator, sampleSize] of expected) {
      const row = find(rows, 'across_groups', metric)
      expect(row.value, metric).toBeCloseTo(value, 14)
      expect(row.numerator, metric).toBeCloseTo(numerator, 14)
      expect(row.denominator, metric).toBeCloseTo(denominator, 14)
      expect(row, metric).toMatchObject({
        group: null,
        ciLow: null,
        ciHigh: null,
        pValue: null,
        referenceGroup: null,
        sampleSize,
        insufficientEvidence: true,
        reason: 'insufficient_evidence',
      })
    }
  })

  it('lets the TPR gap decide equalized odds when it is the larger', () => {
    // A: TPR 40/50 = .8, FPR 10/50 = .2; D: TPR 10/50 = .2, FPR 15/50 = .3.
    const groups = new Map([
      ['A', A],
      ['D', confusion(10, 15, 35, 40)],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    expect(find(rows, 'across_groups', 'equalized_odds_difference')).toMatchObject({
      value: expect.closeTo(0.6, 14),
      numerator: 0.8,
      denominator: 0.2,
    })
    expect(find(rows, 'across_groups', 'equalized_odds_ratio')).toMatchObject({
      value: expect.closeTo(0.25, 14),
      numerator: 0.2,
      denominator: 0.8,
    })
  })

  it('leaves groups with an undefined rate out of that comparison only', () => {
    // E has no positive outcomes, so its TPR is undefined; its selection rate 0/40 still counts.
    const groups = new Map([
      ['A', A],
      ['E', confusion(0, 0, 40, 0)],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    expect(find(rows, 'across_groups', 'demographic_parity_difference').value).toBe(0.5)
    // Equal opportunity rests on A's 50 labelled positives alone; equalized odds also takes in E,
    // through its FPR, and E has no labelled positive at all.
    const expected = [
      ['equal_opportunity_difference', 50],
      ['equalized_odds_difference', 0],
      ['equalized_odds_ratio', 0],
    ] as const
    for (const [metric, sampleSize] of expected) {
      expect(find(rows, 'across_groups', metric)).toMatchObject({
        value: null,
        numerator: null,
        denominator: null,
        reason: 'fewer_than_two_groups',
        sampleSize,
      })
    }
  })

  it('gives no ratio when every group has a rate of 0', () => {
    const groups = new Map([
      ['A', confusion(0, 0, 40, 10)],
      ['B', confusion(0, 0, 30, 20)],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    expect(find(rows, 'across_groups', 'demographic_parity_difference')).toMatchObject({
      value: 0,
      reason: null,
    })
    expect(find(rows, 'across_groups', 'demographic_parity_ratio')).toMatchObject({
      value: null,
      reason: 'zero_denominator',
    })
  })

  it('reports fewer than two groups for a single group and no comparisons', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: new Map([['A', A]]) })

    const across = rows.filter((r) => r.scope === 'across_groups')
    expect(across).toHaveLength(5)
    for (const row of across) {
      // 100 predictions behind parity; 50 labelled positives (and negatives) behind the rest.
      const sampleSize = row.metric.startsWith('demographic_parity') ? 100 : 50
      expect(row).toMatchObject({ value: null, reason: 'fewer_than_two_groups', sampleSize })
    }
    expect(rows.filter((r) => r.scope === 'vs_reference')).toEqual([])
  })

  it('reports nothing but nulls with reasons when every group is empty', () => {
    const groups = new Map([
      ['A', emptyCounts()],
      ['B', emptyCounts()],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    for (const row of rows) {
      expect(row.value).toBeNull()
      expect(row.insufficientEvidence).toBe(true)
    }
    expect(
      rows.filter((r) => r.scope === 'group').every((r) => r.reason === 'zero_denominator'),
    ).toBe(true)
    expect(
      rows.filter((r) => r.scope === 'across_groups').map((r) => [r.reason, r.sampleSize]),
    ).toEqual(Array.from({ length: 5 }, () => ['fewer_than_two_groups', 0]))
    expect(rows.filter((r) => r.scope === 'vs_reference').map((r) => r.reason)).toEqual(
      Array.from({ length: 8 }, () => 'zero_denominator'),
    )
  })

  it('reports only across-group rows, on zero predictions, for an attribute without groups', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: new Map() })

    expect(rows.map((r) => [r.scope, r.reason, r.sampleSize])).toEqual(
      Array.from({ length: 5 }, () => ['across_groups', 'fewer_than_two_groups', 0]),
    )
  })
})

describe('computeAttributeMetrics: the missing-attribute counts', () => {
  // 500 predictions lacking the attribute, none selected: included anywhere, they would widen the
  // demographic parity gap to .6 and become the default reference.
  const missing = confusion(0, 0, 300, 200)

  it('reports them as their own rows', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups(), missing })

    const missingRows = rows.filter((r) => r.scope === 'missing')
    expect(missingRows).toHaveLength(12)
    expect(find(rows, 'missing', 'selection_rate', MISSING_GROUP)).toMatchObject({
      value: 0,
      denominator: 500,
      sampleSize: 500,
    })
  })

  it('keeps them out of the across-group and reference comparisons', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups(), missing })

    expect(find(rows, 'across_groups', 'demographic_parity_difference').value).toBeCloseTo(0.35, 14)
    const compared = rows.filter((r) => r.scope === 'vs_reference')
    expect(new Set(compared.map((r) => r.referenceGroup))).toEqual(new Set(['A']))
    expect(new Set(compared.map((r) => r.group))).toEqual(new Set(['B', 'C']))
  })
})

describe('computeAttributeMetrics: comparisons with the reference group', () => {
  it('defaults the reference to the group with the most predictions', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    const compared = rows.filter((r) => r.scope === 'vs_reference')
    expect(compared).toHaveLength(2 * 8)
    expect(compared.every((r) => r.referenceGroup === 'A')).toBe(true)
  })

  it('breaks a tie for the default reference by label order', () => {
    const groups = new Map([
      ['beta', confusion(10, 10, 20, 10)],
      ['alpha', confusion(20, 5, 20, 5)],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    expect(
      rows.filter((r) => r.scope === 'vs_reference').map((r) => [r.group, r.referenceGroup]),
    ).toEqual(Array.from({ length: 8 }, () => ['beta', 'alpha']))
  })

  it('compares selection rates with a z test, a Katz interval and a Newcombe interval', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    // B 20/80 against A 50/100, worked by hand: pooled z = −3.4188, p = 0.000629.
    const pValue = 0.0006289394206546053
    expect(find(rows, 'vs_reference', 'disparate_impact', 'B')).toMatchObject({
      value: 0.5,
      numerator: 0.25,
      denominator: 0.5,
      ciLow: expect.closeTo(0.3261781978976463, 12),
      ciHigh: expect.closeTo(0.766452208060973, 12),
      pValue: expect.closeTo(pValue, 14),
      referenceGroup: 'A',
      sampleSize: 80,
      insufficientEvidence: false,
      reason: null,
    })
    expect(find(rows, 'vs_reference', 'statistical_parity_difference', 'B')).toMatchObject({
      value: -0.25,
      ciLow: expect.closeTo(-0.37634143496486716, 12),
      ciHigh: expect.closeTo(-0.1077283769022532, 12),
      pValue: expect.closeTo(pValue, 14),
    })
  })

  it('compares TPR, FPR and FNR, sharing one test between a difference and its ratio', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    // TPR 15/30 vs 40/50: p = 0.005069; FPR 5/50 vs 10/50: p = 0.1614 (pooled z tests by hand).
    const tprP = 0.005069309556701599
    const fprP = 0.16142946236708328
    const expected: [MetricName, number, number][] = [
      ['tpr_difference', -0.3, tprP],
      ['tpr_ratio', 0.625, tprP],
      ['fpr_difference', -0.1, fprP],
      ['fpr_ratio', 0.5, fprP],
      ['fnr_difference', 0.3, tprP],
      ['fnr_ratio', 2.5, tprP],
    ]
    for (const [metric, value, p] of expected) {
      const row = find(rows, 'vs_reference', metric, 'B')
      expect(row.value, metric).toBeCloseTo(value, 14)
      expect(row.pValue, metric).toBeCloseTo(p, 12)
      expect(row.ciLow as number, metric).toBeLessThan(value)
      expect(row.ciHigh as number, metric).toBeGreaterThan(value)
    }
  })

  it("uses Fisher's exact test for a small group and flags the comparison", () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: threeGroups() })

    // C 6/10 against A 50/100: expected failures in C are 10·54/110 = 4.9 < 5. Two-sided
    // Fisher p worked with exact binomial coefficients: 0.74241.
    expect(find(rows, 'vs_reference', 'disparate_impact', 'C')).toMatchObject({
      value: expect.closeTo(1.2, 14),
      pValue: expect.closeTo(0.7424133246837685, 12),
      sampleSize: 10,
      insufficientEvidence: true,
      reason: 'insufficient_evidence',
    })
  })

  it('compares with a requested reference group', () => {
    const rows = computeAttributeMetrics({
      attribute: 'race',
      groups: threeGroups(),
      options: { referenceGroup: 'B' },
    })

    const compared = rows.filter((r) => r.scope === 'vs_reference')
    expect(new Set(compared.map((r) => r.group))).toEqual(new Set(['A', 'C']))
    expect(find(rows, 'vs_reference', 'disparate_impact', 'A')).toMatchObject({
      value: 2,
      referenceGroup: 'B',
    })
  })

  it('reports every comparison as reference_group_missing when the requested one is absent', () => {
    const rows = computeAttributeMetrics({
      attribute: 'race',
      groups: threeGroups(),
      options: { referenceGroup: 'Z' },
    })

    const compared = rows.filter((r) => r.scope === 'vs_reference')
    expect(compared).toHaveLength(3 * 8)
    for (const row of compared) {
      expect(row).toMatchObject({
        value: null,
        pValue: null,
        ciLow: null,
        referenceGroup: 'Z',
        reason: 'reference_group_missing',
      })
    }
  })

  it('gives no ratio over a reference rate of 0 but still the difference and its test', () => {
    const groups = new Map([
      ['A', confusion(0, 0, 50, 50)],
      ['B', confusion(10, 10, 20, 10)],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    expect(find(rows, 'vs_reference', 'disparate_impact', 'B')).toMatchObject({
      value: null,
      numerator: 0.4,
      denominator: 0,
      pValue: null,
      reason: 'zero_denominator',
    })
    const difference = find(rows, 'vs_reference', 'statistical_parity_difference', 'B')
    expect(difference).toMatchObject({ value: 0.4, reason: null })
    expect(difference.pValue as number).toBeLessThan(1e-6)
  })

  it('reports a ratio of 0 without a Katz interval when the group rate is 0', () => {
    const groups = new Map([
      ['A', confusion(20, 10, 50, 20)],
      ['B', confusion(0, 0, 20, 30)],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    expect(find(rows, 'vs_reference', 'disparate_impact', 'B')).toMatchObject({
      value: 0,
      ciLow: null,
      ciHigh: null,
      reason: null,
    })
  })

  it('reports a rate undefined in either group as zero_denominator', () => {
    const groups = new Map([
      ['A', A],
      ['E', confusion(0, 0, 40, 0)],
    ])

    const rows = computeAttributeMetrics({ attribute: 'race', groups })

    expect(find(rows, 'vs_reference', 'tpr_ratio', 'E')).toMatchObject({
      value: null,
      numerator: null,
      denominator: 0.8,
      ciLow: null,
      pValue: null,
      reason: 'zero_denominator',
    })
  })
})

describe('computeAttributeMetrics: input checks', () => {
  it('refuses a group labelled with the reserved missing label', () => {
    const act = () =>
      computeAttributeMetrics({ attribute: 'race', groups: new Map([[MISSING_GROUP, A]]) })

    expect(act).toThrow(GroupReservedError)
  })

  it('names the attribute and group of impossible counts', () => {
    const act = () =>
      computeAttributeMetrics({
        attribute: 'race',
        groups: new Map([['A', { ...A, tp: -1 }]]),
      })

    expect(act).toThrow(CountsInvalidError)
    expect(act).toThrow(expect.objectContaining({ attribute: 'race', group: 'A', field: 'tp' }))
  })

  it('checks the missing counts too', () => {
    const act = () =>
      computeAttributeMetrics({
        attribute: 'race',
        groups: threeGroups(),
        missing: { ...A, selected: 101 },
      })

    expect(act).toThrow(expect.objectContaining({ group: MISSING_GROUP, field: 'selected' }))
  })

  it.each([
    ['confidence', { confidence: 1 }],
    ['confidence', { confidence: Number.NaN }],
    ['minSample', { minSample: -1 }],
    ['minSample', { minSample: 2.5 }],
  ])('refuses an invalid %s', (option, options) => {
    const act = () => computeAttributeMetrics({ attribute: 'race', groups: threeGroups(), options })

    expect(act).toThrow(OptionsInvalidError)
    expect(act).toThrow(expect.objectContaining({ code: 'FW_METRICS_OPTIONS_INVALID', option }))
  })
})

describe('computeAttributeMetrics: any valid counts', () => {
  const cell = fc.nat({ max: 40 })
  const counts = fc
    .tuple(cell, cell, cell, cell)
    .map(([tp, fp, tn, fn]) => confusion(tp, fp, tn, fn))

  it('never yield NaN or infinity, and every interval holds its value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), counts), (byLabel) => {
        const rows = computeAttributeMetrics({
          attribute: 'x',
          groups: new Map(Object.entries(byLabel)),
        })

        for (const row of rows) {
          for (const field of ['value', 'numerator', 'denominator', 'ciLow', 'ciHigh'] as const) {
            const v = row[field]
            expect(v === null || Number.isFinite(v), `${row.metric} ${field}`).toBe(true)
          }
          if (row.pValue !== null) {
            expect(row.pValue).toBeGreaterThanOrEqual(0)
            expect(row.pValue).toBeLessThanOrEqual(1 + 1e-12)
          }
          if (row.value === null) expect(row.reason).not.toBeNull()
          if (row.value !== null && row.ciLow !== null && row.ciHigh !== null) {
            expect(row.ciLow).toBeLessThanOrEqual(row.value + 1e-12)
            expect(row.ciHigh).toBeGreaterThanOrEqual(row.value - 1e-12)
          }
        }
      }),
    )
  })
})
