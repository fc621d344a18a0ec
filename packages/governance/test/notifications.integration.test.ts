import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ClickHouseClient } from '@clickhouse/client'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GovernanceService } from '../src/service/governance-service'
import { embeddedClickHouse, manualClock } from './clickhouse-fixture'

const database = 'governance_notify_test'
let client: ClickHouseClient
let close: () => Promise<void>
const receivers: Server[] = []

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: unknown
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

/** A webhook receiver that answers each path with the given status and records what it got. */
function startReceiver(
  port: number,
  status: (n: number) => number,
  received: Received[],
): Promise<number> {
  let n = 0
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const code = status(n++)
      if (code < 300) {
        received.push({
          path: req.url ?? '',
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        })
      }
      res.writeHead(code).end()
    })
  })
  receivers.push(receiver)
  return listen(receiver, port)
}

beforeAll(async () => {
  ;({ client, close } = await embeddedClickHouse(database))
})

afterAll(async () => {
  await Promise.all(receivers.filter((r) => r.listening).map(stop))
  await close()
})

describe('webhook notifications', () => {
  it('delivers every notification once the receiver is up, none lost, each with its idempotency key', async () => {
    // Take a free port, then leave it closed: the receiver is down.
    const probe = createServer()
    const port = await listen(probe, 0)
    await stop(probe)
    const clock = manualClock(new Date('2025-04-01T12:00:00Z'))
    const svc = new GovernanceService({
      client,
      database,
      logger: pino({ level: 'silent' }),
      clock: clock.now,
      backoff: { initialMs: 1_000, maxMs: 8_000 },
      notificationTargets: [
        { name: 'oncall', url: `http://127.0.0.1:${port}/hook`, format: 'generic' },
        {
          name: 'alertmanager',
          url: `http://127.0.0.1:${port}/api/v2/alerts`,
          format: 'alertmanager',
          headers: { authorization: 'Bearer t' },
        },
      ],
    })
    const first = await svc.openIncident({
      title: 'Approval gap',
      modelId: 'credit',
      severity: 'critical',
      actor: 'ana',
      reason: 'seen on dashboard',
    })
    await svc.openIncident({
      title: 'Score drift',
      modelId: 'credit',
      severity: 'medium',
      actor: 'ana',
      reason: 'seen on dashboard',
    })
    await svc.transitionIncident(first.id, { to: 'acknowledged', actor: 'oncall' })
    const queued = await svc.pendingNotifications()

    const down = await svc.deliverNotifications()
    const notDueYet = await svc.deliverNotifications()
    clock.advance(1_000)
    const stillDown = await svc.deliverNotifications()
    const received: Received[] = []
    await startReceiver(port, () => 200, received)
    clock.advance(1_999)
    const beforeBackoffEnds = await svc.deliverNotifications()
    clock.advance(1)
    const up = await svc.deliverNotifications()
    const afterwards = await svc.deliverNotifications()

    expect(queued).toHaveLength(6)
    expect([down.attempted, down.delivered]).toEqual([6, 0])
    expect(
      down.failed.every((f) => f.status === null && f.nextAttemptAt === '2025-04-01T12:00:01.000Z'),
    ).toBe(true)
    expect(notDueYet.attempted).toBe(0)
    expect([stillDown.attempted, stillDown.delivered]).toEqual([6, 0])
    expect(beforeBackoffEnds.attempted).toBe(0)
    expect([up.attempted, up.delivered, up.failed.length]).toEqual([6, 6, 0])
    expect(afterwards.attempted).toBe(0)
    expect(await svc.pendingNotifications()).toEqual([])

    const headerKeys = received.map((r) => r.headers['idempotency-key'])
    const bodyKeys = received.map((r) =>
      r.path === '/hook'
        ? (r.body as { idempotencyKey: string }).idempotencyKey
        : (r.body as { annotations: { idempotency_key: string } }[])[0]?.annotations
            .idempotency_key,
    )
    expect(new Set(headerKeys)).toEqual(new Set(queued.map((q) => q.id)))
    expect(bodyKeys).toEqual(headerKeys)
    expect(
      received
        .filter((r) => r.path === '/api/v2/alerts')
        .every((r) => r.headers.authorization === 'Bearer t'),
    ).toBe(true)
  })

  it('sends Alertmanager the /api/v2/alerts array, ending the alert when the incident resolves', async () => {
    const received: Received[] = []
    const port = await startReceiver(0, () => 200, received)
    const clock = manualClock(new Date('2025-04-02T12:00:00Z'))
    const svc = new GovernanceService({
      client,
      database,
      logger: pino({ level: 'silent' }),
      clock: clock.now,
      notificationTargets: [
        { name: 'am', url: `http://127.0.0.1:${port}/api/v2/alerts`, format: 'alertmanager' },
      ],
    })
    const incident = await svc.openIncident({
      title: 'Gap',
      modelId: 'hiring',
      severity: 'high',
      actor: 'ana',
      reason: 'r',
    })
    await svc.transitionIncident(incident.id, { to: 'acknowledged', actor: 'bo' })
    await svc.transitionIncident(incident.id, { to: 'mitigated', actor: 'bo' })
    clock.advance(60_000)
    await svc.transitionIncident(incident.id, { to: 'resolved', actor: 'bo' })

    await svc.deliverNotifications()

    const alerts = received.map((r) => r.body as Record<string, unknown>[])
    expect(alerts).toHaveLength(4)
    expect(alerts.every((a) => Array.isArray(a) && a.length === 1)).toBe(true)
    expect(alerts[0]?.[0]).toMatchObject({
      labels: {
        alertname: 'FairwatchIncident',
        severity: 'high',
        model: 'hiring',
        subject_id: incident.id,
      },
      annotations: { summary: 'Gap' },
      startsAt: '2025-04-02T12:00:00.000Z',
    })
    expect(alerts[0]?.[0]).not.toHaveProperty('endsAt')
    expect(alerts[3]?.[0]).toMatchObject({
      endsAt: '2025-04-02T12:01:00.000Z',
      annotations: { status: 'resolved' },
    })
  })

  it('retries a receiver answering with errors until it accepts', async () => {
    const received: Received[] = []
    const port = await startReceiver(0, (n) => (n < 2 ? 503 : 202), received)
    const clock = manualClock(new Date('2025-04-03T12:00:00Z'))
    const svc = new GovernanceService({
      client,
      database,
      logger: pino({ level: 'silent' }),
      clock: clock.now,
      backoff: { initialMs: 1_000, maxMs: 8_000 },
      notificationTargets: [
        { name: 'flaky', url: `http://127.0.0.1:${port}/hook`, format: 'generic' },
      ],
    })
    await svc.openIncident({
      title: 'Gap',
      modelId: 'loans',
      severity: 'low',
      actor: 'ana',
      reason: 'r',
    })

    const first = await svc.deliverNotifications()
    clock.advance(1_000)
    const second = await svc.deliverNotifications()
    clock.advance(2_000)
    const third = await svc.deliverNotifications()

    expect(first.failed.map((f) => [f.status, f.nextAttemptAt])).toEqual([
      [503, '2025-04-03T12:00:01.000Z'],
    ])
    expect(second.failed.map((f) => [f.status, f.nextAttemptAt])).toEqual([
      [503, '2025-04-03T12:00:03.000Z'],
    ])
    expect(third.delivered).toBe(1)
    expect(received).toHaveLength(1)
  })
})
