import { describe, expect, it } from 'vitest'

import type { FairnessEvent } from '@fairwatch/contract'
import {
  SimulationOptionsInvalidError,
  SimulationSinkFailedError,
  generateEvents,
  runLiveSimulation,
} from '@fairwatch/simulator'
import type { LiveClock } from '@fairwatch/simulator'

const HOUR_MS = 3_600_000
const WALL_START = Date.parse('2025-06-01T12:00:00Z')

/** A wall clock that moves only when the simulation sleeps, and aborts after `ticks` sleeps. */
function steppedClock(ticks: number, controller: AbortController) {
  let sleeps = 0
  const clock: LiveClock & { time: number } = {
    time: WALL_START,
    now: () => clock.time,
    sleep: async (ms) => {
      clock.time += ms
      sleeps += 1
      if (sleeps >= ticks) controller.abort()
    },
  }
  return clock
}

describe('runLiveSimulation', () => {
  it('delivers the same events as generateEvents, up to the simulated time reached', async () => {
    const controller = new AbortController()
    const clock = steppedClock(40, controller)
    const delivered: FairnessEvent[] = []
    const start = WALL_START - 60 * 24 * HOUR_MS

    const summary = await runLiveSimulation({
      seed: 5,
      start,
      speed: 3600,
      intervalMs: 250,
      clock,
      signal: controller.signal,
      onEvents: (batch) => {
        delivered.push(...batch)
      },
    })

    // 39 sleeps of 250 ms at 3600 times wall speed before the last delivery.
    expect(summary.simulatedUntil).toBe(start + 39 * 250 * 3600)
    expect(summary.events).toBe(delivered.length)
    const expected = [...generateEvents({ seed: 5, start, count: delivered.length + 1 })]
    expect(delivered).toEqual(expected.slice(0, -1))
    expect(Date.parse(expected.at(-1)!.timestamp)).toBeGreaterThan(summary.simulatedUntil)
    expect(delivered.length).toBeGreaterThan(100)
  })

  it('splits the events due at one time into batches of at most maxBatchSize', async () => {
    const controller = new AbortController()
    const clock = steppedClock(3, controller)
    const sizes: number[] = []

    const summary = await runLiveSimulation({
      seed: 5,
      start: WALL_START - 30 * 24 * HOUR_MS,
      speed: 3600,
      maxBatchSize: 7,
      clock,
      signal: controller.signal,
      onEvents: (batch) => {
        sizes.push(batch.length)
      },
    })

    expect(sizes.length).toBe(summary.batches)
    expect(Math.max(...sizes)).toBe(7)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(summary.events)
  })

  it('never dates an event after the wall clock once simulated time has caught up', async () => {
    const controller = new AbortController()
    const clock = steppedClock(12, controller)
    let latestAhead = -Infinity
    let latest = -Infinity

    await runLiveSimulation({
      seed: 9,
      start: WALL_START - 2000,
      speed: 2,
      intervalMs: 1000,
      // One application per simulated millisecond, so that real-time seconds carry events.
      applicationsPerDay: 86_400_000,
      clock,
      signal: controller.signal,
      onEvents: (batch) => {
        for (const event of batch) {
          const time = Date.parse(event.timestamp)
          latestAhead = Math.max(latestAhead, time - clock.now())
          latest = Math.max(latest, time)
        }
      },
    })

    expect(latestAhead).toBeLessThanOrEqual(0)
    // Caught up after two ticks, then followed the wall clock through the remaining ones.
    expect(latest).toBeGreaterThan(WALL_START + 5000)
  })

  it('runs ahead of the wall clock when told not to follow it', async () => {
    const controller = new AbortController()
    const clock = steppedClock(5, controller)
    let latest = -Infinity

    const summary = await runLiveSimulation({
      seed: 9,
      start: WALL_START - 2 * HOUR_MS,
      speed: 3600,
      intervalMs: 1000,
      followWallClock: false,
      clock,
      signal: controller.signal,
      onEvents: (batch) => {
        latest = Math.max(latest, ...batch.map((event) => Date.parse(event.timestamp)))
      },
    })

    expect(summary.simulatedUntil).toBe(WALL_START + 2 * HOUR_MS)
    expect(latest).toBeGreaterThan(WALL_START + HOUR_MS)
  })

  it('runs on the system clock until the signal aborts', async () => {
    const controller = new AbortController()
    const batches: number[] = []

    const summary = await runLiveSimulation({
      intervalMs: 20,
      signal: controller.signal,
      onEvents: (batch) => {
        batches.push(batch.length)
        if (batches.length === 3) controller.abort()
      },
    })

    expect(batches).toHaveLength(3)
    expect(summary.events).toBe(batches.reduce((a, b) => a + b, 0))
  })

  it('returns at once without delivering anything when the signal has already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    let calls = 0

    const summary = await runLiveSimulation({
      start: WALL_START - 24 * HOUR_MS,
      clock: steppedClock(1000, controller),
      signal: controller.signal,
      onEvents: () => {
        calls += 1
      },
    })

    expect(calls).toBe(0)
    expect(summary.events).toBe(0)
  })

  it('stops with a sink error carrying the cause and its retriable flag when onEvents fails', async () => {
    const failure = Object.assign(new Error('store unavailable'), { retriable: true })
    const outcomes = await Promise.allSettled(
      [failure, new Error('bad batch')].map((cause) => {
        const controller = new AbortController()
        return runLiveSimulation({
          start: WALL_START - 24 * HOUR_MS,
          clock: steppedClock(1000, controller),
          signal: controller.signal,
          onEvents: async () => {
            throw cause
          },
        })
      }),
    )

    const [retriable, permanent] = outcomes.map((o) => (o.status === 'rejected' ? o.reason : null))
    expect(retriable).toBeInstanceOf(SimulationSinkFailedError)
    expect(retriable.code).toBe('FW_SIMULATOR_SINK_FAILED')
    expect(retriable.cause).toBe(failure)
    expect(retriable.retriable).toBe(true)
    expect(permanent).toBeInstanceOf(SimulationSinkFailedError)
    expect(permanent.retriable).toBe(false)
  })

  it('rejects a speed that is not a positive number', async () => {
    const controller = new AbortController()

    const attempt = runLiveSimulation({
      speed: 0,
      signal: controller.signal,
      onEvents: () => undefined,
    })

    await expect(attempt).rejects.toBeInstanceOf(SimulationOptionsInvalidError)
    await expect(attempt).rejects.toMatchObject({ option: 'speed' })
  })
})
