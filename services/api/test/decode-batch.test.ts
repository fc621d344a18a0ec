import { describe, expect, it } from 'vitest'

import { decodeBatch, isNdjson } from '../src/ingest/decode-batch.ts'
import { BodyMalformedError } from '../src/errors.ts'

describe('decodeBatch', () => {
  it('splits NDJSON into lines, skipping blank ones and keeping line numbers', () => {
    const body = '{"a":1}\r\n\n  \n{"b":2}\n'

    const events = decodeBatch(body, true)

    expect(events).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":2}', line: 4 },
    ])
  })

  it('keeps a broken NDJSON line as an event of its own for the contract to refuse', () => {
    const events = decodeBatch('{"a":1}\n{broken', true)

    expect(events).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{broken', line: 2 },
    ])
  })

  it('turns each element of a JSON array into one event', () => {
    const events = decodeBatch('[{"a":1}, 3, null]', false)

    expect(events).toEqual([{ value: { a: 1 } }, { value: 3 }, { value: null }])
  })

  it('refuses a JSON body that is not an array or not JSON', () => {
    expect(() => decodeBatch('{"a":1}', false)).toThrow(BodyMalformedError)
    expect(() => decodeBatch('[{"a":', false)).toThrow(BodyMalformedError)
  })
})

describe('isNdjson', () => {
  it('recognises the NDJSON media types with parameters and in any case', () => {
    expect(isNdjson('application/x-ndjson; charset=utf-8')).toBe(true)
    expect(isNdjson('Application/NDJSON')).toBe(true)
    expect(isNdjson('application/json')).toBe(false)
    expect(isNdjson(undefined)).toBe(false)
  })
})
