import { setTimeout as sleepFor } from 'node:timers/promises'

/** The wall clock the live simulation paces itself by. Tests pass one they control. */
export interface LiveClock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number
  /** Resolves after `ms` milliseconds, or as soon as `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

/** The machine's clock and timers. */
export const systemClock: LiveClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    try {
      await sleepFor(ms, undefined, { signal })
    } catch {
      // Only an abort rejects the timer, and an abort ends the wait early by design.
    }
  },
}
