import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  MAX_EVENT_BYTES,
  checkEvent,
  eventJsonSchemas,
  fairnessEventSchema,
  parseEvent,
} from '@fairwatch/contract'

const prediction = {
  kind: 'prediction',
  event_id: 'evt-1',
  model_id: 'credit-scoring',
  model_version: '2.3.0',
  prediction_id: 'app-1',
  timestamp: '2024-05-01T12:00:00.250+02:00',
  prediction: 1,
  score: 0.82,
  attributes: { sex: 'female', age_band: '25-34' },
}

const outcome = {
  kind: 'outcome',
  event_id: 'evt-2',
  model_id: 'credit-scoring',
  prediction_id: 'app-1',
  timestamp: '2024-06-01T00:00:00Z',
  outcome: 0,
}

function rejectionOf(value: unknown) {
  const result = parseEvent(typeof value === 'string' ? value : JSON.stringify(value))
  if (result.ok) throw new Error('expected a rejection')
  return result.rejection
}

describe('parseEvent', () => {
  it('turns a valid prediction into a record with its event time in epoch milliseconds', () => {
    const result = parseEvent(JSON.stringify(prediction))

    expect(result).toEqual({
      ok: true,
      record: {
        kind: 'prediction',
        eventId: 'evt-1',
        modelId: 'credit-scoring',
        modelVersion: '2.3.0',
        predictionId: 'app-1',
        eventTime: Date.UTC(2024, 4, 1, 10, 0, 0, 250),
        decision: 1,
        score: 0.82,
        attributes: { sex: 'female', age_band: '25-34' },
      },
    })
  })

  it('accepts an outcome and a prediction without score or version', () => {
    const { score: _score, ...unscored } = prediction

    const first = parseEvent(JSON.stringify(outcome))
    const second = parseEvent(JSON.stringify({ ...unscored, contract_version: 1 }))

    expect(first.ok && first.record.kind === 'outcome' && first.record.outcome).toBe(0)
    expect(second.ok && second.record.kind === 'prediction' && second.record.score).toBeNull()
  })

  it('keeps the raw text of malformed JSON and says where it broke', () => {
    const rejection = rejectionOf('{"kind": "prediction", ')

    expect(rejection.reason).toBe('malformed_json')
    expect(rejection.raw).toBe('{"kind": "prediction", ')
    expect(rejection.message).toMatch(/position|JSON/)
  })

  it('names every invalid field by its path', () => {
    const rejection = rejectionOf({
      ...prediction,
      prediction: 2,
      timestamp: '2024-02-30T10:00:00Z',
      attributes: { sex: 3 },
    })

    expect(rejection.reason).toBe('invalid_field')
    expect(rejection.field).toBe('timestamp')
    expect(rejection.message).toContain('prediction: must be 0 or 1')
    expect(rejection.message).toContain('attributes.sex:')
    expect(rejection.message).toContain('timestamp: must be an RFC 3339 date-time')
  })

  it('refuses a timestamp without an offset, a score above 1 and the reserved group label', () => {
    const cases = [
      { ...prediction, timestamp: '2024-05-01T12:00:00' },
      { ...prediction, score: 1.5 },
      { ...prediction, attributes: { sex: '(missing)' } },
      { ...prediction, attributes: { 'bad&name': 'x' } },
    ]

    const fields = cases.map((event) => rejectionOf(event).field)

    expect(fields).toEqual(['timestamp', 'score', 'attributes.sex', 'attributes.bad&name'])
  })

  it('tells an unknown contract version and an unknown kind from other errors', () => {
    expect(rejectionOf({ ...prediction, contract_version: 2 }).reason).toBe(
      'unknown_contract_version',
    )
    expect(rejectionOf({ ...prediction, kind: 'click' }).reason).toBe('unknown_kind')
    expect(rejectionOf([prediction]).reason).toBe('not_an_object')
    expect(rejectionOf('null').reason).toBe('not_an_object')
  })

  it('refuses a decoded value nested too deeply to write out, without throwing', () => {
    let nested: unknown = []
    for (let depth = 0; depth < 200_000; depth += 1) nested = [nested]

    const result = checkEvent(nested)

    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.rejection.reason).toBe('not_an_object')
    expect(result.rejection.raw).toMatch(/nested too deeply/)
  })

  it('refuses an event larger than the size limit without parsing it', () => {
    const huge = JSON.stringify({ ...prediction, model_version: 'x'.repeat(MAX_EVENT_BYTES) })

    const rejection = rejectionOf(huge)

    expect(rejection.reason).toBe('oversize')
    expect(rejection.raw).toBe(huge)
  })

  it('gives the same verdict as the zod schema for arbitrary events', () => {
    const field = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 4 }),
      fc.constantFrom('', 'credit', 'a'.repeat(300), '2024-05-01T12:00:00Z', '(missing)'),
      fc.integer({ min: -1, max: 2 }),
      fc.double({ min: -1, max: 2, noNaN: false }),
      fc.constant(null),
      fc.dictionary(
        fc.string({ maxLength: 3 }),
        fc.oneof(fc.string({ maxLength: 3 }), fc.integer()),
      ),
    )
    const mutated = fc
      .record({
        base: fc.constantFrom<Record<string, unknown>>(prediction, outcome),
        key: fc.constantFrom(
          'kind',
          'event_id',
          'model_id',
          'model_version',
          'prediction_id',
          'timestamp',
          'prediction',
          'score',
          'attributes',
          'outcome',
          'contract_version',
        ),
        value: field,
      })
      .map(({ base, key, value }) => ({ ...base, [key]: value }))

    fc.assert(
      fc.property(mutated, (event) => {
        const ours = parseEvent(JSON.stringify(event)).ok
        const schema = fairnessEventSchema.safeParse(JSON.parse(JSON.stringify(event))).success

        expect(ours).toBe(schema)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('eventJsonSchemas', () => {
  it('publishes the required fields of both events for producers', () => {
    const schemas = eventJsonSchemas() as {
      prediction: { required: string[] }
      outcome: { required: string[] }
    }

    expect(schemas.prediction.required).toEqual(
      expect.arrayContaining(['kind', 'event_id', 'prediction_id', 'timestamp', 'attributes']),
    )
    expect(schemas.outcome.required).toEqual(expect.arrayContaining(['outcome', 'prediction_id']))
  })
})
