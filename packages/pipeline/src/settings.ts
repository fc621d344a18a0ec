import { readFileSync } from 'node:fs'

import { INTERSECTION_SEPARATOR } from '@fairwatch/metrics'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

import { PipelineConfigError } from './errors.ts'
import { parseWindowSize } from './windows.ts'
import type { WindowSize } from './windows.ts'

const attributeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'must be an attribute name as events carry it')

const modelSettingsSchema = z.strictObject({
  /** Attributes to report; by default every attribute the model's predictions carry. */
  attributes: z.array(attributeName).min(1).optional(),
  /** Intersections to report, each two or more attribute names. */
  intersections: z.array(z.array(attributeName).min(2, 'needs at least two attributes')).optional(),
  /** Reference group per attribute for comparisons; by default the largest group. */
  reference_groups: z.record(z.string(), z.string().min(1)).optional(),
  min_sample: z.number().int().min(1).optional(),
})

const windowLabel = z.string().refine((label) => {
  try {
    parseWindowSize(label)
    return true
  } catch {
    return false
  }
}, 'must be a window size such as 15m, 1h, 1d, 7d or all')

const settingsSchema = z.strictObject({
  windows: z.array(windowLabel).min(1).default(['1d']),
  min_sample: z.number().int().min(1).default(30),
  confidence: z.number().gt(0).lt(1).default(0.95),
  models: z.record(z.string(), modelSettingsSchema).default({}),
})

/** How one model is measured. */
export interface ModelSettings {
  attributes?: readonly string[]
  intersections?: readonly (readonly string[])[]
  referenceGroups: Readonly<Record<string, string>>
  minSample: number
}

/** The pipeline's settings, read from a JSON or YAML file or built in code. */
export interface PipelineSettings {
  windows: readonly WindowSize[]
  confidence: number
  defaultMinSample: number
  /** Settings of one model; models not configured get the defaults. */
  model(modelId: string): ModelSettings
}

/** Default settings: daily windows, minimum sample 30, 95% intervals, every attribute. */
export function defaultSettings(): PipelineSettings {
  return buildSettings(settingsSchema.parse({}))
}

/**
 * Reads settings from a `.json`, `.yaml` or `.yml` file. Throws PipelineConfigError listing every
 * problem with its path, for example `models.credit.intersections[0]: needs at least two attributes`.
 */
export function loadSettings(file: string): PipelineSettings {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new PipelineConfigError('FW_PIPELINE_CONFIG_INVALID', [`${file}: cannot be read`], {
      cause: err,
    })
  }
  let value: unknown
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    const detail = (err as Error).message
    throw new PipelineConfigError('FW_PIPELINE_CONFIG_INVALID', [`${file}: ${detail}`], {
      cause: err,
    })
  }
  return settingsFrom(value ?? {}, file)
}

/** Checks settings given as a plain value (as a file would hold them). */
export function settingsFrom(value: unknown, source = 'settings'): PipelineSettings {
  const parsed = settingsSchema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.map((part, i) =>
        typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
      )
      return `${source}: ${where.join('') || '(root)'}: ${issue.message}`
    })
    throw new PipelineConfigError('FW_PIPELINE_CONFIG_INVALID', problems)
  }
  return buildSettings(parsed.data)
}

function buildSettings(raw: z.infer<typeof settingsSchema>): PipelineSettings {
  const windows = raw.windows.map(parseWindowSize)
  const models = new Map<string, ModelSettings>()
  for (const [modelId, model] of Object.entries(raw.models)) {
    models.set(modelId, {
      attributes: model.attributes,
      intersections: model.intersections,
      referenceGroups: model.reference_groups ?? {},
      minSample: model.min_sample ?? raw.min_sample,
    })
  }
  const fallback: ModelSettings = { referenceGroups: {}, minSample: raw.min_sample }
  return {
    windows,
    confidence: raw.confidence,
    defaultMinSample: raw.min_sample,
    model: (modelId) => models.get(modelId) ?? fallback,
  }
}

/** Name of an intersection attribute, e.g. `ethnicity&sex`. */
export function intersectionName(attributes: readonly string[]): string {
  return attributes.join(INTERSECTION_SEPARATOR)
}
