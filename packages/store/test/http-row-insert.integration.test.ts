import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { PredictionRecord } from '@fairwatch/contract'
import { StoreError, createStoreClient, encodeEvents, writeEvents } from '@fairwatch/store'
import { afterEach, describe, expect, it } from 'vitest'

/*
 * What the store sends a ClickHouse server over HTTP when it inserts events. No ClickHouse server
 * runs on the machines these tests run on, so this checks the requests against ClickHouse's
 * documented HTTP interface (the statement in the `query` parameter, the rows as the body,
 * settings as parameters), not a server's answer to them.
 */

interface Received {
  method: string
  url: URL
  body: Buffer
}

let server: Server | undefined

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

async function listen(
  answer: (request: Received, response: ServerResponse) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = []
  server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: new URL(request.url ?? '/', 'http://127.0.0.1'),
        body: Buffer.concat(chunks),
      }
      received.push(entry)
      answer(entry, response)
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, received }
}

const predictions: PredictionRecord[] = [1, 2].map((id) => ({
  kind: 'prediction',
  eventId: `e-${id}`,
  modelId: 'credit',
  modelVersion: '1',
  predictionId: `p-${id}`,
  eventTime: Date.UTC(2026, 0, 5, id),
  decision: 1,
  score: id === 1 ? 0.25 : null,
  attributes: { sex: 'female' },
}))

describe('inserts into a ClickHouse server', () => {
  it('send the statement in the query string and the RowBinary rows as the body', async () => {
    const { url, received } = await listen((_, response) => response.end())
    const { client } = createStoreClient({ url, database: 'fw', dataDir: '' })

    await writeEvents(
      client,
      'fw',
      { predictions, outcomes: [] },
      { deduplicationToken: 't/0/1-2' },
    )
    await client.close()

    // Only the predictions have rows; empty tables are not sent.
    expect(received).toHaveLength(1)
    const [request] = received as [Received]
    expect(request.method).toBe('POST')
    expect(request.url.searchParams.get('query')).toBe(
      'INSERT INTO fw.predictions (model_id, prediction_id, event_id, model_version, event_time, ' +
        'decision, score, attribute_set) FORMAT RowBinary',
    )
    expect(request.url.searchParams.get('insert_deduplication_token')).toBe('t/0/1-2')
    expect(request.body).toEqual(
      Buffer.from(encodeEvents({ predictions, outcomes: [] }).predictions),
    )
  })

  it('reports a refused insert as a StoreError saying whether to retry', async () => {
    const { url } = await listen((_, response) => {
      response.writeHead(500, { 'X-ClickHouse-Exception-Code': '252' })
      response.end('Code: 252. DB::Exception: Too many parts. (TOO_MANY_PARTS)\n')
    })
    const { client } = createStoreClient({ url, database: 'fw', dataDir: '' })

    const attempt = writeEvents(client, 'fw', { predictions, outcomes: [] })

    await expect(attempt).rejects.toBeInstanceOf(StoreError)
    await expect(attempt).rejects.toMatchObject({ retriable: true })
    await client.close()
  })
})
