import { describe, expect, it } from 'vitest'

import { aggregateCells, settingsFrom } from '@fairwatch/pipeline'
import type { WindowCell } from '@fairwatch/store'

const cell = (overrides: Partial<WindowCell>): WindowCell => ({
  windowStart: 0,
  attributes: {},
  decision: 1,
  outcome: null,
  predictions: 1,
  scored: 0,
  scoreSum: 0,
  ...overrides,
})

describe('aggregateCells', () => {
  it('sums cells into totals, groups and the confusion matrix', () => {
    const cells = [
      cell({
        attributes: { sex: 'f' },
        decision: 1,
        outcome: 1,
        predictions: 3,
        scored: 3,
        scoreSum: 2.4,
      }),
      cell({ attributes: { sex: 'f' }, decision: 0, outcome: 1, predictions: 2 }),
      cell({ attributes: { sex: 'm' }, decision: 1, outcome: 0, predictions: 4 }),
      cell({ attributes: { sex: 'm' }, decision: 0, outcome: 0, predictions: 5 }),
      cell({ attributes: {}, decision: 0, outcome: null, predictions: 7 }),
    ]

    const [window] = aggregateCells(cells, settingsFrom({}).model('m'), '&')

    expect(window?.totals).toMatchObject({
      predictions: 21,
      selected: 7,
      labelled: 14,
      tp: 3,
      fn: 2,
      fp: 4,
      tn: 5,
    })
    expect(window?.attributes.get('sex')?.get('f')).toMatchObject({
      predictions: 5,
      selected: 3,
      tp: 3,
      fn: 2,
      scored: 3,
      scoreSum: 2.4,
      labelledScored: 3,
      labelledScoredPositives: 3,
    })
    expect(window?.attributes.get('sex')?.get('m')).toMatchObject({ predictions: 9, fp: 4, tn: 5 })
  })

  it('builds intersections only from predictions that carry every member attribute', () => {
    const settings = settingsFrom({ models: { m: { intersections: [['race', 'sex']] } } }).model(
      'm',
    )
    const cells = [
      cell({ attributes: { race: 'b', sex: 'f' }, predictions: 2 }),
      cell({ attributes: { sex: 'f', race: 'b' }, predictions: 1 }),
      cell({ attributes: { race: 'w' }, predictions: 4 }),
    ]

    const [window] = aggregateCells(cells, settings, '&')

    expect([...(window?.attributes.get('race&sex')?.entries() ?? [])]).toEqual([
      ['b&f', expect.objectContaining({ predictions: 3 })],
    ])
  })

  it('keeps only the configured attributes and separates windows', () => {
    const settings = settingsFrom({ models: { m: { attributes: ['sex'] } } }).model('m')
    const cells = [
      cell({ windowStart: 0, attributes: { sex: 'f', age: 'old' } }),
      cell({ windowStart: 86_400_000, attributes: { sex: 'm', age: 'young' } }),
    ]

    const windows = aggregateCells(cells, settings, '&')

    expect(windows.map((w) => w.windowStart)).toEqual([0, 86_400_000])
    expect(windows.map((w) => [...w.attributes.keys()])).toEqual([['sex'], ['sex']])
  })
})
