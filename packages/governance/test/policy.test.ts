import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { PolicyInvalidError, PolicyNotFoundError } from '../src/errors'
import { parsePolicy } from '../src/policy/parse-policy'
import { PolicyRegistry } from '../src/policy/policy-registry'

const starterPath = new URL('../policies/starter.yaml', import.meta.url)

const minimal = `
name: credit
models: [credit]
rules:
  - id: di
    metric: disparate_impact
    scope: { attribute: sex }
    comparison: below
    thresholds: { warning: 0.8, critical: 0.6 }
    owner: risk
`

function refusal(fn: () => unknown): PolicyInvalidError {
  try {
    fn()
  } catch (err) {
    if (err instanceof PolicyInvalidError) return err
    throw err
  }
  throw new Error('expected the policy to be refused')
}

describe('parsePolicy', () => {
  it('accepts the starter policy and resolves its defaults into every rule', async () => {
    const text = await readFile(starterPath, 'utf8')

    const loaded = parsePolicy(text, 'starter.yaml')

    expect(loaded.policy.models).toBeNull()
    expect(loaded.policy.rules.map((r) => r.id)).toEqual([
      'four-fifths-selection',
      'equalized-odds',
      'equal-opportunity',
    ])
    const fourFifths = loaded.policy.rules[0]
    expect(fourFifths?.significance).toEqual({ required: true, alpha: 0.05 })
    expect(fourFifths?.persistence).toEqual({ raiseAfter: 2, clearAfter: 3 })
    expect(fourFifths?.owner).toBe('fairness-oversight')
    expect(loaded.version).toMatch(/^[0-9a-f]{64}$/)
  })

  it('gives the same version to the same content written as JSON with other key order', () => {
    const json = JSON.stringify({
      rules: [
        {
          owner: 'risk',
          thresholds: { critical: 0.6, warning: 0.8 },
          comparison: 'below',
          scope: { attribute: 'sex' },
          metric: 'disparate_impact',
          id: 'di',
        },
      ],
      models: ['credit'],
      name: 'credit',
    })

    const fromYaml = parsePolicy(minimal, 'a.yaml')
    const fromJson = parsePolicy(json, 'b.json')

    expect(fromJson.version).toBe(fromYaml.version)
  })

  it('gives a different version when a threshold changes', () => {
    const changed = minimal.replace('warning: 0.8', 'warning: 0.85')

    const a = parsePolicy(minimal, 'a.yaml')
    const b = parsePolicy(changed, 'a.yaml')

    expect(b.version).not.toBe(a.version)
  })

  it('lists every problem of a broken policy by path', () => {
    const broken = `
name: Credit Policy
rules:
  - id: ok-rule
    metric: disparate_impact
    scope: { attribute: sex }
    comparison: below
    thresholds: { warning: 0.8, critical: 0.6 }
    owner: risk
  - id: bad-metric
    metric: happiness
    scope: { attribute: sex }
    comparison: below
    thresholds: { warning: 0.8, critical: 0.6 }
    owner: risk
  - id: bad-threshold
    metric: tpr_difference
    scope: { attribute: sex, intersection: [race, sex] }
    comparison: above
    thresholds: { warning: 0.1, critical: high }
    owner: risk
  - id: ok-rule
    metric: disparate_impact
    scope: { attribute: race }
    comparison: outside
    thresholds: { warning: 0.8, critical: { low: 0.7, high: 1.4 } }
    significance: { required: true, alpha: 2 }
`

    const err = refusal(() => parsePolicy(broken, 'broken.yaml'))

    expect(err.code).toBe('FW_POLICY_INVALID')
    expect(err.source).toBe('broken.yaml')
    expect(err.issues.map((i) => i.path)).toEqual([
      'name',
      'rules[1].metric',
      'rules[2].scope',
      'rules[2].thresholds.critical',
      'rules[3].significance.alpha',
      'rules[3].id',
      'rules[3].thresholds.warning',
      'rules[3].owner',
    ])
    expect(err.issues[3]?.message).toBe('expected a number or a band {low, high}')
  })

  it('reports threshold order, duplicate ids and a missing owner by path', () => {
    const broken = `
name: credit
rules:
  - id: di
    metric: disparate_impact
    scope: { attribute: sex }
    comparison: below
    thresholds: { warning: 0.6, critical: 0.8 }
  - id: di
    metric: disparate_impact
    scope: { attribute: race }
    comparison: outside
    thresholds: { warning: 0.8, critical: { low: 0.7, high: 1.4 } }
    owner: risk
`

    const err = refusal(() => parsePolicy(broken, 'broken.yaml'))

    expect(err.issues.map((i) => i.path)).toEqual([
      'rules[0].thresholds.critical',
      'rules[0].owner',
      'rules[1].id',
      'rules[1].thresholds.warning',
    ])
  })

  it('refuses text that is not YAML with the line of the problem', () => {
    const err = refusal(() => parsePolicy('name: [unclosed\nrules: 1', 'bad.yaml'))

    expect(err.issues[0]?.path).toBe('(document)')
    expect(err.issues[0]?.message).toMatch(/line \d+/)
  })
})

describe('PolicyRegistry', () => {
  it('keeps the last good version of a source when its new version is broken', () => {
    const registry = new PolicyRegistry()
    const first = registry.load([{ source: 'credit.yaml', text: minimal }])
    const good = registry.policyFor('credit').version

    const second = registry.load([{ source: 'credit.yaml', text: minimal.replace('0.6', 'low') }])

    expect(first.changes.map((c) => c.kind)).toEqual(['added'])
    expect(second.changes).toEqual([])
    expect(second.refused).toHaveLength(1)
    expect(second.refused[0]?.issues.map((i) => i.path)).toEqual(['rules[0].thresholds.critical'])
    expect(registry.policyFor('credit').version).toBe(good)
  })

  it('governs a model by the policy naming it and any other by the default', async () => {
    const registry = new PolicyRegistry()
    const starter = await readFile(starterPath, 'utf8')

    registry.load([
      { source: 'starter.yaml', text: starter },
      { source: 'credit.yaml', text: minimal },
    ])

    expect(registry.policyFor('credit').policy.name).toBe('credit')
    expect(registry.policyFor('hiring').policy.name).toBe('starter')
  })

  it('refuses a second default policy and keeps the first', async () => {
    const registry = new PolicyRegistry()
    const starter = await readFile(starterPath, 'utf8')
    const otherDefault = minimal
      .replace('models: [credit]\n', '')
      .replace('name: credit', 'name: other')

    const report = registry.load([
      { source: 'a-starter.yaml', text: starter },
      { source: 'b-other.yaml', text: otherDefault },
    ])

    expect(report.refused.map((r) => [r.source, r.issues[0]?.path])).toEqual([
      ['b-other.yaml', 'models'],
    ])
    expect(registry.policyFor('anything').policy.name).toBe('starter')
  })

  it('refuses to name a policy for a model when nothing governs it', () => {
    const registry = new PolicyRegistry()
    registry.load([{ source: 'credit.yaml', text: minimal }])

    expect(() => registry.policyFor('hiring')).toThrow(PolicyNotFoundError)
  })

  it('reports an updated policy with both versions', () => {
    const registry = new PolicyRegistry()
    registry.load([{ source: 'credit.yaml', text: minimal }])
    const before = registry.policyFor('credit').version

    const report = registry.load([{ source: 'credit.yaml', text: minimal.replace('0.8', '0.85') }])

    expect(report.changes).toEqual([
      {
        source: 'credit.yaml',
        name: 'credit',
        kind: 'updated',
        previousVersion: before,
        version: registry.policyFor('credit').version,
      },
    ])
    expect(report.changes[0]?.version).not.toBe(before)
  })

  it('hands back the texts in force, keeping the last good text of a refused source', () => {
    const registry = new PolicyRegistry()
    registry.load([{ source: 'credit.yaml', text: minimal }])
    const broken = minimal.replace('0.6', 'low')

    registry.load([{ source: 'credit.yaml', text: broken }])
    const reloaded = registry.load(registry.documents())

    expect(registry.documents()).toEqual([{ source: 'credit.yaml', text: minimal }])
    expect(reloaded.changes).toEqual([])
    expect(reloaded.refused).toEqual([])
  })
})
