import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PolicyInvalidError, PolicyNotFoundError, type PolicyIssue } from '../errors'
import { parsePolicy } from './parse-policy'
import type { LoadedPolicy } from './policy-types'

/** One policy document to load: where it came from and its text. */
export interface PolicyDocument {
  source: string
  text: string
}

/** What a load changed for one source. */
export interface PolicyChange {
  source: string
  name: string
  kind: 'added' | 'updated' | 'removed'
  previousVersion: string | null
  version: string | null
}

/** Outcome of a load: what changed, and what was refused (each with every problem found). */
export interface PolicyLoadReport {
  changes: PolicyChange[]
  refused: PolicyInvalidError[]
  /** Every policy in force after the load. */
  active: LoadedPolicy[]
}

const POLICY_FILE = /\.(ya?ml|json)$/i

/**
 * Holds the policies in force: one default policy (a document without `models`) and any number of
 * per-model policies (a document listing `models`). A model is governed by the policy naming it,
 * otherwise by the default; a per-model policy replaces the default entirely rather than adding to
 * it.
 *
 * A load is per source: a document that fails validation, or that conflicts with another (same
 * name, second default, a model claimed twice), is refused and its source keeps the last good
 * version it had, so a bad edit never leaves a model ungoverned. A source absent from a load is
 * removed.
 */
export class PolicyRegistry {
  private bySource = new Map<string, LoadedPolicy>()
  /** The document text each policy in force was loaded from, by source. */
  private texts = new Map<string, string>()

  /** Loads a full set of documents, replacing the previous set (see the class comment). */
  load(documents: readonly PolicyDocument[]): PolicyLoadReport {
    const refused: PolicyInvalidError[] = []
    const candidates: { source: string; text: string; fresh: LoadedPolicy | null }[] = []
    for (const doc of [...documents].sort((a, b) => a.source.localeCompare(b.source))) {
      try {
        candidates.push({
          source: doc.source,
          text: doc.text,
          fresh: parsePolicy(doc.text, doc.source),
        })
      } catch (err) {
        if (!(err instanceof PolicyInvalidError)) throw err
        refused.push(err)
        candidates.push({ source: doc.source, text: doc.text, fresh: null })
      }
    }

    const next = new Map<string, LoadedPolicy>()
    const names = new Map<string, string>()
    const models = new Map<string, string>()
    let defaultSource: string | null = null
    const conflicts = (p: LoadedPolicy): PolicyIssue[] => {
      const issues: PolicyIssue[] = []
      const sameName = names.get(p.policy.name)
      if (sameName !== undefined) {
        issues.push({
          path: 'name',
          message: `policy ${p.policy.name} is also defined in ${sameName}`,
        })
      }
      if (p.policy.models === null && defaultSource !== null) {
        issues.push({
          path: 'models',
          message: `a default policy is already defined in ${defaultSource}`,
        })
      }
      p.policy.models?.forEach((m, i) => {
        const owner = models.get(m)
        if (owner !== undefined) {
          issues.push({
            path: `models[${i}]`,
            message: `model ${m} is already governed by ${owner}`,
          })
        }
      })
      return issues
    }
    const accept = (p: LoadedPolicy): void => {
      next.set(p.source, p)
      names.set(p.policy.name, p.source)
      if (p.policy.models === null) defaultSource = p.source
      for (const m of p.policy.models ?? []) models.set(m, p.source)
    }

    const texts = new Map<string, string>()
    for (const { source, text, fresh } of candidates) {
      const previous = this.bySource.get(source)
      if (fresh) {
        const issues = conflicts(fresh)
        if (issues.length === 0) {
          accept(fresh)
          texts.set(source, text)
          continue
        }
        refused.push(new PolicyInvalidError(source, issues))
      }
      if (previous && conflicts(previous).length === 0) {
        accept(previous)
        texts.set(source, this.texts.get(source) ?? previous.canonical)
      }
    }

    const changes: PolicyChange[] = []
    for (const [source, p] of next) {
      const previous = this.bySource.get(source)
      if (!previous) {
        changes.push({
          source,
          name: p.policy.name,
          kind: 'added',
          previousVersion: null,
          version: p.version,
        })
      } else if (previous.version !== p.version) {
        changes.push({
          source,
          name: p.policy.name,
          kind: 'updated',
          previousVersion: previous.version,
          version: p.version,
        })
      }
    }
    for (const [source, p] of this.bySource) {
      if (!next.has(source)) {
        changes.push({
          source,
          name: p.policy.name,
          kind: 'removed',
          previousVersion: p.version,
          version: null,
        })
      }
    }
    this.bySource = next
    this.texts = texts
    return { changes, refused, active: this.list() }
  }

  /**
   * Loads every `*.yaml`, `*.yml` and `*.json` file directly inside `directory` (see `load`).
   * @throws the file system error when the directory or a file cannot be read.
   */
  async loadDirectory(directory: string): Promise<PolicyLoadReport> {
    const names = (await readdir(directory)).filter((n) => POLICY_FILE.test(n)).sort()
    const documents = await Promise.all(
      names.map(async (n) => {
        const source = join(directory, n)
        return { source, text: await readFile(source, 'utf8') }
      }),
    )
    return this.load(documents)
  }

  /**
   * The policy governing a model: the one naming it, else the default.
   * @throws PolicyNotFoundError when neither exists.
   */
  policyFor(modelId: string): LoadedPolicy {
    let fallback: LoadedPolicy | null = null
    for (const p of this.bySource.values()) {
      if (p.policy.models?.includes(modelId)) return p
      if (p.policy.models === null) fallback = p
    }
    if (!fallback) throw new PolicyNotFoundError(modelId)
    return fallback
  }

  /**
   * The documents of the policies in force, as they were loaded, ordered by source: what to pass
   * to `load` with one document added or replaced to change a single policy.
   */
  documents(): PolicyDocument[] {
    return this.list().map((p) => ({ source: p.source, text: this.texts.get(p.source) ?? '' }))
  }

  /** Every policy in force, ordered by source. */
  list(): LoadedPolicy[] {
    return [...this.bySource.values()].sort((a, b) => a.source.localeCompare(b.source))
  }
}
