import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const tsx = path.join(root, 'node_modules/.bin/tsx')
const main = path.join(root, 'packages/cli/src/main.ts')

function fairwatch(args: string[], input?: string) {
  return spawnSync(tsx, [main, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, input })
}

function workDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'fw-replay-cli-'))
}

const prediction = (id: string, sex: string, decision: 0 | 1) =>
  JSON.stringify({
    kind: 'prediction',
    event_id: `p-${id}`,
    model_id: 'credit',
    model_version: '1',
    prediction_id: id,
    timestamp: '2024-05-01T10:00:00Z',
    prediction: decision,
    attributes: { sex },
  })

const outcome = (id: string, value: 0 | 1) =>
  JSON.stringify({
    kind: 'outcome',
    event_id: `o-${id}`,
    model_id: 'credit',
    prediction_id: id,
    timestamp: '2024-06-01T10:00:00Z',
    outcome: value,
  })

describe('fairwatch replay', () => {
  it('prints one row per metric and sends refused lines to the rejects file', () => {
    const dir = workDir()
    const input = path.join(dir, 'events.ndjson')
    const lines = [
      outcome('a', 1),
      prediction('a', 'f', 1),
      '{"kind": "prediction"',
      prediction('b', 'm', 0),
      '',
      JSON.stringify({ kind: 'outcome', event_id: 'x' }),
    ]
    writeFileSync(input, lines.join('\n') + '\n')

    const run = fairwatch(['replay', '--input', input, '--window', 'all'])

    expect(run.status, run.stderr).toBe(0)
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const tpr = rows.find((r) => r.attribute === 'sex' && r.group === 'f' && r.metric === 'tpr')
    expect(tpr).toMatchObject({
      model_id: 'credit',
      window_size: 'all',
      numerator: 1,
      denominator: 1,
      insufficient_evidence: true,
    })
    expect(rows.some((r) => r.group === null && r.metric === 'demographic_parity_difference')).toBe(
      true,
    )
    const rejects = readFileSync(`${input}.rejects.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [3, 'malformed_json'],
      [6, 'invalid_field'],
    ])
    expect(rejects[1].raw).toBe(lines[5])
    expect(run.stderr).toMatch(/rejected 2 \(malformed_json 1, invalid_field 1\)/)
  })

  it('reads the events from standard input with --input -', () => {
    const dir = workDir()
    const rejectsPath = path.join(dir, 'stdin.rejects.ndjson')
    const lines = [prediction('a', 'f', 1), outcome('a', 1), 'oops', prediction('b', 'm', 1)]

    const run = fairwatch(
      ['replay', '--input', '-', '--window', 'all', '--rejects', rejectsPath],
      lines.join('\n') + '\n',
    )

    expect(run.status, run.stderr).toBe(0)
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const selection = rows.find(
      (r) => r.attribute === 'sex' && r.group === 'm' && r.metric === 'selection_rate',
    )
    expect(selection).toMatchObject({ numerator: 1, denominator: 1 })
    const rejects = readFileSync(rejectsPath, 'utf8').trim().split('\n')
    expect(rejects.map((l) => JSON.parse(l).line)).toEqual([3])
  })

  it('refuses a broken settings file listing every problem, and exits non-zero', () => {
    const dir = workDir()
    const input = path.join(dir, 'events.ndjson')
    const config = path.join(dir, 'fairwatch.yaml')
    writeFileSync(input, prediction('a', 'f', 1) + '\n')
    writeFileSync(config, 'windows: [1w]\nmin_sample: -1\n')

    const run = fairwatch(['replay', '--input', input, '--config', config])

    expect(run.status).toBe(1)
    expect(run.stderr).toContain('FW_PIPELINE_CONFIG_INVALID')
    expect(run.stderr).toContain('windows[0]: must be a window size')
    expect(run.stderr).toContain('min_sample:')
  })

  it('explains its usage when the input is missing', () => {
    const run = fairwatch(['replay'])

    expect(run.status).toBe(2)
    expect(run.stderr).toContain('replay needs --input FILE')
    expect(run.stderr).toContain('Usage: fairwatch replay')
  })
})
