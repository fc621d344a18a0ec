const INITIAL_CAPACITY = 1024

/**
 * The outcomes not yet arrived, as a min-heap ordered by arrival time and, for equal times, by the
 * order they were added in, so the arrival order is fully determined. A pending outcome is three
 * numbers kept in typed arrays rather than an event object: tens of thousands wait at any time, and
 * objects living that long would cost the garbage collector more than the whole simulation.
 */
export class PendingOutcomes {
  private times = new Float64Array(INITIAL_CAPACITY)
  private orders = new Float64Array(INITIAL_CAPACITY)
  private applications = new Float64Array(INITIAL_CAPACITY)
  private details = new Uint8Array(INITIAL_CAPACITY)
  private count = 0
  private added = 0
  /** Application number of the outcome last taken. */
  takenApplication = 0
  /** Detail bits of the outcome last taken, as given to `add`. */
  takenDetail = 0

  get size(): number {
    return this.count
  }

  /** Arrival time of the earliest outcome, or Infinity when none is pending. */
  peekTime(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number)
  }

  /** Adds the outcome of application number `application`; `detail` is 8 bits for the caller. */
  add(time: number, application: number, detail: number): void {
    if (this.count === this.times.length) this.grow()
    const order = this.added
    this.added += 1
    let index = this.count
    this.count += 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      const parentTime = this.times[parent] as number
      if (parentTime < time || (parentTime === time && (this.orders[parent] as number) < order)) {
        break
      }
      this.move(parent, index)
      index = parent
    }
    this.put(index, time, order, application, detail)
  }

  /**
   * Removes the earliest outcome and leaves its application number and detail in
   * `takenApplication` and `takenDetail`. Returns false when none is pending.
   */
  take(): boolean {
    if (this.count === 0) return false
    this.takenApplication = this.applications[0] as number
    this.takenDetail = this.details[0] as number
    this.count -= 1
    const size = this.count
    if (size === 0) return true

    const time = this.times[size] as number
    const order = this.orders[size] as number
    const application = this.applications[size] as number
    const detail = this.details[size] as number
    let index = 0
    for (;;) {
      let child = 2 * index + 1
      if (child >= size) break
      const right = child + 1
      if (right < size && this.isBefore(right, child)) child = right
      const childTime = this.times[child] as number
      if (childTime > time || (childTime === time && (this.orders[child] as number) > order)) {
        break
      }
      this.move(child, index)
      index = child
    }
    this.put(index, time, order, application, detail)
    return true
  }

  private isBefore(a: number, b: number): boolean {
    const timeA = this.times[a] as number
    const timeB = this.times[b] as number
    return (
      timeA < timeB || (timeA === timeB && (this.orders[a] as number) < (this.orders[b] as number))
    )
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number
    this.orders[to] = this.orders[from] as number
    this.applications[to] = this.applications[from] as number
    this.details[to] = this.details[from] as number
  }

  private put(index: number, time: number, order: number, application: number, detail: number) {
    this.times[index] = time
    this.orders[index] = order
    this.applications[index] = application
    this.details[index] = detail
  }

  private grow(): void {
    const capacity = this.times.length * 2
    this.times = copyInto(new Float64Array(capacity), this.times)
    this.orders = copyInto(new Float64Array(capacity), this.orders)
    this.applications = copyInto(new Float64Array(capacity), this.applications)
    this.details = copyInto(new Uint8Array(capacity), this.details)
  }
}

function copyInto<T extends Float64Array | Uint8Array>(target: T, source: T): T {
  target.set(source)
  return target
}
