import type { ClickHouseClient } from '@clickhouse/client'
import type { Logger } from '@fairwatch/observability'
import { silentLogger } from '@fairwatch/observability'
import {
  listModels,
  queryWindowCells,
  windowsOfPredictions,
  writeEncodedEvents,
  writeEvents,
  writeMetricRevisions,
} from '@fairwatch/store'
import type {
  EncodedEventBatch,
  EventBatch,
  WindowCell,
  WindowCellsResult,
  WindowMetrics,
  WriteOptions,
} from '@fairwatch/store'
import { INTERSECTION_SEPARATOR } from '@fairwatch/metrics'

import { PipelineStateError } from './errors.ts'
import type { PipelineSettings } from './settings.ts'
import { aggregateCells } from './window-counts.ts'
import { computeWindowMetricRows } from './window-metrics.ts'
import { windowEndOf, windowStartOf } from './windows.ts'
import type { WindowSize } from './windows.ts'

/** Called with every batch of freshly computed window metrics, after they are stored. */
export type WindowMetricsListener = (windows: readonly WindowMetrics[]) => Promise<void>

export interface FairnessPipelineOptions {
  client: ClickHouseClient
  database: string
  settings: PipelineSettings
  logger?: Logger
  /** Runs after each recomputation is stored, e.g. to evaluate policies on the new values. */
  onWindowMetrics?: WindowMetricsListener
  /**
   * Most prediction events one run of a recount reads (see EVENTS_PER_RUN, the default): fewer
   * take less of the engine's memory and more runs.
   */
  eventsPerRun?: number
}

/** Options of FairnessPipeline.store. */
export type StoreOptions = WriteOptions

/**
 * What awaits recomputation: the windows to recount, and the prediction ids of stored outcomes
 * whose windows are still to be looked up.
 */
interface Marks {
  /** model id → window size label → window starts awaiting recomputation. */
  dirty: Map<string, Map<string, Set<number>>>
  /** model id → prediction ids of stored outcomes whose windows are not yet marked. */
  pendingOutcomes: Map<string, Set<string>>
}

function emptyMarks(): Marks {
  return { dirty: new Map(), pendingOutcomes: new Map() }
}

function countWindows(marks: Marks | null): number {
  let count = 0
  for (const sizes of marks?.dirty.values() ?? []) {
    for (const starts of sizes.values()) count += starts.size
  }
  return count
}

function countOutcomes(marks: Marks | null): number {
  let count = 0
  for (const ids of marks?.pendingOutcomes.values() ?? []) count += ids.size
  return count
}

function markWindow(marks: Marks, modelId: string, sizeLabel: string, windowStart: number): void {
  let sizes = marks.dirty.get(modelId)
  if (!sizes) {
    sizes = new Map()
    marks.dirty.set(modelId, sizes)
  }
  let starts = sizes.get(sizeLabel)
  if (!starts) {
    starts = new Set()
    sizes.set(sizeLabel, starts)
  }
  starts.add(windowStart)
}

function markOutcome(marks: Marks, modelId: string, predictionId: string): void {
  let ids = marks.pendingOutcomes.get(modelId)
  if (!ids) {
    ids = new Set()
    marks.pendingOutcomes.set(modelId, ids)
  }
  ids.add(predictionId)
}

/** Adds every mark of `from` to `into`. */
function mergeMarks(into: Marks, from: Marks): void {
  for (const [modelId, sizes] of from.dirty) {
    for (const [label, starts] of sizes) {
      for (const start of starts) markWindow(into, modelId, label, start)
    }
  }
  for (const [modelId, ids] of from.pendingOutcomes) {
    for (const id of ids) markOutcome(into, modelId, id)
  }
}

/**
 * Most windows whose metrics are computed and published at once. The windows of a model are
 * counted by one query; their metric rows, a few hundred per window, are made and stored slice
 * by slice, so a long backlog does not hold all of them at once.
 */
const WINDOWS_PER_PUBLISH = 200

/**
 * Most prediction events one run of a count reads (see WindowCellsQuery.eventsPerRun). The
 * engine holds the latest event of every prediction of a run while counting it: 820 MB measured
 * for 613k prediction events, so a run of this size peaks near 800 MB. Each run reads every event
 * of the model once, so runs cost time: `pnpm bench:worker` (2M events) measured 114–115k
 * events/s with runs of 600k, 92–94k with 400k and 76–83k with 200k, 112–114k in one run.
 */
const EVENTS_PER_RUN = 600_000

/**
 * Most prediction ids marked by one round of outcome-window look-ups; the ids of a round leave
 * the pending set once their windows are marked, so a failure repeats at most one round.
 */
const IDS_PER_LOOKUP = 1_000_000

/**
 * The one pipeline behind both the streaming worker and `fairwatch replay`: it stores events,
 * remembers which windows they change, and recomputes those windows from the stored events.
 *
 * Metrics are always recomputed from the events in the store rather than kept as running totals
 * in memory. That makes them exact under duplicates, label corrections and outcomes that arrive
 * before their prediction; it lets predictions and outcomes consumed by different workers meet in
 * the store; it keeps no join state in memory however many predictions await outcomes; and a
 * restart loses nothing, because the events are the state.
 *
 * store() may run while recompute() does: a recomputation works through the marks made before it
 * began and leaves those made meanwhile to the next one, so storing and recounting share the
 * engine instead of taking turns. recompute() itself runs one call at a time.
 */
export class FairnessPipeline {
  readonly #client: ClickHouseClient
  readonly #database: string
  readonly #settings: PipelineSettings
  readonly #logger: Logger
  readonly #onWindowMetrics: WindowMetricsListener | undefined
  readonly #eventsPerRun: number
  /** Marks the next recompute() takes over; store() adds to them at any time. */
  #marks: Marks = emptyMarks()
  /** The marks a running recompute() works through, or null while none runs. */
  #inFlight: Marks | null = null

  constructor(options: FairnessPipelineOptions) {
    this.#client = options.client
    this.#database = options.database
    this.#settings = options.settings
    this.#logger = options.logger ?? silentLogger()
    this.#onWindowMetrics = options.onWindowMetrics
    this.#eventsPerRun = Math.max(1, options.eventsPerRun ?? EVENTS_PER_RUN)
  }

  /** Number of windows waiting to be recomputed, including those a running recompute() holds. */
  get pendingWindows(): number {
    return countWindows(this.#marks) + countWindows(this.#inFlight)
  }

  /**
   * Number of distinct predictions whose stored outcomes still await the look-up of their
   * windows; the next recompute() resolves them. Bounded by the outcomes stored between two
   * recomputations.
   */
  get pendingOutcomes(): number {
    return countOutcomes(this.#marks) + countOutcomes(this.#inFlight)
  }

  /**
   * Stores a batch durably and marks the windows it changes: the windows of its predictions at
   * once, and the windows of the stored predictions its outcomes label at the next recompute(),
   * which looks them up for every outcome stored since in one pass rather than once per batch.
   * Throws StoreError; nothing is marked when it throws, and the batch may be stored again (with
   * its deduplication token).
   */
  async store(batch: EventBatch, options: StoreOptions = {}): Promise<void> {
    await writeEvents(this.#client, this.#database, batch, options)

    // Marked once written, so that whichever recompute() takes these marks finds the events.
    const marks = this.#marks
    for (const prediction of batch.predictions) {
      for (const size of this.#settings.windows) {
        const start = windowStartOf(prediction.eventTime, size)
        markWindow(marks, prediction.modelId, size.label, start)
      }
    }
    for (const outcome of batch.outcomes) markOutcome(marks, outcome.modelId, outcome.predictionId)
  }

  /**
   * Stores events already encoded as rows (see encodeEvents) and marks nothing: for a caller that
   * recomputes every window afterwards with recomputeAll(), as a replay does, and encodes on other
   * threads. Durable when it resolves. Throws StoreError.
   */
  async storeEncoded(encoded: EncodedEventBatch, options: WriteOptions = {}): Promise<void> {
    await writeEncodedEvents(this.#client, this.#database, encoded, options)
  }

  /**
   * Marks in `marks` the windows of the stored predictions that its pending outcomes label. An
   * outcome whose prediction is not stored yet marks nothing: its prediction marks its own window
   * when stored. Ids leave the pending set only once their windows are marked, so a failure loses
   * none.
   */
  async #markOutcomeWindows(marks: Marks): Promise<void> {
    for (const [modelId, pending] of marks.pendingOutcomes) {
      while (pending.size > 0) {
        const ids: string[] = []
        for (const id of pending) {
          ids.push(id)
          if (ids.length === IDS_PER_LOOKUP) break
        }
        // The store splits a long list itself where it must (see windowsOfPredictions).
        for (const size of this.#settings.windows) {
          const starts = await windowsOfPredictions(
            this.#client,
            this.#database,
            modelId,
            ids,
            size.ms,
          )
          for (const start of starts) markWindow(marks, modelId, size.label, start)
        }
        for (const id of ids) pending.delete(id)
      }
      marks.pendingOutcomes.delete(modelId)
    }
  }

  /**
   * Recomputes every window marked before the call, stores the new revisions and hands them to
   * the listener. First looks up the windows of the outcomes stored before the call. Marks made
   * while it runs wait for the next call. A window stays marked until its revision is stored: on
   * a failure, whatever was not done is marked again for the next call.
   * Throws PipelineStateError when called while another call runs, and StoreError.
   */
  async recompute(): Promise<WindowMetrics[]> {
    if (this.#inFlight) {
      throw new PipelineStateError('recompute() was called while another recompute() runs')
    }
    const marks = this.#marks
    this.#marks = emptyMarks()
    this.#inFlight = marks
    try {
      return await this.#recomputeMarked(marks)
    } finally {
      this.#inFlight = null
      mergeMarks(this.#marks, marks)
    }
  }

  async #recomputeMarked(marks: Marks): Promise<WindowMetrics[]> {
    await this.#markOutcomeWindows(marks)
    const computed: WindowMetrics[] = []
    for (const [modelId, sizes] of marks.dirty) {
      for (const size of this.#settings.windows) {
        const starts = sizes.get(size.label)
        if (!starts || starts.size === 0) continue
        const ordered = [...starts].sort((a, b) => a - b)
        // One count for all of them: each count reads every event of the model at least once.
        const counted = await this.#countWindows(modelId, size, ordered)
        const windows = await this.#publishCounted(modelId, size, counted, ordered, (slice) => {
          for (const start of slice) starts.delete(start)
        })
        computed.push(...windows)
        sizes.delete(size.label)
      }
      marks.dirty.delete(modelId)
    }
    return computed
  }

  /**
   * Recomputes every window of every stored model (what a replay or a backfill needs). Each
   * model and window size is counted in runs of at most `eventsPerRun` prediction events, split
   * by a hash of the prediction id, so that the engine's memory stays bounded however long the
   * history is; the single `all` window too. The cells of all windows of a size are held until
   * every run is counted: they take memory in proportion to the number of windows.
   */
  async recomputeAll(): Promise<WindowMetrics[]> {
    const computed: WindowMetrics[] = []
    for (const modelId of await listModels(this.#client, this.#database)) {
      for (const size of this.#settings.windows) {
        const counted = await this.#countWindows(modelId, size, undefined)
        const starts = [...new Set(counted.cells.map((cell) => cell.windowStart))]
        starts.sort((a, b) => a - b)
        computed.push(...(await this.#publishCounted(modelId, size, counted, starts)))
      }
    }
    this.#marks = emptyMarks()
    return computed
  }

  /**
   * Computes and publishes the metrics of the windows starting at `starts` (ascending) from their
   * counted cells, WINDOWS_PER_PUBLISH windows at a time; `published` hears of each slice once it
   * is stored. A window without cells has no metrics.
   */
  async #publishCounted(
    modelId: string,
    size: WindowSize,
    counted: WindowCellsResult,
    starts: readonly number[],
    published: (slice: readonly number[]) => void = () => {},
  ): Promise<WindowMetrics[]> {
    const cellsByWindow = new Map<number, WindowCell[]>()
    for (const cell of counted.cells) {
      const cells = cellsByWindow.get(cell.windowStart)
      if (cells) cells.push(cell)
      else cellsByWindow.set(cell.windowStart, [cell])
    }
    const computed: WindowMetrics[] = []
    for (let i = 0; i < starts.length; i += WINDOWS_PER_PUBLISH) {
      const slice = starts.slice(i, i + WINDOWS_PER_PUBLISH)
      const cells = slice.flatMap((start) => cellsByWindow.get(start) ?? [])
      const windows = this.#windowMetrics(modelId, size, { revision: counted.revision, cells })
      await this.#publish(windows)
      published(slice)
      computed.push(...windows)
    }
    return computed
  }

  #countWindows(
    modelId: string,
    size: WindowSize,
    windowStarts: number[] | undefined,
  ): Promise<WindowCellsResult> {
    return queryWindowCells(this.#client, this.#database, {
      modelId,
      windowSizeMs: size.ms,
      windowStarts,
      eventsPerRun: this.#eventsPerRun,
    })
  }

  #windowMetrics(modelId: string, size: WindowSize, counted: WindowCellsResult): WindowMetrics[] {
    const model = this.#settings.model(modelId)
    const windows = aggregateCells(counted.cells, model, INTERSECTION_SEPARATOR)
    return windows.map((window) => ({
      modelId,
      windowSize: size.label,
      windowStart: window.windowStart,
      windowEnd: windowEndOf(window.windowStart, size),
      labelCoverage:
        window.totals.predictions > 0 ? window.totals.labelled / window.totals.predictions : null,
      revision: counted.revision,
      rows: computeWindowMetricRows(window, model, this.#settings.confidence),
    }))
  }

  async #publish(windows: WindowMetrics[]): Promise<void> {
    if (windows.length === 0) return
    await writeMetricRevisions(this.#client, this.#database, windows)
    this.#logger.debug(
      {
        model_id: windows[0]?.modelId,
        window_size: windows[0]?.windowSize,
        windows: windows.length,
      },
      'windows recomputed',
    )
    if (this.#onWindowMetrics) await this.#onWindowMetrics(windows)
  }
}
