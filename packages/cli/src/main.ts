import { auditUsage, runAudit } from './commands/audit.ts'
import { recordsUsage, runRecords } from './commands/records.ts'
import { runReplay, replayUsage } from './commands/replay.ts'
import { runStart, startUsage } from './commands/start.ts'
import { UsageError } from './errors.ts'

const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  start: { run: runStart, usage: startUsage },
  replay: { run: runReplay, usage: replayUsage },
  records: { run: runRecords, usage: recordsUsage },
  audit: { run: runAudit, usage: auditUsage },
}

const usage = `Usage: fairwatch <command> [options]

Commands:
${Object.values(commands)
  .map((command) => '  ' + command.usage.split('\n')[0]?.replace('Usage: fairwatch ', ''))
  .join('\n')}

Run "fairwatch <command> --help" for a command's options.`

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const command = name ? commands[name] : undefined
  if (!command) {
    process.stderr.write(`${name ? `unknown command "${name}"\n\n` : ''}${usage}\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n')
    return 0
  }
  try {
    return await command.run(rest)
  } catch (err) {
    return reportError(err)
  }
}

function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`fairwatch: ${err.message}\n\n${err.usage}\n`)
    return 2
  }
  const error = err as { code?: string; message?: string; cause?: { message?: string } }
  if (typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`fairwatch: ${error.message}\n`)
    return 2
  }
  const cause = error.cause?.message ? `\n  cause: ${error.cause.message}` : ''
  process.stderr.write(
    `fairwatch: ${error.code ? `${error.code}: ` : ''}${error.message}${cause}\n`,
  )
  return 1
}

process.exitCode = await main(process.argv.slice(2))
