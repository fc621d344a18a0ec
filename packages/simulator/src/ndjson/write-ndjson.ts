import { open, rename, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'

import type { FairnessEvent } from '@fairwatch/contract'

import { NdjsonWriteFailedError } from '../errors.ts'

/** What writeNdjson wrote. */
export interface NdjsonWriteSummary {
  /** Lines written, one per event. */
  events: number
  /** Size of the file in bytes. */
  bytes: number
}

/** Characters gathered before each write to the file. */
const CHUNK_CHARS = 1 << 20

/**
 * Writes events as newline-delimited JSON, one event per line, in the order given. The file
 * appears at `filePath` only once complete: the lines go to `<filePath>.partial`, renamed when
 * every event is written, so a reader never takes a half-written file for a whole one. An existing
 * file at `filePath` is replaced.
 *
 * @throws NdjsonWriteFailedError when the file cannot be written; the partial file is removed.
 *   An error thrown while iterating `events` is passed on as it is, after the same clean-up.
 */
export async function writeNdjson(
  events: Iterable<FairnessEvent>,
  filePath: string,
): Promise<NdjsonWriteSummary> {
  const partialPath = `${filePath}.partial`
  const handle = await io(filePath, () => open(partialPath, 'w'))
  let lines = 0
  let bytes = 0
  try {
    let chunk = ''
    for (const event of events) {
      chunk += `${JSON.stringify(event)}\n`
      lines += 1
      if (chunk.length >= CHUNK_CHARS) {
        bytes += await writeChunk(handle, chunk, filePath)
        chunk = ''
      }
    }
    if (chunk.length > 0) bytes += await writeChunk(handle, chunk, filePath)
    await io(filePath, () => handle.close())
    await io(filePath, () => rename(partialPath, filePath))
  } catch (err) {
    await handle.close().catch(() => undefined)
    await rm(partialPath, { force: true }).catch(() => undefined)
    throw err
  }
  return { events: lines, bytes }
}

async function writeChunk(handle: FileHandle, chunk: string, filePath: string): Promise<number> {
  const buffer = Buffer.from(chunk, 'utf8')
  // writeFile on a handle writes the whole buffer at the current position, looping as needed.
  await io(filePath, () => handle.writeFile(buffer))
  return buffer.length
}

async function io<T>(filePath: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (err) {
    throw new NdjsonWriteFailedError(filePath, err)
  }
}
