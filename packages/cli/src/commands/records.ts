import { parseArgs } from 'node:util'

import type { IncidentStatus, NonconformityStatus } from '@fairwatch/governance'

import { UsageError } from '../errors.ts'
import { withGovernance } from './governance-session.ts'

export const recordsUsage = `Usage: fairwatch records list [--kind nonconformities|incidents] [--model ID] [--open]
       fairwatch records move ID --to STATUS --actor NAME --reason TEXT
                              [--root-cause TEXT] [--action TEXT] [--owner NAME]
       fairwatch records comment ID --actor NAME --text TEXT

Lists nonconformities and incidents, and moves them through their lifecycles, in the configured
store (stop \`fairwatch start\` first when it uses the embedded engine). Every change is audited
under the actor's name with the reason. IDs starting with "nc-" are nonconformities, "inc-"
incidents.

Nonconformity statuses: open, investigating, action_planned, action_taken, verifying, closed,
rejected. Incident statuses: open, acknowledged, mitigated, resolved.`

function table(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '(none)\n'
  const columns = Object.keys(rows[0] ?? {})
  const width = (column: string) =>
    Math.max(column.length, ...rows.map((row) => String(row[column] ?? '').length))
  const line = (cells: string[]) =>
    cells.map((cell, i) => cell.padEnd(width(columns[i] as string))).join('  ')
  const body = rows.map((row) => line(columns.map((column) => String(row[column] ?? ''))))
  return [line(columns), ...body].join('\n') + '\n'
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { kind: { type: 'string' }, model: { type: 'string' }, open: { type: 'boolean' } },
    strict: true,
  })
  const kinds = values.kind ? [values.kind] : ['nonconformities', 'incidents']
  if (kinds.some((kind) => kind !== 'nonconformities' && kind !== 'incidents')) {
    throw new UsageError('--kind is nonconformities or incidents', recordsUsage)
  }
  const filter = { modelId: values.model, openOnly: values.open ?? false }

  await withGovernance(async (governance) => {
    if (kinds.includes('nonconformities')) {
      const records = await governance.listNonconformities(filter)
      process.stdout.write('nonconformities\n')
      process.stdout.write(
        table(
          records.map((r) => ({
            id: r.id,
            model: r.modelId,
            rule: r.ruleId,
            scope: r.scopeKey,
            status: r.status,
            owner: r.owner ?? '',
          })),
        ),
      )
    }
    if (kinds.includes('incidents')) {
      const records = await governance.listIncidents(filter)
      process.stdout.write('incidents\n')
      process.stdout.write(
        table(
          records.map((r) => ({
            id: r.id,
            model: r.modelId,
            severity: r.severity,
            status: r.status,
            title: r.title,
          })),
        ),
      )
    }
  })
  return 0
}

async function move(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      to: { type: 'string' },
      actor: { type: 'string' },
      reason: { type: 'string' },
      'root-cause': { type: 'string' },
      action: { type: 'string' },
      owner: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  })
  const id = positionals[0]
  if (!id || !values.to || !values.actor || !values.reason) {
    throw new UsageError('move needs ID, --to, --actor and --reason', recordsUsage)
  }

  await withGovernance(async (governance) => {
    if (id.startsWith('inc-')) {
      const incident = await governance.transitionIncident(id, {
        to: values.to as IncidentStatus,
        actor: values.actor as string,
        reason: values.reason,
      })
      process.stdout.write(`${incident.id}: ${incident.status}\n`)
      return
    }
    const nonconformity = await governance.transitionNonconformity(id, {
      to: values.to as NonconformityStatus,
      actor: values.actor as string,
      reason: values.reason,
      rootCause: values['root-cause'],
      correctiveAction: values.action,
      owner: values.owner,
    })
    process.stdout.write(`${nonconformity.id}: ${nonconformity.status}\n`)
  })
  return 0
}

async function comment(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { actor: { type: 'string' }, text: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  })
  const id = positionals[0]
  if (!id || !values.actor || !values.text) {
    throw new UsageError('comment needs ID, --actor and --text', recordsUsage)
  }
  const request = { actor: values.actor, text: values.text }
  await withGovernance(async (governance) => {
    if (id.startsWith('inc-')) await governance.commentIncident(id, request)
    else await governance.commentNonconformity(id, request)
  })
  process.stdout.write(`${id}: comment added\n`)
  return 0
}

/** `fairwatch records`: returns the exit code. */
export async function runRecords(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv
  if (subcommand === 'list') return list(rest)
  if (subcommand === 'move') return move(rest)
  if (subcommand === 'comment') return comment(rest)
  throw new UsageError('records takes list, move or comment', recordsUsage)
}
