import { parseArgs } from 'node:util'

import { UsageError } from '../errors.ts'
import { withGovernance } from './governance-session.ts'

export const auditUsage = `Usage: fairwatch audit verify [--json]

Checks the audit trail's hash chains in the configured store (FW_CLICKHOUSE_URL, or the embedded
engine in FW_DATA_DIR) and reports the first entry that was changed, removed or reordered. Exits 0
when every chain is intact, 1 when one is not.

  --json   print the verification as JSON`

/** `fairwatch audit verify`: returns the exit code. */
export async function runAudit(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  })
  if (positionals[0] !== 'verify' || positionals.length !== 1) {
    throw new UsageError('audit takes one subcommand: verify', auditUsage)
  }

  const verification = await withGovernance((governance) => governance.verifyAudit())
  if (values.json) {
    process.stdout.write(JSON.stringify(verification) + '\n')
  } else if (verification.ok) {
    process.stdout.write(
      `audit trail intact: ${verification.entries} entries in ${verification.chains} chains\n`,
    )
  } else {
    const problem = verification.problem
    process.stdout.write(
      `audit trail broken: entry ${problem?.seq} of chain ${problem?.chainId} was ` +
        `${problem?.kind} (position ${problem?.index}): ${problem?.detail}\n`,
    )
  }
  return verification.ok ? 0 : 1
}
