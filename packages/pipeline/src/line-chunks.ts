const LINE_END = 0x0a

/**
 * Cuts a byte stream into chunks of whole lines, each in an ArrayBuffer of its own so that it can
 * be moved to another thread. A chunk ends at the last line end of the piece of input that took
 * it to `size` bytes (default 1 MiB), so chunks are about that long; a line longer than `size`
 * makes its chunk as long as the line. Only the last chunk may end without a line end.
 */
export async function* lineChunks(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  size = 1 << 20,
): AsyncGenerator<Uint8Array> {
  let pieces: Uint8Array[] = []
  let length = 0
  for await (const piece of input) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece
    if (bytes.length === 0) continue
    pieces.push(bytes)
    length += bytes.length
    if (length < size) continue
    const end = bytes.lastIndexOf(LINE_END)
    if (end < 0) continue
    const cut = length - bytes.length + end + 1
    yield concat(pieces, cut)
    const rest = bytes.subarray(end + 1)
    pieces = rest.length > 0 ? [rest] : []
    length = rest.length
  }
  if (length > 0) yield concat(pieces, length)
}

/** The first `length` bytes of `pieces`, copied into a new buffer. */
function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  const chunk = new Uint8Array(length)
  let at = 0
  for (const piece of pieces) {
    const take = Math.min(piece.length, length - at)
    chunk.set(take === piece.length ? piece : piece.subarray(0, take), at)
    at += take
    if (at === length) break
  }
  return chunk
}
