import type { PredictionRecord } from '@fairwatch/contract'
import { encodeEvents } from '@fairwatch/store'
import { describe, expect, it } from 'vitest'

import { lineChunks } from '../src/line-chunks.ts'
import { parseChunk } from '../src/parse-thread.ts'

async function collect(input: Iterable<Uint8Array | string>, size: number): Promise<string[]> {
  const chunks: string[] = []
  for await (const chunk of lineChunks(input, size)) chunks.push(Buffer.from(chunk).toString())
  return chunks
}

describe('line chunks', () => {
  it('cut the input after a line end once a chunk reaches its size, and lose no byte', async () => {
    const pieces = ['ab\ncd', 'e\n', 'fg\n', 'hij', '\nk']

    const chunks = await collect(pieces, 4)

    // 'ab\ncd' reaches the size: cut after its last line end; 'cd' + 'e\n' does too, and so on.
    expect(chunks).toEqual(['ab\n', 'cde\n', 'fg\nhij\n', 'k'])
    expect(chunks.join('')).toBe(pieces.join(''))
  })

  it('keep a line longer than the size whole', async () => {
    const chunks = await collect(['0123', '4567', '89\nx\n'], 3)

    expect(chunks).toEqual(['0123456789\nx\n'])
  })

  it('give every chunk a buffer of its own, which can be moved to a thread', async () => {
    const shared = Buffer.from('one\ntwo\nthree\n')
    const chunks: Uint8Array[] = []
    for await (const chunk of lineChunks([shared.subarray(0, 8), shared.subarray(8)], 4)) {
      chunks.push(chunk)
    }

    expect(chunks.map((c) => c.byteLength === c.buffer.byteLength)).toEqual([true, true])
  })
})

const prediction = (id: string) =>
  JSON.stringify({
    kind: 'prediction',
    event_id: `e-${id}`,
    model_id: 'credit',
    model_version: '1',
    prediction_id: id,
    timestamp: '2024-05-01T10:00:00Z',
    prediction: 1,
    attributes: { sex: 'f' },
  })

describe('parsing a chunk', () => {
  it('numbers lines within the chunk, blank ones included, and encodes the valid events', () => {
    const text = [prediction('a'), '', '{"kind":', prediction('b') + '\r', '   '].join('\n') + '\n'

    const parsed = parseChunk(new TextEncoder().encode(text))

    expect(parsed.lines).toBe(5)
    expect(parsed.lastLine).toBe(5)
    expect(parsed.predictions).toBe(2)
    expect(parsed.outcomes).toBe(0)
    expect(parsed.rejected.map((r) => [r.line, r.rejection.reason])).toEqual([
      [3, 'malformed_json'],
      [5, 'malformed_json'],
    ])
    const record = (id: string): PredictionRecord => ({
      kind: 'prediction',
      eventId: `e-${id}`,
      modelId: 'credit',
      modelVersion: '1',
      predictionId: id,
      eventTime: Date.parse('2024-05-01T10:00:00Z'),
      decision: 1,
      score: null,
      attributes: { sex: 'f' },
    })
    const expected = encodeEvents({ predictions: [record('a'), record('b')], outcomes: [] })
    expect(Buffer.from(parsed.rows.predictions)).toEqual(Buffer.from(expected.predictions))
    expect(parsed.rows.outcomes.byteLength).toBe(0)
  })

  it('counts a last line without a line end', () => {
    const parsed = parseChunk(new TextEncoder().encode(`\n${prediction('c')}`))

    expect([parsed.lines, parsed.lastLine, parsed.predictions]).toEqual([2, 2, 1])
  })
})
