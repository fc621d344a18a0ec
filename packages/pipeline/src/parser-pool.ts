import { Worker } from 'node:worker_threads'

import type { Rejection } from '@fairwatch/contract'
import type { EncodedEventBatch } from '@fairwatch/store'

/** A chunk of NDJSON bytes for a parsing thread; it ends at a line end or the input's end. */
export interface ChunkRequest {
  id: number
  bytes: Uint8Array
}

/** What a parsing thread made of a chunk. */
export interface ParsedChunk {
  id: number
  /** Lines in the chunk, blank ones included. */
  lines: number
  /** Number within the chunk (from 1) of its last line that is not blank; 0 when all are. */
  lastLine: number
  predictions: number
  outcomes: number
  /** The valid events, encoded as rows of the event tables. */
  rows: EncodedEventBatch
  /** Refused lines, numbered within the chunk (from 1). */
  rejected: { line: number; rejection: Rejection }[]
}

interface Waiting {
  resolve: (parsed: ParsedChunk) => void
  reject: (err: Error) => void
}

const THREAD_MODULE = new URL('./parse-thread.ts', import.meta.url)

/** The workerData of a parsing thread, by which parse-thread.ts knows it runs as one. */
export const PARSER_THREAD = 'fairwatch-replay-parser'

/**
 * Threads that parse and check NDJSON chunks (see parse-thread.ts), so that parsing, the larger
 * part of a replay's own work, uses every core. Chunks go to the threads in turn; each answer
 * settles the promise of its chunk. A thread that fails rejects its chunks under way and every
 * later one. Call close() when done, or the threads keep the process alive.
 */
export class ParserPool {
  readonly #threads: Worker[] = []
  readonly #waiting = new Map<number, Waiting>()
  #nextId = 0
  #failure: Error | null = null
  #closing = false

  constructor(threads: number) {
    for (let i = 0; i < Math.max(1, threads); i += 1) {
      const thread = new Worker(THREAD_MODULE, { workerData: PARSER_THREAD })
      thread.on('message', (parsed: ParsedChunk) => {
        const waiting = this.#waiting.get(parsed.id)
        this.#waiting.delete(parsed.id)
        waiting?.resolve(parsed)
      })
      thread.on('error', (err) => this.#fail(err))
      thread.on('exit', (code) => {
        if (code !== 0 && !this.#closing)
          this.#fail(new Error(`a parsing thread exited with code ${code}`))
      })
      this.#threads.push(thread)
    }
  }

  /** Parses a chunk on the next thread. The bytes are moved to the thread: do not reuse them. */
  parse(bytes: Uint8Array): Promise<ParsedChunk> {
    if (this.#failure) return Promise.reject(this.#failure)
    const id = this.#nextId++
    const thread = this.#threads[id % this.#threads.length] as Worker
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      const request: ChunkRequest = { id, bytes }
      thread.postMessage(request, [bytes.buffer as ArrayBuffer])
    })
  }

  async close(): Promise<void> {
    this.#closing = true
    await Promise.all(this.#threads.map((thread) => thread.terminate()))
  }

  #fail(err: Error): void {
    this.#failure ??= err
    for (const waiting of this.#waiting.values()) waiting.reject(err)
    this.#waiting.clear()
  }
}
