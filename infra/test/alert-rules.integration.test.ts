import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

const SCRIPT = fileURLToPath(new URL('../prometheus/test-rules.sh', import.meta.url))

// Installing promtool and amtool with apt-get on a fresh machine can take minutes.
const INSTALL_AND_CHECK_MS = 900_000

describe('monitoring configuration', () => {
  it(
    'passes promtool config, rule and unit checks, the runbook check, amtool check-config and the route tests',
    () => {
      const run = spawnSync('bash', [SCRIPT], {
        encoding: 'utf8',
        timeout: INSTALL_AND_CHECK_MS - 10_000,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      })

      const output = `${run.stdout}\n${run.stderr}`
      expect(run.error, output).toBeUndefined()
      expect(run.status, output).toBe(0)
      expect(run.stdout).toContain('all monitoring checks passed')
    },
    INSTALL_AND_CHECK_MS,
  )
})
