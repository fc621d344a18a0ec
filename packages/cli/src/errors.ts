/** Error codes of the command line. */
export type CliErrorCode = 'FW_CLI_USAGE'

/** The command line was not understood; `usage` is printed with the message. */
export class UsageError extends Error {
  readonly code: CliErrorCode = 'FW_CLI_USAGE'
  readonly usage: string

  constructor(message: string, usage: string) {
    super(message)
    this.name = 'UsageError'
    this.usage = usage
  }
}
