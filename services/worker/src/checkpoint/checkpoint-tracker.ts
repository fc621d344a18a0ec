/** An offset to commit: the next message to read on a topic partition (Kafka's convention). */
export interface PartitionOffset {
  topic: string
  partition: number
  /** Decimal string, as kafkajs takes it. */
  offset: string
}

interface Stored {
  /** The last offset stored durably, as a bigint. */
  last: bigint
  /** The last offset committed, or null when none was committed by this worker. */
  committed: bigint | null
}

/** When checkpoints fall due; see CheckpointConfig in worker-config.ts for the meaning. */
export interface CheckpointCadence {
  intervalMs: number
  maxEvents: number
  laggingIntervalMs: number
  lagEvents: number
}

/**
 * Remembers, per topic partition, how far events are stored durably, how far that has been
 * committed and how far the partition's newest message is ahead of what was fetched, and decides
 * when the next checkpoint is due: after `maxEvents` stored events, or once the interval has
 * passed since the last one while anything is waiting. The interval is `intervalMs` while the
 * worker keeps up and `laggingIntervalMs` while its partitions are `lagEvents` or more behind,
 * because a checkpoint costs about the same however many events it covers: a worker that is behind
 * catches up faster by checkpointing less often.
 *
 * Offsets only grow: storing an earlier range again (events read a second time after a restart or
 * a rebalance) leaves the position where it was, since everything up to it is stored already.
 */
export class CheckpointTracker {
  readonly #partitions = new Map<string, Stored>()
  /** topic/partition → messages between the last fetched one and the partition's newest. */
  readonly #lags = new Map<string, number>()
  readonly #cadence: CheckpointCadence
  #eventsSinceCheckpoint = 0
  #lastCheckpointAt: number

  constructor(options: CheckpointCadence & { now: number }) {
    const { now, ...cadence } = options
    this.#cadence = cadence
    this.#lastCheckpointAt = now
  }

  /** Records that the messages of a partition up to `lastOffset`, `events` of them, are stored. */
  stored(topic: string, partition: number, lastOffset: string, events: number): void {
    const key = `${topic}\n${partition}`
    const last = BigInt(lastOffset)
    const entry = this.#partitions.get(key)
    if (!entry) this.#partitions.set(key, { last, committed: null })
    else if (last > entry.last) entry.last = last
    this.#eventsSinceCheckpoint += events
  }

  /** Events stored since the last checkpoint started. */
  get eventsSinceCheckpoint(): number {
    return this.#eventsSinceCheckpoint
  }

  /**
   * Records how many messages of a partition lie beyond its last fetched batch (kafkajs
   * `batch.offsetLag()`), as of that batch.
   */
  lagged(topic: string, partition: number, lag: number): void {
    this.#lags.set(`${topic}\n${partition}`, Math.max(0, lag))
  }

  /** Messages not yet fetched on the partitions this worker owns, as of their last batches. */
  get lag(): number {
    let sum = 0
    for (const lag of this.#lags.values()) sum += lag
    return sum
  }

  /** Whether a checkpoint is due at `now` (ms); `pendingWork` says windows still await recompute. */
  due(now: number, pendingWork = false): boolean {
    if (this.#eventsSinceCheckpoint >= this.#cadence.maxEvents) return true
    const waiting = pendingWork || this.uncommitted().length > 0
    if (!waiting) return false
    const behind = this.lag >= this.#cadence.lagEvents
    const interval = behind ? this.#cadence.laggingIntervalMs : this.#cadence.intervalMs
    return now - this.#lastCheckpointAt >= interval
  }

  /**
   * Starts a checkpoint at `now`: returns the offsets to commit once the windows marked so far are
   * recomputed (the next message after the last stored one of each partition that moved).
   */
  begin(now: number): PartitionOffset[] {
    this.#lastCheckpointAt = now
    this.#eventsSinceCheckpoint = 0
    return this.uncommitted()
  }

  /** Offsets stored beyond what was committed, as offsets to commit. */
  uncommitted(): PartitionOffset[] {
    const offsets: PartitionOffset[] = []
    for (const [key, entry] of this.#partitions) {
      if (entry.committed !== null && entry.committed >= entry.last) continue
      const [topic = '', partition = '0'] = key.split('\n')
      offsets.push({ topic, partition: Number(partition), offset: String(entry.last + 1n) })
    }
    return offsets
  }

  /** Records that `offsets` (as returned by begin) were committed. */
  committed(offsets: readonly PartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const entry = this.#partitions.get(`${topic}\n${partition}`)
      const last = BigInt(offset) - 1n
      if (entry && (entry.committed === null || last > entry.committed)) entry.committed = last
    }
  }

  /**
   * Keeps only the partitions in `assignment` (topic → partitions), after a rebalance: the
   * partitions another worker took are read again from their committed offsets by that worker.
   */
  retain(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const key of [...this.#partitions.keys()]) {
      const [topic = '', partition = '0'] = key.split('\n')
      if (!(assignment[topic] ?? []).includes(Number(partition))) this.#partitions.delete(key)
    }
    for (const key of [...this.#lags.keys()]) {
      const [topic = '', partition = '0'] = key.split('\n')
      if (!(assignment[topic] ?? []).includes(Number(partition))) this.#lags.delete(key)
    }
  }
}
