import type { ClickHouseClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditEvent } from '../src/audit/audit-chain'
import { AuditTrail } from '../src/audit/audit-trail'
import { embeddedClickHouse } from './clickhouse-fixture'
import { spiedClient } from './client-spy'

const database = 'governance_append_many_test'
const table = `${database}.audit_log`
let client: ClickHouseClient
let close: () => Promise<void>
const clock = () => new Date('2025-02-01T09:00:00.000Z')

function event(n: number): AuditEvent {
  return {
    actor: 'system:evaluation',
    action: 'evaluation.recorded',
    reason: null,
    subjectType: 'window',
    subjectId: `credit/1d/day-${n}`,
    policyVersion: 'a'.repeat(64),
    before: null,
    after: { statusCounts: { pass: n }, at: new Date(Date.UTC(2025, 0, 1 + n)) },
  }
}

function events(from: number, to: number): AuditEvent[] {
  return Array.from({ length: to - from }, (_, i) => event(from + i))
}

async function storedSubjects(trail: AuditTrail, chainId: string): Promise<[number, string][]> {
  return (await trail.entries())
    .filter((e) => e.chainId === chainId)
    .map((e): [number, string] => [e.seq, e.subjectId])
}

beforeAll(async () => {
  ;({ client, close } = await embeddedClickHouse(database))
})

afterAll(async () => {
  await close()
})

describe('AuditTrail.appendMany', () => {
  it('writes a list of events as consecutive entries in one insert', async () => {
    const spy = spiedClient(client)
    const trail = new AuditTrail(spy.client, database, clock, 'one-insert')

    const entries = await trail.appendMany(events(0, 5))

    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(spy.calls.inserts).toEqual([table])
    expect((await trail.entries()).filter((e) => e.chainId === 'one-insert')).toEqual(entries)
    expect((await trail.verify()).ok).toBe(true)
  })

  it('interleaves with single appends in the order they were called', async () => {
    const trail = new AuditTrail(client, database, clock, 'interleaved')

    // Fired without waiting, as concurrent callers would.
    await Promise.all([
      trail.append(event(0)),
      trail.appendMany(events(1, 4)),
      trail.append(event(4)),
      trail.appendMany([]),
      trail.appendMany(events(5, 7)),
    ])

    expect(await storedSubjects(trail, 'interleaved')).toEqual(
      events(0, 7).map((e, i): [number, string] => [i + 1, e.subjectId]),
    )
    expect((await trail.verify()).problem).toBeNull()
  })

  it('writes nothing for an empty list', async () => {
    const spy = spiedClient(client)
    const trail = new AuditTrail(spy.client, database, clock, 'empty')

    const entries = await trail.appendMany([])

    expect(entries).toEqual([])
    expect(spy.calls).toEqual({ queries: [], inserts: [] })
  })

  it('continues after a refused insert from the entry before it', async () => {
    const spy = spiedClient(client)
    const trail = new AuditTrail(spy.client, database, clock, 'refused')
    await trail.appendMany(events(0, 2))
    spy.failNextInsert(table, 'before')

    const failed = await trail.appendMany(events(2, 5)).catch((e: unknown) => e)
    const next = await trail.appendMany(events(5, 7))

    expect(failed).toMatchObject({ code: 'FW_STORAGE_FAILED', retriable: true })
    expect(next.map((e) => e.seq)).toEqual([3, 4])
    expect(await storedSubjects(trail, 'refused')).toEqual([
      [1, 'credit/1d/day-0'],
      [2, 'credit/1d/day-1'],
      [3, 'credit/1d/day-5'],
      [4, 'credit/1d/day-6'],
    ])
    expect((await trail.verify()).problem).toBeNull()
  })

  it('continues after an insert that landed but lost its answer, writing nothing twice', async () => {
    const spy = spiedClient(client)
    const trail = new AuditTrail(spy.client, database, clock, 'landed')
    await trail.append(event(0))
    spy.failNextInsert(table, 'after')

    const failed = await trail.appendMany(events(1, 3)).catch((e: unknown) => e)
    const next = await trail.append(event(3))

    expect(failed).toMatchObject({ code: 'FW_STORAGE_FAILED' })
    expect(next.seq).toBe(4)
    expect(await storedSubjects(trail, 'landed')).toEqual([
      [1, 'credit/1d/day-0'],
      [2, 'credit/1d/day-1'],
      [3, 'credit/1d/day-2'],
      [4, 'credit/1d/day-3'],
    ])
    expect((await trail.verify()).problem).toBeNull()
  })
})
