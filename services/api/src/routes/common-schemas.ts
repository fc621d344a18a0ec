import { z } from 'zod'

/** Page size: 1-1000, default 100. */
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(100)
  .describe('Items per page (1-1000)')

/** Items to skip: default 0. */
export const offsetParam = z.coerce
  .number()
  .int()
  .min(0)
  .max(1_000_000_000)
  .default(0)
  .describe('Items to skip')

/** An RFC 3339 date-time with offset, decoded to a Date. */
export const timeParam = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 date-time with an offset' })
  .transform((text) => new Date(text))

/** A short identifier-like filter value. */
export const textParam = z.string().min(1).max(256)

/** Why a change is made: required on every change, recorded in the audit trail. */
export const reasonField = z
  .string()
  .trim()
  .min(1, 'a reason is required')
  .max(4000)
  .describe('Why the change is made; recorded in the audit trail')

/** Path parameter `id` of a record. */
export const idParams = z.object({ id: z.string().min(1).max(256) })

/** Path parameter `model_id`. */
export const modelParams = z.object({
  model_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'not a model id'),
})

/** Boolean query flag: `true`/`false`/`1`/`0`. */
export const flagParam = z
  .enum(['true', 'false', '1', '0'])
  .transform((text) => text === 'true' || text === '1')
