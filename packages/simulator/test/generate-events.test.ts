import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { parseEvent } from '@fairwatch/contract'
import type { FairnessEvent, OutcomeEvent, PredictionEvent } from '@fairwatch/contract'
import {
  DEFAULT_DRIFT,
  DEFAULT_FAULTS,
  DEFAULT_OUTCOMES,
  SimulationOptionsInvalidError,
  generateEvents,
} from '@fairwatch/simulator'

const DAY_MS = 86_400_000
const START = '2025-03-03T00:00:00Z'
const START_MS = Date.parse(START)

// About 78 simulated days at the default 2400 applications a day: long enough for the drift to
// grow fully and for the first weeks' outcomes to have all arrived.
const events = [...generateEvents({ seed: 2024, start: START, count: 300_000 })]
const lastTime = Date.parse(events.at(-1)!.timestamp)

const predictions = new Map<string, PredictionEvent>()
const outcomesByPrediction = new Map<string, OutcomeEvent[]>()
const seenEventIds = new Set<string>()
let duplicates = 0
for (const event of events) {
  if (seenEventIds.has(event.event_id)) {
    duplicates += 1
    continue
  }
  seenEventIds.add(event.event_id)
  if (event.kind === 'prediction') predictions.set(event.prediction_id, event)
  else
    outcomesByPrediction.set(event.prediction_id, [
      ...(outcomesByPrediction.get(event.prediction_id) ?? []),
      event,
    ])
}

function dayOf(event: FairnessEvent): number {
  return (Date.parse(event.timestamp) - START_MS) / DAY_MS
}

/** Approval rate per group of an attribute, over predictions decided within [fromDay, toDay). */
function approvalRates(attribute: string, fromDay: number, toDay: number) {
  const rates = new Map<string, { n: number; approved: number }>()
  for (const prediction of predictions.values()) {
    const day = dayOf(prediction)
    const group = prediction.attributes[attribute]
    if (day < fromDay || day >= toDay || group === undefined) continue
    const rate = rates.get(group) ?? { n: 0, approved: 0 }
    rate.n += 1
    rate.approved += prediction.prediction
    rates.set(group, rate)
  }
  return rates
}

/** True positive rate per group: approved among those whose last outcome says they repaid. */
function truePositiveRates(attribute: string, fromDay: number, toDay: number) {
  const rates = new Map<string, { n: number; approved: number }>()
  for (const [predictionId, outcomes] of outcomesByPrediction) {
    const prediction = predictions.get(predictionId)
    const final = outcomes.at(-1)
    if (prediction === undefined || final === undefined || final.outcome !== 1) continue
    const day = dayOf(prediction)
    const group = prediction.attributes[attribute]
    if (day < fromDay || day >= toDay || group === undefined) continue
    const rate = rates.get(group) ?? { n: 0, approved: 0 }
    rate.n += 1
    rate.approved += prediction.prediction
    rates.set(group, rate)
  }
  return rates
}

function rate(counts: { n: number; approved: number } | undefined): number {
  if (counts === undefined || counts.n === 0) throw new Error('no predictions in the group')
  return counts.approved / counts.n
}

function highestOtherRate(rates: Map<string, { n: number; approved: number }>, group: string) {
  return Math.max(...[...rates].filter(([label]) => label !== group).map(([, c]) => rate(c)))
}

describe('generateEvents', () => {
  it('yields exactly the number of events asked for', () => {
    const few = [...generateEvents({ seed: 1, count: 1234 })]
    const none = [...generateEvents({ seed: 1, count: 0 })]

    expect(few).toHaveLength(1234)
    expect(none).toEqual([])
  })

  it('yields identical events for the same seed, and again when iterated a second time', () => {
    const iterable = generateEvents({ seed: 99, start: START, count: 20_000 })

    const first = [...iterable]
    const second = [...iterable]
    const fresh = [...generateEvents({ seed: 99, start: START, count: 20_000 })]

    expect(second).toEqual(first)
    expect(fresh).toEqual(first)
  })

  it('yields different events and identifiers for a different seed', () => {
    const a = [...generateEvents({ seed: 1, start: START, count: 1000 })]
    const b = [...generateEvents({ seed: 2, start: START, count: 1000 })]

    const scoresA = a.flatMap((e) => (e.kind === 'prediction' ? [e.score] : []))
    const scoresB = b.flatMap((e) => (e.kind === 'prediction' ? [e.score] : []))
    expect(scoresB).not.toEqual(scoresA)
    const idsA = new Set(a.map((e) => e.event_id))
    expect(b.some((e) => idsA.has(e.event_id))).toBe(false)
  })

  it('yields events in arrival order, each outcome after its prediction, for any options', () => {
    const options = fc.record({
      seed: fc.integer({ min: 0, max: 0xffffffff }),
      applicationsPerDay: fc.double({ min: 1, max: 1e6, noNaN: true }),
      faults: fc.record({
        duplicateShare: fc.double({ min: 0, max: 1, noNaN: true }),
        correctionShare: fc.double({ min: 0, max: 1, noNaN: true }),
        missingAttributeShare: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    })

    fc.assert(
      fc.property(options, (chosen) => {
        const decidedAt = new Map<string, number>()
        let previous = -Infinity
        for (const event of generateEvents({ ...chosen, start: START, count: 2000 })) {
          const time = Date.parse(event.timestamp)
          expect(time).toBeGreaterThanOrEqual(previous)
          previous = time
          if (event.kind === 'prediction') decidedAt.set(event.prediction_id, time)
          else expect(time).toBeGreaterThan(decidedAt.get(event.prediction_id) ?? Infinity)
        }
      }),
      { numRuns: 30 },
    )
  })

  it('yields only events the contract accepts, including every irregular one', () => {
    const sample = events.filter(
      (event, i) =>
        i % 50 === 0 ||
        event.event_id.includes('-c') ||
        (event.kind === 'prediction' && Object.keys(event.attributes).length < 3),
    )

    const rejected = sample.map((e) => parseEvent(JSON.stringify(e))).filter((r) => !r.ok)

    expect(sample.length).toBeGreaterThan(8000)
    expect(rejected).toEqual([])
  })

  it('keeps the model, version and score consistent with the decision', () => {
    const all = [...predictions.values()]

    expect(all.every((p) => p.model_id === 'credit-scoring' && p.model_version === '4.1.0')).toBe(
      true,
    )
    expect(all.every((p) => (p.score! >= 0.78 ? 1 : 0) === p.prediction)).toBe(true)
    const approved = all.filter((p) => p.prediction === 1).length / all.length
    expect(approved).toBeGreaterThan(0.45)
    expect(approved).toBeLessThan(0.7)
  })

  it('draws each group in its documented share', () => {
    const counts = new Map<string, number>()
    let withEthnicity = 0
    for (const prediction of predictions.values()) {
      const group = prediction.attributes.ethnicity
      if (group === undefined) continue
      withEthnicity += 1
      counts.set(group, (counts.get(group) ?? 0) + 1)
    }

    const shares = { white: 0.6, hispanic: 0.18, black: 0.12, asian: 0.07, other: 0.03 }
    for (const [group, share] of Object.entries(shares)) {
      const observed = (counts.get(group) ?? 0) / withEthnicity
      const standardError = Math.sqrt((share * (1 - share)) / withEthnicity)
      expect(Math.abs(observed - share)).toBeLessThan(5 * standardError)
    }
  })

  it('makes the drifting group fall under four fifths of the best approval rate after the drift', () => {
    const { attribute, group, startDay, rampDays } = DEFAULT_DRIFT
    const early = approvalRates(attribute, 0, startDay)
    const late = approvalRates(attribute, startDay + rampDays, 60)

    const earlyImpact = rate(early.get(group)) / highestOtherRate(early, group)
    const lateImpact = rate(late.get(group)) / highestOtherRate(late, group)

    expect(earlyImpact).toBeGreaterThan(0.8)
    expect(lateImpact).toBeLessThan(0.8)
  })

  it('opens an equal-opportunity gap for the drifting group only after the drift', () => {
    const { attribute, group, startDay, rampDays } = DEFAULT_DRIFT
    const early = truePositiveRates(attribute, 0, startDay)
    const late = truePositiveRates(attribute, startDay + rampDays, 40)

    const earlyGap = highestOtherRate(early, group) - rate(early.get(group))
    const lateGap = highestOtherRate(late, group) - rate(late.get(group))

    expect(earlyGap).toBeLessThan(0.08)
    expect(lateGap).toBeGreaterThan(0.12)
  })

  it('keeps the approval rates of the groups that do not drift steady', () => {
    const { attribute, group, startDay, rampDays } = DEFAULT_DRIFT
    const early = approvalRates(attribute, 0, startDay)
    const late = approvalRates(attribute, startDay + rampDays, 60)

    for (const [label, before] of early) {
      if (label === group) continue
      const after = late.get(label)!
      const p = rate(after)
      const standardError = Math.sqrt(p * (1 - p) * (1 / before.n + 1 / after.n))
      expect(Math.abs(rate(before) - p)).toBeLessThan(4 * standardError)
    }
  })

  it('sends the documented share of events twice with the same event_id', () => {
    const share = duplicates / seenEventIds.size

    expect(Math.abs(share - DEFAULT_FAULTS.duplicateShare)).toBeLessThan(
      0.2 * DEFAULT_FAULTS.duplicateShare,
    )
  })

  it('sends each duplicate identical and right after its original', () => {
    const pairs = events.flatMap((event, i) =>
      i > 0 && event.event_id === events[i - 1]!.event_id ? [[events[i - 1], event]] : [],
    )

    expect(pairs.length).toBe(duplicates)
    for (const [original, duplicate] of pairs) expect(duplicate).toEqual(original)
  })

  it('leaves one attribute out of the documented share of predictions', () => {
    const all = [...predictions.values()]
    const missing = all.filter((p) => Object.keys(p.attributes).length === 2).length

    const share = missing / all.length

    expect(all.every((p) => Object.keys(p.attributes).length >= 2)).toBe(true)
    expect(Math.abs(share - DEFAULT_FAULTS.missingAttributeShare)).toBeLessThan(
      0.2 * DEFAULT_FAULTS.missingAttributeShare,
    )
  })

  it('corrects the documented share of outcomes later, with the other label', () => {
    // Only outcomes whose correction, at most 14 days later, would have arrived in the stream.
    const settled = [...outcomesByPrediction.values()].filter(
      ([first]) => Date.parse(first!.timestamp) <= lastTime - 14 * DAY_MS,
    )
    const corrected = settled.filter((outcomes) => outcomes.length === 2)

    const share = corrected.length / settled.length

    expect(Math.abs(share - DEFAULT_FAULTS.correctionShare)).toBeLessThan(
      0.2 * DEFAULT_FAULTS.correctionShare,
    )
    expect(settled.every((outcomes) => outcomes.length <= 2)).toBe(true)
    for (const [first, correction] of corrected) {
      expect(correction!.outcome).toBe(1 - first!.outcome)
      const days = (Date.parse(correction!.timestamp) - Date.parse(first!.timestamp)) / DAY_MS
      expect(days).toBeGreaterThanOrEqual(1)
      expect(days).toBeLessThanOrEqual(14)
    }
  })

  it('publishes outcomes of most approved and of the documented share of declined applicants', () => {
    // Decisions old enough that every outcome they will ever get has arrived.
    const settled = [...predictions.values()].filter(
      (p) => Date.parse(p.timestamp) <= lastTime - DEFAULT_OUTCOMES.maxDelayDays * DAY_MS,
    )
    const published = (decision: 0 | 1) => {
      const group = settled.filter((p) => p.prediction === decision)
      return group.filter((p) => outcomesByPrediction.has(p.prediction_id)).length / group.length
    }

    expect(published(1)).toBeCloseTo(1 - DEFAULT_OUTCOMES.lostShare, 2)
    expect(published(0)).toBeCloseTo(DEFAULT_OUTCOMES.declinedShare, 1)
  })

  it('delivers outcomes 7 to 60 days after the decision, half of them within 18 days', () => {
    const settled = [...predictions.values()].filter(
      (p) => Date.parse(p.timestamp) <= lastTime - DEFAULT_OUTCOMES.maxDelayDays * DAY_MS,
    )
    const delays = settled
      .flatMap((p) => {
        const first = outcomesByPrediction.get(p.prediction_id)?.[0]
        return first === undefined ? [] : [dayOf(first) - dayOf(p)]
      })
      .sort((a, b) => a - b)

    expect(delays[0]).toBeGreaterThanOrEqual(7)
    expect(delays.at(-1)).toBeLessThanOrEqual(60)
    expect(delays[Math.floor(delays.length / 2)]).toBeCloseTo(18, 0)
  })

  it('names the option that is out of its domain', () => {
    const attempts: [string, () => unknown][] = [
      ['count', () => generateEvents({ count: 1.5 })],
      ['seed', () => generateEvents({ count: 1, seed: -1 })],
      ['start', () => generateEvents({ count: 1, start: 'last tuesday' })],
      ['modelId', () => generateEvents({ count: 1, modelId: 'credit scoring' })],
      ['drift.group', () => generateEvents({ count: 1, drift: { group: 'martian' } })],
      ['faults.duplicateShare', () => generateEvents({ count: 1, faults: { duplicateShare: 2 } })],
      [
        'outcomes.maxDelayDays',
        () => generateEvents({ count: 1, outcomes: { medianDelayDays: 30, maxDelayDays: 20 } }),
      ],
    ]

    for (const [option, attempt] of attempts) {
      let caught: unknown
      try {
        attempt()
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(SimulationOptionsInvalidError)
      expect((caught as SimulationOptionsInvalidError).option).toBe(option)
      expect((caught as SimulationOptionsInvalidError).code).toBe('FW_SIMULATOR_OPTIONS_INVALID')
    }
  })

  it('stays fair throughout when the drift is switched off', () => {
    const steady = [...generateEvents({ seed: 2024, start: START, count: 100_000, drift: false })]
    const rates = new Map<string, { n: number; approved: number }>()
    for (const event of steady) {
      if (event.kind !== 'prediction' || dayOf(event) < 20) continue
      const group = event.attributes.ethnicity
      if (group === undefined) continue
      const counts = rates.get(group) ?? { n: 0, approved: 0 }
      counts.n += 1
      counts.approved += event.prediction
      rates.set(group, counts)
    }

    expect(rate(rates.get('black')) / highestOtherRate(rates, 'black')).toBeGreaterThan(0.85)
  })
})
