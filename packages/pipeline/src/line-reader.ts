import type { Readable } from 'node:stream'

/** One line of an input, numbered from 1, without its line ending. */
export interface NumberedLine {
  number: number
  text: string
}

/**
 * Splits a byte stream into lines (LF or CRLF endings). Faster than node:readline for large
 * files because it splits whole chunks at once. Blank lines are numbered but not yielded.
 */
export async function* readLines(input: Readable): AsyncGenerator<NumberedLine[]> {
  let carry = ''
  let number = 0
  input.setEncoding('utf8')
  for await (const chunk of input as AsyncIterable<string>) {
    const text = carry + chunk
    const parts = text.split('\n')
    carry = parts.pop() ?? ''
    const lines: NumberedLine[] = []
    for (const part of parts) {
      number += 1
      const line = part.endsWith('\r') ? part.slice(0, -1) : part
      if (line.length > 0) lines.push({ number, text: line })
    }
    if (lines.length > 0) yield lines
  }
  if (carry.length > 0) {
    number += 1
    const line = carry.endsWith('\r') ? carry.slice(0, -1) : carry
    if (line.length > 0) yield [{ number, text: line }]
  }
}
