import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { PipelineConfigError, defaultSettings, loadSettings } from '@fairwatch/pipeline'

function writeTemp(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fw-settings-')), name)
  writeFileSync(file, text)
  return file
}

describe('pipeline settings', () => {
  it('defaults to daily windows, minimum sample 30 and 95% intervals', () => {
    const settings = defaultSettings()

    expect(settings.windows.map((w) => w.label)).toEqual(['1d'])
    expect(settings.confidence).toBe(0.95)
    expect(settings.model('any').minSample).toBe(30)
  })

  it('reads per-model attributes, intersections and reference groups from YAML', () => {
    const file = writeTemp(
      'fairwatch.yaml',
      [
        'windows: [1h, 7d]',
        'min_sample: 50',
        'models:',
        '  credit:',
        '    attributes: [sex, race]',
        '    intersections: [[race, sex]]',
        '    reference_groups: { race: white }',
        '    min_sample: 10',
      ].join('\n'),
    )

    const settings = loadSettings(file)

    expect(settings.windows.map((w) => w.label)).toEqual(['1h', '7d'])
    expect(settings.model('credit')).toEqual({
      attributes: ['sex', 'race'],
      intersections: [['race', 'sex']],
      referenceGroups: { race: 'white' },
      minSample: 10,
    })
    expect(settings.model('other').minSample).toBe(50)
  })

  it('lists every problem of a broken file with its path', () => {
    const file = writeTemp(
      'broken.json',
      JSON.stringify({
        windows: ['1w'],
        confidence: 1.5,
        models: { credit: { intersections: [['race']], colour: 'blue' } },
      }),
    )

    let error: PipelineConfigError | undefined
    try {
      loadSettings(file)
    } catch (err) {
      error = err as PipelineConfigError
    }

    expect(error).toBeInstanceOf(PipelineConfigError)
    const problems = error?.problems.join('\n') ?? ''
    expect(problems).toContain('windows[0]: must be a window size')
    expect(problems).toContain('confidence:')
    expect(problems).toContain('models.credit.intersections[0]: needs at least two attributes')
    expect(problems).toContain('models.credit: Unrecognized key')
  })

  it('says which file cannot be parsed', () => {
    const file = writeTemp('bad.yaml', 'windows: [1d\n')

    expect(() => loadSettings(file)).toThrow(new RegExp(`${file.replace(/[/.]/g, '\\$&')}`))
  })
})
