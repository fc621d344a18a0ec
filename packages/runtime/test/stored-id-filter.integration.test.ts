import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { OutcomeRecord, PredictionRecord } from '@fairwatch/contract'
import { silentLogger } from '@fairwatch/observability'
import { settingsFrom } from '@fairwatch/pipeline'
import { EmbeddedRuntime, StoredIdFilter } from '@fairwatch/runtime'
import { storedEventIdPages } from '@fairwatch/store'
import { afterEach, describe, expect, it } from 'vitest'

const dirs: string[] = []

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function start(dataDir: string, storedIdCapacity?: number): Promise<EmbeddedRuntime> {
  return EmbeddedRuntime.start({
    store: { database: 'fairwatch', dataDir },
    settings: settingsFrom({ windows: ['1d'], models: { m: { attributes: ['sex'] } } }),
    logger: silentLogger(),
    recomputeIntervalMs: 3_600_000,
    storedIdCapacity,
  })
}

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fairwatch-ids-'))
  dirs.push(dir)
  return dir
}

// Spread over three months, so the stored ids sit in three partitions.
const MONTHS = ['2026-01-15T00:00:00Z', '2026-02-15T00:00:00Z', '2026-03-15T00:00:00Z']

function prediction(i: number): PredictionRecord {
  return {
    kind: 'prediction',
    eventId: `pred-${i}`,
    modelId: 'm',
    modelVersion: 'v1',
    predictionId: `p-${i}`,
    eventTime: Date.parse(MONTHS[i % 3] as string) + i,
    decision: (i % 2) as 0 | 1,
    score: null,
    attributes: { sex: i % 2 === 0 ? 'female' : 'male' },
  }
}

function outcome(i: number): OutcomeRecord {
  return {
    kind: 'outcome',
    eventId: `out-${i}`,
    modelId: 'm',
    predictionId: `p-${i}`,
    eventTime: Date.parse(MONTHS[i % 3] as string) + i,
    outcome: 1,
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('stored event id pages', () => {
  it('hold every stored id once across partitions and hash slices', async () => {
    const runtime = await start(freshDir())
    try {
      await runtime.ingest(range(700).map(prediction))
      await runtime.ingest(range(40).map(outcome))

      const pages: string[][] = []
      for await (const page of storedEventIdPages(
        runtime.client,
        runtime.database,
        'prediction',
        100,
      )) {
        pages.push(page)
      }

      // About 233 ids per month, in slices of about 100: three partitions of three slices each.
      expect(pages.length).toBe(9)
      const ids = pages.flat()
      expect(ids.length).toBe(700)
      expect(new Set(ids)).toEqual(new Set(range(700).map((i) => `pred-${i}`)))
    } finally {
      await runtime.stop()
    }
  })
})

describe('stored id filter of the embedded runtime', () => {
  it('knows the ids stored before the process started, and those stored since', async () => {
    const dataDir = freshDir()
    const first = await start(dataDir)
    await first.ingest([...range(500).map(prediction), ...range(200).map(outcome)])
    await first.stop()

    const runtime = await start(dataDir)
    try {
      await runtime.storedIdsLoaded()
      const filter = runtime.storedIds as StoredIdFilter
      expect(filter.ready).toBe(true)
      expect(filter.size).toBe(700)
      for (const i of range(500)) expect(filter.mayBeStored('prediction', `pred-${i}`)).toBe(true)
      for (const i of range(200)) expect(filter.mayBeStored('outcome', `out-${i}`)).toBe(true)

      await runtime.ingest([prediction(900)])
      expect(filter.mayBeStored('prediction', 'pred-900')).toBe(true)

      // New ids are mostly known to be new; the default filter errs on about 1 in 100.
      const fresh = range(2000).filter((i) => filter.mayBeStored('prediction', `new-${i}`))
      expect(fresh.length).toBeLessThan(60)
      // Kinds are apart: an outcome id is not a prediction id.
      const crossed = range(200).filter((i) => filter.mayBeStored('prediction', `out-${i}`))
      expect(crossed.length).toBeLessThan(20)
    } finally {
      await runtime.stop()
    }
  })

  it('stops answering once more ids were stored than its capacity', async () => {
    const runtime = await start(freshDir(), 100)
    try {
      await runtime.storedIdsLoaded()
      const filter = runtime.storedIds as StoredIdFilter
      expect(filter.ready).toBe(true)

      await runtime.ingest(range(101).map(prediction))

      expect(filter.ready).toBe(false)
    } finally {
      await runtime.stop()
    }
  })

  it('is not ready before it has loaded', () => {
    expect(new StoredIdFilter({ capacity: 10 }).ready).toBe(false)
  })
})
