/**
 * Runs asynchronous tasks one at a time, in the order they were handed over. The worker stores
 * batches and runs checkpoints through one lane, because a window marked by a store that ran
 * while a recomputation was reading could otherwise be unmarked without its new events counted.
 */
export class SerialLane {
  #tail: Promise<unknown> = Promise.resolve()

  /** Runs `task` after every task handed over before it; settles with the task's result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task)
    this.#tail = result.catch(() => undefined)
    return result
  }

  /** Resolves once every task handed over so far has settled. */
  async idle(): Promise<void> {
    await this.#tail
  }
}
