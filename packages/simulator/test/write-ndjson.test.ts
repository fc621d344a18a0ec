import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { FairnessEvent } from '@fairwatch/contract'
import { NdjsonWriteFailedError, generateEvents, writeNdjson } from '@fairwatch/simulator'

let directory = ''

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'fairwatch-simulator-'))
})

afterEach(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe('writeNdjson', () => {
  it('writes one JSON event per line, in order, and reports the count and size', async () => {
    const events = [...generateEvents({ seed: 3, count: 25_000 })]
    const filePath = join(directory, 'events.ndjson')

    const summary = await writeNdjson(events, filePath)

    const text = await readFile(filePath, 'utf8')
    const lines = text.split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.map((line) => JSON.parse(line))).toEqual(events)
    expect(summary).toEqual({ events: 25_000, bytes: (await stat(filePath)).size })
    expect(await readdir(directory)).toEqual(['events.ndjson'])
  })

  it('writes an empty file for no events', async () => {
    const filePath = join(directory, 'empty.ndjson')

    const summary = await writeNdjson([], filePath)

    expect(summary).toEqual({ events: 0, bytes: 0 })
    expect(await readFile(filePath, 'utf8')).toBe('')
  })

  it('fails with a write error naming the file when its directory does not exist', async () => {
    const filePath = join(directory, 'missing', 'events.ndjson')

    const attempt = writeNdjson(generateEvents({ seed: 3, count: 10 }), filePath)

    await expect(attempt).rejects.toBeInstanceOf(NdjsonWriteFailedError)
    await expect(attempt).rejects.toMatchObject({
      code: 'FW_SIMULATOR_WRITE_FAILED',
      filePath,
      retriable: false,
      cause: { code: 'ENOENT' },
    })
  })

  it('passes on an error of the events themselves and leaves no file behind', async () => {
    const broken = new Error('source broke')
    function* failing(): Generator<FairnessEvent> {
      yield* generateEvents({ seed: 3, count: 50_000 })
      throw broken
    }

    const attempt = writeNdjson(failing(), join(directory, 'events.ndjson'))

    await expect(attempt).rejects.toBe(broken)
    expect(await readdir(directory)).toEqual([])
  })
})
