import type { FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'

import type { Caller } from '../auth/key-store.ts'
import type { Access } from '../auth/roles.ts'

/** What a handler receives: the validated inputs and who is calling. */
export interface RouteInput<P, Q, B> {
  params: P
  query: Q
  body: B
  /** The authenticated caller; null only on public routes. */
  caller: Caller | null
  request: FastifyRequest
  reply: FastifyReply
}

/**
 * One operation of the API, described once: the server validates requests with these zod
 * schemas and the OpenAPI document is generated from the same schemas.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST'
  /** OpenAPI-style path with `{name}` parameters. */
  path: string
  operationId: string
  tag: string
  summary: string
  description?: string
  /** Who may call it; `public` needs no key. */
  access: Access | 'public'
  params?: P
  query?: Q
  body?: B
  /** The success response: status and body schema. */
  response: { status: number; description: string; schema: z.ZodType }
  /** Error statuses this operation documents besides the ones every route may answer. */
  errors?: readonly number[]
  handler: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>
}

/** Declares a route with its input types inferred from its schemas. */
export function defineRoute<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec
}
