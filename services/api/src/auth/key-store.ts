import type { ClickHouseClient } from '@clickhouse/client'
import type { AuditTrail } from '@fairwatch/governance'
import { toStoreError } from '@fairwatch/store'

import { NotFoundError } from '../errors.ts'
import { fromClickHouseTime, toClickHouseTime } from '../query/clickhouse-time.ts'
import { generateKey, hashKey, keyIdOf, keyMatches } from './api-key-secret.ts'
import type { Role } from './roles.ts'

/** An API key as listed: everything but its secret. */
export interface ApiKeyInfo {
  key_id: string
  name: string
  role: Role
  created_at: string
  created_by: string
  revoked_at: string | null
  revoked_by: string | null
}

/** Who is calling: the key that authenticated the request. */
export interface Caller {
  keyId: string
  name: string
  role: Role
  /** The identity written to the audit trail: `key:<id>/<name>`. */
  actor: string
}

interface StoredKey extends ApiKeyInfo {
  revision: number
  secret_sha256: string
}

interface KeyRow {
  key_id: string
  revision: string | number
  name: string
  role: Role
  secret_sha256: string
  created_at: string
  created_by: string
  revoked_at: string | null
  revoked_by: string | null
}

/** Options of KeyStore. */
export interface KeyStoreOptions {
  client: ClickHouseClient
  database: string
  /** Where key creation and revocation are recorded. */
  audit: AuditTrail
  /** The bootstrap admin key (FW_ADMIN_KEY), accepted without being stored; null for none. */
  adminKey: string | null
  /**
   * How long the in-memory copy of the key table is trusted, in ms. Default 10 000: a key revoked
   * through another API instance stops working there within this time (at once in this one).
   */
  refreshMs?: number
  clock?: () => Date
}

const BOOTSTRAP_ID = 'bootstrap'
// An unknown key id triggers a reload at most this often, so made-up keys cannot flood the store.
const MISS_RELOAD_MS = 1000

function callerOf(keyId: string, name: string, role: Role): Caller {
  return { keyId, name, role, actor: `key:${keyId}/${name}` }
}

function infoOf(key: StoredKey): ApiKeyInfo {
  const { secret_sha256: _hash, revision: _revision, ...info } = key
  return info
}

/**
 * API keys in ClickHouse (`api_keys`), with an in-memory copy for authentication so a request
 * never waits on the store to find its key. Keys are stored as SHA-256 hashes and compared in
 * constant time; creation and revocation are audited under the acting caller.
 */
export class KeyStore {
  readonly #client: ClickHouseClient
  readonly #database: string
  readonly #audit: AuditTrail
  readonly #adminKey: string | null
  readonly #refreshMs: number
  readonly #clock: () => Date
  #keys = new Map<string, StoredKey>()
  #loadedAt = Number.NEGATIVE_INFINITY
  #loading: Promise<void> | null = null

  constructor(options: KeyStoreOptions) {
    this.#client = options.client
    this.#database = options.database
    this.#audit = options.audit
    this.#adminKey = options.adminKey
    this.#refreshMs = options.refreshMs ?? 10_000
    this.#clock = options.clock ?? (() => new Date())
  }

  /**
   * The caller a presented key belongs to, or null when it matches no active key.
   * Throws StoreError when the key table cannot be read.
   */
  async authenticate(presented: string): Promise<Caller | null> {
    if (this.#adminKey !== null && keyMatches(presented, hashKey(this.#adminKey))) {
      return callerOf(BOOTSTRAP_ID, 'bootstrap-admin', 'admin')
    }
    const keyId = keyIdOf(presented)
    if (keyId === null) return null

    const now = Date.now()
    if (now - this.#loadedAt > this.#refreshMs) await this.#reload()
    let key = this.#keys.get(keyId)
    if (!key && now - this.#loadedAt > MISS_RELOAD_MS) {
      await this.#reload()
      key = this.#keys.get(keyId)
    }
    if (!key || key.revoked_at !== null || !keyMatches(presented, key.secret_sha256)) return null
    return callerOf(key.key_id, key.name, key.role)
  }

  /** Every key, newest first, without secrets. Throws StoreError. */
  async list(): Promise<ApiKeyInfo[]> {
    await this.#reload()
    return [...this.#keys.values()]
      .map(infoOf)
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || a.key_id.localeCompare(b.key_id))
  }

  /**
   * Creates a key and audits it. The returned secret is the only copy: it is not stored.
   * Throws StoreError or the audit trail's StorageFailedError.
   */
  async create(request: {
    name: string
    role: Role
    actor: string
    reason: string
  }): Promise<{ key: ApiKeyInfo; secret: string }> {
    const { keyId, secret } = generateKey()
    const stored: StoredKey = {
      key_id: keyId,
      revision: 1,
      name: request.name,
      role: request.role,
      secret_sha256: hashKey(secret),
      created_at: this.#clock().toISOString(),
      created_by: request.actor,
      revoked_at: null,
      revoked_by: null,
    }
    await this.#save(stored)
    const key = infoOf(stored)
    await this.#audit.append({
      actor: request.actor,
      action: 'api_key.created',
      reason: request.reason,
      subjectType: 'api_key',
      subjectId: keyId,
      policyVersion: null,
      before: null,
      after: key,
    })
    return { key, secret }
  }

  /**
   * Revokes a key at once in this process (other API processes within `refreshMs`) and audits
   * it. Revoking a revoked key changes nothing and returns it as it is.
   * @throws NotFoundError when no key has that id; StoreError when the store fails.
   */
  async revoke(keyId: string, request: { actor: string; reason: string }): Promise<ApiKeyInfo> {
    await this.#reload()
    const before = this.#keys.get(keyId)
    if (!before) throw new NotFoundError(`API key ${keyId} does not exist`)
    if (before.revoked_at !== null) return infoOf(before)
    const after: StoredKey = {
      ...before,
      revision: before.revision + 1,
      revoked_at: this.#clock().toISOString(),
      revoked_by: request.actor,
    }
    await this.#save(after)
    await this.#audit.append({
      actor: request.actor,
      action: 'api_key.revoked',
      reason: request.reason,
      subjectType: 'api_key',
      subjectId: keyId,
      policyVersion: null,
      before: infoOf(before),
      after: infoOf(after),
    })
    return infoOf(after)
  }

  async #save(key: StoredKey): Promise<void> {
    try {
      await this.#client.insert({
        table: `${this.#database}.api_keys`,
        values: [
          {
            ...key,
            created_at: toClickHouseTime(new Date(key.created_at)),
            revoked_at: key.revoked_at ? toClickHouseTime(new Date(key.revoked_at)) : null,
          },
        ],
        format: 'JSONEachRow',
      })
    } catch (err) {
      throw toStoreError(err, 'saving an API key')
    }
    this.#keys.set(key.key_id, key)
  }

  #reload(): Promise<void> {
    // Concurrent requests share one read of the table.
    this.#loading ??= this.#read().finally(() => {
      this.#loading = null
    })
    return this.#loading
  }

  async #read(): Promise<void> {
    let rows: KeyRow[]
    try {
      const result = await this.#client.query({
        query: `SELECT * FROM ${this.#database}.api_keys FINAL`,
        format: 'JSONEachRow',
      })
      rows = await result.json<KeyRow>()
    } catch (err) {
      throw toStoreError(err, 'reading API keys')
    }
    const keys = new Map<string, StoredKey>()
    for (const row of rows) {
      keys.set(row.key_id, {
        ...row,
        revision: Number(row.revision),
        created_at: fromClickHouseTime(row.created_at),
        revoked_at: row.revoked_at === null ? null : fromClickHouseTime(row.revoked_at),
      })
    }
    this.#keys = keys
    this.#loadedAt = Date.now()
  }
}
