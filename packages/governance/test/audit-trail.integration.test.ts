import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditEvent } from '../src/audit/audit-chain'
import { AuditTrail } from '../src/audit/audit-trail'
import { embeddedClickHouse } from './clickhouse-fixture'

const database = 'governance_audit_test'
let client: ClickHouseClient
let close: () => Promise<void>
const clock = () => new Date('2025-02-01T09:00:00.000Z')

function event(n: number): AuditEvent {
  return {
    actor: `user-${n % 3}`,
    action: 'nonconformity.transitioned',
    reason: `reason ${n}`,
    subjectType: 'nonconformity',
    subjectId: `nc-${n % 4}`,
    policyVersion: 'f'.repeat(64),
    before: { status: 'open', n },
    after: { status: 'investigating', n, when: new Date(Date.UTC(2025, 0, 1, n)) },
  }
}

type Row = Record<string, unknown>

async function rawRows(chainId: string, seqs: number[]): Promise<Row[]> {
  const result = await client.query({
    query: `SELECT * FROM ${database}.audit_log WHERE chain_id = {c:String} AND seq IN {s:Array(UInt64)} ORDER BY seq`,
    query_params: { c: chainId, s: seqs },
    format: 'JSONEachRow',
  })
  return result.json<Row>()
}

async function deleteRows(chainId: string, seqs: number[]): Promise<void> {
  await client.command({
    query: `ALTER TABLE ${database}.audit_log DELETE WHERE chain_id = {c:String} AND seq IN {s:Array(UInt64)}`,
    query_params: { c: chainId, s: seqs },
    clickhouse_settings: { mutations_sync: '1' },
  })
}

async function insertRows(rows: Row[]): Promise<void> {
  await client.insert({ table: `${database}.audit_log`, values: rows, format: 'JSONEachRow' })
}

let trail: AuditTrail

beforeAll(async () => {
  ;({ client, close } = await embeddedClickHouse(database))
  trail = new AuditTrail(client, database, clock, 'writer-a')
  const other = new AuditTrail(client, database, clock, 'writer-b')
  // Two writers at once, each also firing its appends without waiting for the previous one.
  await Promise.all([
    ...Array.from({ length: 15 }, (_, n) => trail.append(event(n))),
    ...Array.from({ length: 15 }, (_, n) => other.append(event(100 + n))),
  ])
})

afterAll(async () => {
  await close()
})

describe('AuditTrail in ClickHouse', () => {
  it('chains entries appended concurrently by several writers', async () => {
    const result = await trail.verify()

    expect(result).toEqual({ ok: true, entries: 30, chains: 2, problem: null })
  })

  it('continues a chain after restart from the head in storage', async () => {
    const restarted = new AuditTrail(client, database, clock, 'writer-a')

    const entry = await restarted.append(event(99))

    expect(entry.seq).toBe(16)
    expect((await trail.verify()).ok).toBe(true)
    await deleteRows('writer-a', [16])
  })

  it('reports an entry edited in storage', async () => {
    await client.command({
      query: `ALTER TABLE ${database}.audit_log UPDATE reason = 'nothing happened'
        WHERE chain_id = 'writer-a' AND seq = 5`,
      clickhouse_settings: { mutations_sync: '1' },
    })

    const result = await trail.verify()

    expect(result.problem).toMatchObject({ kind: 'changed', chainId: 'writer-a', seq: 5 })
    await client.command({
      query: `ALTER TABLE ${database}.audit_log UPDATE reason = 'reason 4'
        WHERE chain_id = 'writer-a' AND seq = 5`,
      clickhouse_settings: { mutations_sync: '1' },
    })
    expect((await trail.verify()).ok).toBe(true)
  })

  it('reports an entry deleted from storage', async () => {
    const saved = await rawRows('writer-b', [7])
    await deleteRows('writer-b', [7])

    const result = await trail.verify()

    expect(result.problem).toMatchObject({ kind: 'removed', chainId: 'writer-b', seq: 7 })
    await insertRows(saved)
    expect((await trail.verify()).ok).toBe(true)
  })

  it('reports two entries that swapped places in storage', async () => {
    const [third, fourth] = await rawRows('writer-a', [3, 4])
    await deleteRows('writer-a', [3, 4])
    await insertRows([
      { ...fourth, seq: 3 },
      { ...third, seq: 4 },
    ])

    const result = await trail.verify()

    expect(result.problem).toMatchObject({ kind: 'reordered', chainId: 'writer-a', seq: 3 })
  })
})
