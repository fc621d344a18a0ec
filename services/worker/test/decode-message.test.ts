import { describe, expect, test } from 'vitest'

import { DEAD_LETTER_HEADERS, decodeBatch, decodeMessage, deadLetterMessage } from '../src/index.ts'

const prediction = {
  kind: 'prediction',
  event_id: 'e-1',
  model_id: 'credit',
  model_version: '1',
  prediction_id: 'p-1',
  timestamp: '2025-01-06T10:00:00Z',
  prediction: 1,
  score: 0.9,
  attributes: { sex: 'female' },
}
const outcome = {
  kind: 'outcome',
  event_id: 'e-2',
  model_id: 'credit',
  prediction_id: 'p-1',
  timestamp: '2025-02-01T10:00:00Z',
  outcome: 0,
}
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value))

describe('decodeMessage', () => {
  test('accepts a prediction on the predictions topic', () => {
    const result = decodeMessage(bytes(prediction), 'prediction', 'fairness.predictions')

    expect(result).toMatchObject({ ok: true, record: { kind: 'prediction', predictionId: 'p-1' } })
  })

  test('refuses an outcome on the predictions topic as wrong_topic, keeping its text', () => {
    const result = decodeMessage(bytes(outcome), 'prediction', 'fairness.predictions')

    expect(result).toEqual({
      ok: false,
      rejection: {
        reason: 'wrong_topic',
        field: 'kind',
        message:
          'an outcome event on topic fairness.predictions, which carries prediction events only',
        raw: JSON.stringify(outcome),
      },
    })
  })

  test('refuses bytes that are not UTF-8 and a missing value as malformed_json', () => {
    const invalid = decodeMessage(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'outcome', 't')
    const tombstone = decodeMessage(null, 'outcome', 't')

    expect(invalid).toMatchObject({ ok: false, rejection: { reason: 'malformed_json' } })
    expect(tombstone).toMatchObject({ ok: false, rejection: { reason: 'malformed_json', raw: '' } })
  })

  test('passes the contract reasons through: oversize, unknown version, invalid field', () => {
    const big = Buffer.from(JSON.stringify({ ...prediction, pad: 'x'.repeat(70_000) }))
    const version = bytes({ ...prediction, contract_version: 7 })
    const score = bytes({ ...prediction, score: 3 })

    const reasons = [big, version, score].map((value) => {
      const result = decodeMessage(value, 'prediction', 't')
      return result.ok ? 'accepted' : `${result.rejection.reason}:${result.rejection.field}`
    })

    expect(reasons).toEqual([
      'oversize:null',
      'unknown_contract_version:contract_version',
      'invalid_field:score',
    ])
  })
})

describe('decodeBatch', () => {
  test('splits a batch into predictions, outcomes and refused messages in order', () => {
    const messages = [
      { value: bytes(prediction), offset: '0' },
      { value: Buffer.from('{not json'), offset: '1' },
      { value: bytes({ ...prediction, event_id: 'e-3', prediction_id: 'p-3' }), offset: '2' },
    ]

    const decoded = decodeBatch(messages, 'prediction', 't')

    expect(decoded.predictions.map((p) => p.eventId)).toEqual(['e-1', 'e-3'])
    expect(decoded.outcomes).toEqual([])
    expect(decoded.rejected.map((r) => [r.message.offset, r.rejection.reason])).toEqual([
      ['1', 'malformed_json'],
    ])
  })
})

describe('deadLetterMessage', () => {
  test('keeps the original value, key and headers and adds why and where', () => {
    const value = Buffer.from('{not json')
    const key = Buffer.from('p-9')
    const message = {
      key,
      value,
      offset: '41',
      timestamp: '1736157600000',
      attributes: 0,
      headers: { trace: 'abc' },
    }
    const rejection = { reason: 'malformed_json' as const, field: null, message: 'bad', raw: '' }

    const copy = deadLetterMessage({ topic: 'fairness.outcomes', partition: 2, message }, rejection)

    expect(copy.value).toBe(value)
    expect(copy.key).toBe(key)
    expect(copy.headers).toEqual({
      trace: 'abc',
      [DEAD_LETTER_HEADERS.reason]: 'malformed_json',
      [DEAD_LETTER_HEADERS.field]: '',
      [DEAD_LETTER_HEADERS.message]: 'bad',
      [DEAD_LETTER_HEADERS.sourceTopic]: 'fairness.outcomes',
      [DEAD_LETTER_HEADERS.sourcePartition]: '2',
      [DEAD_LETTER_HEADERS.sourceOffset]: '41',
      [DEAD_LETTER_HEADERS.sourceTimestamp]: '1736157600000',
    })
  })
})
