import { z } from 'zod'

import { outcomeEventSchema, predictionEventSchema } from './schemas.ts'

/**
 * JSON Schemas (draft 2020-12) of the two events, for producers written in any language. Generated
 * from the same zod schemas that check events at run time.
 */
export function eventJsonSchemas(): { prediction: object; outcome: object } {
  return {
    prediction: z.toJSONSchema(predictionEventSchema, { io: 'input' }),
    outcome: z.toJSONSchema(outcomeEventSchema, { io: 'input' }),
  }
}
