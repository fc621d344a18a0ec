/**
 * Runs asynchronous tasks one at a time, in the order they were handed over. The worker runs its
 * checkpoints through one.
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
