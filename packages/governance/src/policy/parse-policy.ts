import { parseDocument } from 'yaml'
import { canonicalJson, sha256Hex } from '../canonical/canonical-json'
import { PolicyInvalidError, type PolicyIssue } from '../errors'
import { formatIssuePath, validatePolicyDocument } from './policy-schema'
import type { LoadedPolicy, Policy } from './policy-types'

/**
 * Version of a policy: the SHA-256 (hex) of its canonical content, i.e. the validated document with
 * defaults resolved, serialised with sorted keys. Formatting, comments, key order and defaults
 * spelled out or left implicit do not change it; any change to what the policy does does.
 */
export function policyVersion(policy: Policy): { version: string; canonical: string } {
  const canonical = canonicalJson(policy)
  return { version: sha256Hex(canonical), canonical }
}

/**
 * Parses and validates one policy document (YAML, or JSON, which YAML reads too).
 * `source` names the document in errors and in the loaded result (usually its file path).
 * @throws PolicyInvalidError listing every problem by path, e.g.
 *   `rules[2].thresholds.critical: Invalid input: expected number, received string`.
 */
export function parsePolicy(text: string, source: string): LoadedPolicy {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const issues: PolicyIssue[] = doc.errors.map((e) => ({
      path: '(document)',
      message: (e.message.split('\n')[0] ?? e.code).replace(/:$/, ''),
    }))
    throw new PolicyInvalidError(source, issues)
  }
  const result = validatePolicyDocument(doc.toJS())
  if (!result.ok) {
    throw new PolicyInvalidError(
      source,
      result.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message })),
    )
  }
  const { version, canonical } = policyVersion(result.policy)
  return { policy: result.policy, version, source, canonical }
}
