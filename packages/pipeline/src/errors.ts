/** Error codes of the pipeline. */
export type PipelineErrorCode =
  'FW_PIPELINE_CONFIG_INVALID' | 'FW_PIPELINE_WINDOW_INVALID' | 'FW_PIPELINE_STATE'

/** A configuration or argument the pipeline cannot work with. Never retriable. */
export class PipelineConfigError extends Error {
  readonly code: Exclude<PipelineErrorCode, 'FW_PIPELINE_STATE'>
  readonly retriable = false
  /** Every problem found, each prefixed with where it is (`models.credit.attributes[1]: …`). */
  readonly problems: readonly string[]

  constructor(
    code: Exclude<PipelineErrorCode, 'FW_PIPELINE_STATE'>,
    problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(problems.join('\n'), options)
    this.name = 'PipelineConfigError'
    this.code = code
    this.problems = problems
  }
}

/** A call the pipeline cannot take in its current state, such as two recomputations at once. */
export class PipelineStateError extends Error {
  readonly code: PipelineErrorCode = 'FW_PIPELINE_STATE'
  readonly retriable = false

  constructor(message: string) {
    super(message)
    this.name = 'PipelineStateError'
  }
}
