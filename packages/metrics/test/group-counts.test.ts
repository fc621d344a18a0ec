import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  addPrediction,
  assertValidCounts,
  CountsInvalidError,
  emptyCounts,
  mergeCounts,
  PredictionInvalidError,
  type CountedPrediction,
  type GroupCounts,
} from '@fairwatch/metrics'

function countAll(predictions: readonly CountedPrediction[]): GroupCounts {
  const counts = emptyCounts()
  for (const prediction of predictions) addPrediction(counts, prediction)
  return counts
}

// Scores are multiples of 1/1024 so that sums are exact in binary and merged sums compare equal.
const prediction = fc.record({
  decision: fc.constantFrom(0 as const, 1 as const),
  outcome: fc.constantFrom(0 as const, 1 as const, null),
  score: fc.option(
    fc.integer({ min: 0, max: 1024 }).map((k) => k / 1024),
    { nil: null },
  ),
})

describe('addPrediction', () => {
  it('counts each decision and outcome into its confusion cell and keeps score sums', () => {
    const events: CountedPrediction[] = [
      { decision: 1, outcome: 1, score: 0.9 },
      { decision: 1, outcome: 0, score: 0.7 },
      { decision: 0, outcome: 0, score: 0.2 },
      { decision: 0, outcome: 1, score: null },
      { decision: 1, outcome: null, score: 0.6 },
      { decision: 0, outcome: null, score: null },
    ]

    const counts = countAll(events)

    expect(counts).toEqual({
      predictions: 6,
      selected: 3,
      labelled: 4,
      tp: 1,
      fp: 1,
      tn: 1,
      fn: 1,
      scored: 4,
      scoreSum: 0.9 + 0.7 + 0.2 + 0.6,
      labelledScored: 3,
      labelledScoreSum: 0.9 + 0.7 + 0.2,
      labelledScoredPositives: 1,
    })
  })

  it.each([
    ['decision', { decision: 2, outcome: 1, score: null }],
    ['outcome', { decision: 1, outcome: 0.5, score: null }],
    ['score', { decision: 1, outcome: 1, score: Number.NaN }],
    ['score', { decision: 0, outcome: null, score: Number.POSITIVE_INFINITY }],
  ])('refuses a prediction with an invalid %s and leaves the counts unchanged', (field, bad) => {
    const counts = countAll([{ decision: 1, outcome: 1, score: 0.5 }])
    const before = { ...counts }

    const act = () => addPrediction(counts, bad as unknown as CountedPrediction)

    expect(act).toThrow(PredictionInvalidError)
    expect(act).toThrow(expect.objectContaining({ code: 'FW_METRICS_PREDICTION_INVALID', field }))
    expect(counts).toEqual(before)
  })
})

describe('mergeCounts', () => {
  it('merging the counts of any partition of the events equals counting all of them', () => {
    fc.assert(
      fc.property(
        fc.array(prediction, { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (events, cutSeeds) => {
          const cuts = [...new Set(cutSeeds.map((seed) => seed % (events.length + 1)))].sort(
            (a, b) => a - b,
          )
          const bounds = [0, ...cuts, events.length]
          const parts = bounds.slice(1).map((end, i) => events.slice(bounds[i], end))

          const merged = parts.map(countAll).reduce(mergeCounts, emptyCounts())

          expect(merged).toEqual(countAll(events))
        },
      ),
    )
  })

  it('is associative and commutative', () => {
    const counts = fc.array(prediction, { maxLength: 50 }).map(countAll)
    fc.assert(
      fc.property(counts, counts, counts, (a, b, c) => {
        const left = mergeCounts(mergeCounts(a, b), c)

        const right = mergeCounts(a, mergeCounts(b, c))

        expect(left).toEqual(right)
        expect(mergeCounts(a, b)).toEqual(mergeCounts(b, a))
      }),
    )
  })

  it('leaves both arguments unchanged', () => {
    const a = countAll([{ decision: 1, outcome: 1, score: 0.5 }])
    const b = countAll([{ decision: 0, outcome: null, score: null }])
    const aBefore = { ...a }
    const bBefore = { ...b }

    mergeCounts(a, b)

    expect(a).toEqual(aBefore)
    expect(b).toEqual(bBefore)
  })
})

describe('assertValidCounts', () => {
  it('accepts any counts produced by counting predictions', () => {
    fc.assert(
      fc.property(fc.array(prediction, { maxLength: 100 }), (events) => {
        expect(() => assertValidCounts('sex', 'F', countAll(events))).not.toThrow()
      }),
    )
  })

  it.each([
    ['predictions', { predictions: -1 }],
    ['tp', { tp: 1.5 }],
    ['scoreSum', { scoreSum: Number.NaN }],
    ['labelled', { labelled: 3 }],
    ['selected', { selected: 0 }],
    ['labelledScoredPositives', { labelledScoredPositives: 2 }],
  ])('names %s when it is impossible', (field, change) => {
    const counts = {
      ...countAll([
        { decision: 1, outcome: 1, score: 0.5 },
        { decision: 0, outcome: 0, score: 0.25 },
      ]),
      ...change,
    }

    const act = () => assertValidCounts('sex', 'F', counts)

    expect(act).toThrow(CountsInvalidError)
    expect(act).toThrow(
      expect.objectContaining({
        code: 'FW_METRICS_COUNTS_INVALID',
        attribute: 'sex',
        group: 'F',
        field,
      }),
    )
  })
})
