import { z } from 'zod'

import type { ApiErrorCode } from '../errors.ts'

/** Media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** An RFC 9457 problem document with Fairwatch's stable `code`. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: ApiErrorCode
  [extension: string]: unknown
}

/** Schema of the problem document, for the OpenAPI document. */
export const problemSchema = z
  .looseObject({
    type: z.string().describe('URI reference naming the kind of problem'),
    title: z.string().describe('Short summary of the kind of problem'),
    status: z.number().int().describe('HTTP status code'),
    detail: z.string().describe('What went wrong in this request'),
    instance: z.string().describe('Identifies this occurrence (the request id)'),
    code: z.string().describe('Stable error code, e.g. FW_API_UNAUTHENTICATED'),
    retriable: z.boolean().describe('Whether the same request may succeed later'),
  })
  .meta({ id: 'Problem' })

/** Builds a problem document; `requestId` names the occurrence (it also appears in the logs). */
export function problemOf(
  code: ApiErrorCode,
  status: number,
  title: string,
  detail: string,
  requestId: string,
  extensions: Readonly<Record<string, unknown>> = {},
  retriable = false,
): Problem {
  return {
    ...extensions,
    type: `urn:fairwatch:problem:${code.toLowerCase()}`,
    title,
    status,
    detail,
    instance: `urn:fairwatch:request:${requestId}`,
    code,
    retriable,
  }
}
