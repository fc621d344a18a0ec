import {
  CloseNotVerifiedError,
  InputInvalidError,
  RecordNotFoundError,
  StorageFailedError,
  TransitionIllegalError,
} from '@fairwatch/governance'
import { StoreError } from '@fairwatch/store'
import { describe, expect, it } from 'vitest'

import { toApiError } from '../src/http/error-handler.ts'

describe('toApiError', () => {
  it('maps governance errors to statuses by their code', () => {
    const cases = [
      new RecordNotFoundError('incident', 'inc-1'),
      new TransitionIllegalError('incident', 'inc-1', 'open', 'resolved'),
      new CloseNotVerifiedError('nc-1', 1, 3, 0),
      new InputInvalidError('owner', 'must not be empty'),
      new StorageFailedError('insert', { cause: new Error('down') }),
    ]

    const mapped = cases.map((err) => [
      toApiError(err).status,
      toApiError(err).code,
      toApiError(err).retriable,
    ])

    expect(mapped).toEqual([
      [404, 'FW_API_NOT_FOUND', false],
      [409, 'FW_API_CONFLICT', false],
      [409, 'FW_API_CONFLICT', true],
      [400, 'FW_API_REQUEST_INVALID', false],
      [503, 'FW_API_UNAVAILABLE', true],
    ])
  })

  it('answers an unavailable store with 503 and a refused query with a generic 500', () => {
    const down = new StoreError('FW_STORE_UNAVAILABLE', 'reading failed', { retriable: true })
    const refused = new StoreError('FW_STORE_QUERY_FAILED', 'SELECT * FROM secret failed', {
      retriable: false,
    })

    expect(toApiError(down).status).toBe(503)
    expect(toApiError(refused).status).toBe(500)
    expect(toApiError(refused).message).not.toContain('SELECT')
  })

  it('never passes on the message of an unknown error', () => {
    const error = toApiError(new Error('/work/main/src/secret.ts:1 exploded'))

    expect(error.status).toBe(500)
    expect(error.code).toBe('FW_API_INTERNAL')
    expect(error.message).not.toContain('secret')
  })
})
