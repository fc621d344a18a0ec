import type { FastifyRequest } from 'fastify'

import { ForbiddenError, UnauthenticatedError } from '../errors.ts'
import type { Caller, KeyStore } from './key-store.ts'
import { roleAllows, rolesFor } from './roles.ts'
import type { Access } from './roles.ts'

/** The presented key: `Authorization: Bearer <key>` or `X-API-Key: <key>`; null when neither. */
export function presentedKey(request: FastifyRequest): string | null {
  const authorization = request.headers.authorization
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)
    if (!match?.[1]) {
      throw new UnauthenticatedError('the Authorization header must be "Bearer <API key>"')
    }
    return match[1]
  }
  const header = request.headers['x-api-key']
  if (typeof header === 'string' && header.trim() !== '') return header.trim()
  if (Array.isArray(header)) throw new UnauthenticatedError('send exactly one X-API-Key header')
  return null
}

/**
 * Finds the caller of a request and checks that its role allows `access`.
 * @throws UnauthenticatedError (401) without a key or with an unknown or revoked one;
 *   ForbiddenError (403) when the role does not allow the operation; StoreError when the key
 *   table cannot be read.
 */
export async function authorize(
  keys: KeyStore,
  request: FastifyRequest,
  access: Access,
): Promise<Caller> {
  const presented = presentedKey(request)
  if (presented === null) {
    throw new UnauthenticatedError(
      'send an API key as "Authorization: Bearer <key>" or "X-API-Key"',
    )
  }
  const caller = await keys.authenticate(presented)
  if (caller === null) throw new UnauthenticatedError('the API key is unknown or revoked')
  if (!roleAllows(caller.role, access)) {
    throw new ForbiddenError(
      `role ${caller.role} may not do this; it needs one of: ${rolesFor(access).join(', ')}`,
    )
  }
  return caller
}
