/** Error codes of the pipeline. */
export type PipelineErrorCode = 'FW_PIPELINE_CONFIG_INVALID' | 'FW_PIPELINE_WINDOW_INVALID'

/** A configuration or argument the pipeline cannot work with. Never retriable. */
export class PipelineConfigError extends Error {
  readonly code: PipelineErrorCode
  readonly retriable = false
  /** Every problem found, each prefixed with where it is (`models.credit.attributes[1]: …`). */
  readonly problems: readonly string[]

  constructor(code: PipelineErrorCode, problems: readonly string[], options?: { cause?: unknown }) {
    super(problems.join('\n'), options)
    this.name = 'PipelineConfigError'
    this.code = code
    this.problems = problems
  }
}
