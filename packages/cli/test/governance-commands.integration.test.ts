import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { GovernanceService, governanceMigrations } from '@fairwatch/governance'
import { silentLogger } from '@fairwatch/observability'
import { applyMigrations, createStoreClient, storeMigrations } from '@fairwatch/store'
import { describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const tsx = path.join(root, 'node_modules/.bin/tsx')
const main = path.join(root, 'packages/cli/src/main.ts')

function fairwatch(dataDir: string, args: string[]) {
  return spawnSync(tsx, [main, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, FW_DATA_DIR: dataDir, FW_CLICKHOUSE_URL: '' },
  })
}

/** Opens the store in this process, runs `work`, and closes it so a command can open it next. */
async function withStore<T>(
  dataDir: string,
  work: (governance: GovernanceService, sql: (query: string) => Promise<void>) => Promise<T>,
): Promise<T> {
  const { client } = createStoreClient({ database: 'fairwatch', dataDir })
  try {
    await applyMigrations(client, 'fairwatch', [...storeMigrations, ...governanceMigrations])
    const governance = new GovernanceService({
      client,
      database: 'fairwatch',
      logger: silentLogger(),
    })
    return await work(governance, async (query) => {
      await client.command({ query, clickhouse_settings: { mutations_sync: '2' } })
    })
  } finally {
    await client.close()
  }
}

describe('fairwatch records and audit', () => {
  it('lists, moves and audits records, then catches an edited audit entry', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fw-records-cli-'))
    const incident = await withStore(dataDir, (governance) =>
      governance.openIncident({
        title: 'Approval rate of one group collapsed',
        modelId: 'credit',
        severity: 'critical',
        actor: 'alice',
        reason: 'seen on the dashboard',
      }),
    )

    const listed = fairwatch(dataDir, ['records', 'list', '--kind', 'incidents', '--open'])
    const moved = fairwatch(dataDir, [
      'records',
      'move',
      incident.id,
      '--to',
      'acknowledged',
      '--actor',
      'bob',
      '--reason',
      'on call, looking into it',
    ])
    const illegal = fairwatch(dataDir, [
      'records',
      'move',
      incident.id,
      '--to',
      'open',
      '--actor',
      'bob',
      '--reason',
      'undo',
    ])
    const intact = fairwatch(dataDir, ['audit', 'verify'])

    expect(listed.status, listed.stderr).toBe(0)
    expect(listed.stdout).toContain(incident.id)
    expect(listed.stdout).toContain('Approval rate of one group collapsed')
    expect(moved.status, moved.stderr).toBe(0)
    expect(moved.stdout).toBe(`${incident.id}: acknowledged\n`)
    expect(illegal.status).toBe(1)
    expect(illegal.stderr).toMatch(/FW_TRANSITION_ILLEGAL/)
    expect(intact.status, intact.stderr).toBe(0)
    expect(intact.stdout).toMatch(/^audit trail intact: \d+ entries/)

    await withStore(dataDir, async (_governance, sql) => {
      await sql(`ALTER TABLE fairwatch.audit_log UPDATE actor = 'mallory' WHERE actor = 'bob'`)
    })
    const broken = fairwatch(dataDir, ['audit', 'verify', '--json'])

    expect(broken.status).toBe(1)
    const verification = JSON.parse(broken.stdout)
    expect(verification).toMatchObject({ ok: false, problem: { kind: 'changed' } })
  })
})
