/**
 * Roles of API keys:
 * - `producer`: sends events, nothing else;
 * - `viewer`: reads metrics, evaluations, policies, records and the audit trail;
 * - `responder`: a viewer who also works nonconformities and incidents;
 * - `admin`: everything, including policies and API keys.
 */
export type Role = 'producer' | 'viewer' | 'responder' | 'admin'

/** Every role, for validation and documentation. */
export const ROLES: readonly Role[] = ['producer', 'viewer', 'responder', 'admin']

/** What an operation needs: sending events, reading, working records, or administration. */
export type Access = 'ingest' | 'read' | 'workflow' | 'admin'

const ALLOWED: Readonly<Record<Access, readonly Role[]>> = {
  ingest: ['producer', 'admin'],
  read: ['viewer', 'responder', 'admin'],
  workflow: ['responder', 'admin'],
  admin: ['admin'],
}

/** Whether a role may perform an operation needing `access`. */
export function roleAllows(role: Role, access: Access): boolean {
  return ALLOWED[access].includes(role)
}

/** Roles that may perform an operation needing `access`, for documentation and messages. */
export function rolesFor(access: Access): readonly Role[] {
  return ALLOWED[access]
}
