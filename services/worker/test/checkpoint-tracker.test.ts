import { describe, expect, test } from 'vitest'

import { CheckpointTracker } from '../src/index.ts'

const cadence = { intervalMs: 1_000, maxEvents: 100, laggingIntervalMs: 10_000, lagEvents: 50 }

describe('CheckpointTracker', () => {
  test('offers the offset after the last stored one of each partition that moved', () => {
    const tracker = new CheckpointTracker({ ...cadence, now: 0 })
    tracker.stored('a', 0, '9', 10)
    tracker.stored('a', 1, '4', 5)

    const offsets = tracker.begin(10)
    tracker.committed(offsets)
    tracker.stored('a', 0, '19', 10)

    expect(offsets).toEqual([
      { topic: 'a', partition: 0, offset: '10' },
      { topic: 'a', partition: 1, offset: '5' },
    ])
    expect(tracker.begin(20)).toEqual([{ topic: 'a', partition: 0, offset: '20' }])
  })

  test('never moves a partition back when an earlier range is stored again', () => {
    const tracker = new CheckpointTracker({ ...cadence, now: 0 })
    tracker.stored('a', 0, '99', 100)

    tracker.stored('a', 0, '49', 50)

    expect(tracker.uncommitted()).toEqual([{ topic: 'a', partition: 0, offset: '100' }])
  })

  test('is due after maxEvents, or after the interval while something waits', () => {
    const tracker = new CheckpointTracker({ ...cadence, now: 0 })

    const idle = tracker.due(5_000)
    tracker.stored('a', 0, '9', 10)
    const early = tracker.due(500)
    const late = tracker.due(1_000)
    tracker.stored('a', 0, '109', 100)
    const full = tracker.due(500)

    expect([idle, early, late, full]).toEqual([false, false, true, true])
    expect(tracker.due(5_000, true)).toBe(true)
  })

  test('waits the lagging interval while its partitions are lagEvents or more behind', () => {
    const tracker = new CheckpointTracker({ ...cadence, now: 0 })
    tracker.stored('a', 0, '9', 10)
    tracker.lagged('a', 0, 30)
    tracker.lagged('a', 1, 20)

    const behindEarly = tracker.due(9_999)
    const behindLate = tracker.due(10_000)
    tracker.lagged('a', 1, 0)
    const caughtUp = tracker.due(1_000)

    expect(tracker.lag).toBe(30)
    expect([behindEarly, behindLate, caughtUp]).toEqual([false, true, true])
  })

  test('is due after maxEvents even while behind', () => {
    const tracker = new CheckpointTracker({ ...cadence, now: 0 })
    tracker.lagged('a', 0, 1_000_000)

    tracker.stored('a', 0, '99', 100)

    expect(tracker.due(1)).toBe(true)
  })

  test('forgets partitions that a rebalance assigned elsewhere', () => {
    const tracker = new CheckpointTracker({ ...cadence, now: 0 })
    tracker.stored('a', 0, '9', 10)
    tracker.stored('a', 1, '9', 10)
    tracker.stored('b', 0, '9', 10)

    tracker.lagged('a', 0, 500)
    tracker.lagged('b', 0, 7)

    tracker.retain({ a: [1], b: [0] })

    expect(tracker.uncommitted().map((o) => `${o.topic}/${o.partition}`)).toEqual(['a/1', 'b/0'])
    expect(tracker.lag).toBe(7)
  })
})
