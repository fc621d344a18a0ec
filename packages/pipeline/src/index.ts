export { PipelineConfigError, PipelineStateError } from './errors.ts'
export type { PipelineErrorCode } from './errors.ts'
export {
  ALL_WINDOW_END,
  ALL_WINDOW_START,
  parseWindowSize,
  windowEndOf,
  windowStartOf,
} from './windows.ts'
export type { WindowSize } from './windows.ts'
export { defaultSettings, intersectionName, loadSettings, settingsFrom } from './settings.ts'
export type { ModelSettings, PipelineSettings } from './settings.ts'
export { computeWindowMetricRows } from './window-metrics.ts'
export { aggregateCells } from './window-counts.ts'
export type { WindowCounts } from './window-counts.ts'
export { FairnessPipeline } from './fairness-pipeline.ts'
export type {
  FairnessPipelineOptions,
  StoreOptions,
  WindowMetricsListener,
} from './fairness-pipeline.ts'
export { readLines } from './line-reader.ts'
export type { NumberedLine } from './line-reader.ts'
export { replay } from './replay.ts'
export type { RejectedLine, ReplayOptions, ReplaySummary } from './replay.ts'
export { metricOutputRows } from './output-rows.ts'
export type { MetricOutputRow } from './output-rows.ts'
