import { describe, expect, it } from 'vitest'

import { RowBinaryWriter } from '../src/row-binary.ts'

function bytesOf(write: (out: RowBinaryWriter) => void, initialBytes?: number): number[] {
  const out = new RowBinaryWriter(initialBytes)
  write(out)
  return [...out.bytes()]
}

describe('RowBinary rows', () => {
  it('prefix a string with its length in UTF-8 bytes', () => {
    expect(bytesOf((out) => out.string(''))).toEqual([0])
    expect(bytesOf((out) => out.string('ab'))).toEqual([2, 0x61, 0x62])
    // é is two bytes, 😀 (two UTF-16 units) four.
    expect(bytesOf((out) => out.string('é😀'))).toEqual([6, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80])
  })

  it('write lengths of 128 bytes and more in as many 7-bit groups as they need', () => {
    const of127 = bytesOf((out) => out.string('x'.repeat(127)))
    expect(of127.slice(0, 2)).toEqual([127, 0x78])
    expect(of127).toHaveLength(128)

    const of128 = bytesOf((out) => out.string('x'.repeat(128)))
    expect(of128.slice(0, 3)).toEqual([0x80, 0x01, 0x78])
    expect(of128).toHaveLength(130)

    // 43 × é = 86 bytes from 43 units: under 128 bytes, though three bytes per unit is over.
    expect(bytesOf((out) => out.string('é'.repeat(43)))[0]).toBe(86)

    const of20000 = bytesOf((out) => out.string('é'.repeat(10_000)))
    expect(of20000.slice(0, 4)).toEqual([0xa0, 0x9c, 0x01, 0xc3])
    expect(of20000).toHaveLength(3 + 20_000)
  })

  it('keeps what came before a string that needs a longer prefix', () => {
    const bytes = bytesOf((out) => {
      out.uint8(7)
      out.string('y'.repeat(200))
      out.uint8(9)
    })

    expect(bytes.slice(0, 4)).toEqual([7, 0xc8, 0x01, 0x79])
    expect(bytes.at(-1)).toBe(9)
    expect(bytes.filter((b) => b === 0x79)).toHaveLength(200)
  })

  it('writes Int64 little-endian, negative and beyond 32 bits included', () => {
    expect(bytesOf((out) => out.int64(1))).toEqual([1, 0, 0, 0, 0, 0, 0, 0])
    expect(bytesOf((out) => out.int64(-1))).toEqual([255, 255, 255, 255, 255, 255, 255, 255])
    // 2026-01-01T00:00:00Z, 1767225600000 ms = 0x19B_76DA_A800.
    expect(bytesOf((out) => out.int64(1_767_225_600_000))).toEqual([
      0x00, 0xa8, 0xda, 0x76, 0x9b, 0x01, 0, 0,
    ])
    // 0001-01-01T00:00:00Z, -62135596800000 ms.
    const ancient = Buffer.from(bytesOf((out) => out.int64(-62_135_596_800_000)))
    expect(ancient.readBigInt64LE(0)).toBe(-62_135_596_800_000n)
  })

  it('marks a null Float64 with a byte 1, and a number with 0 and its eight bytes', () => {
    expect(bytesOf((out) => out.nullableFloat64(null))).toEqual([1])
    const half = bytesOf((out) => out.nullableFloat64(0.5))
    expect(half[0]).toBe(0)
    expect(Buffer.from(half.slice(1)).readDoubleLE(0)).toBe(0.5)
  })

  it('grows past its first buffer without losing a byte', () => {
    const bytes = bytesOf((out) => {
      for (let i = 0; i < 1_000; i += 1) out.string(`id-${i}`)
    }, 64)

    let at = 0
    for (let i = 0; i < 1_000; i += 1) {
      const length = bytes[at] as number
      expect(Buffer.from(bytes.slice(at + 1, at + 1 + length)).toString()).toBe(`id-${i}`)
      at += 1 + length
    }
    expect(at).toBe(bytes.length)
  })

  it('owns its buffer, so that the rows can move to another thread', () => {
    const out = new RowBinaryWriter(16)
    out.string('a')

    // A slice of Node's shared pool would sit in an ArrayBuffer of the pool's size.
    expect(out.bytes().buffer.byteLength).toBe(64)
  })
})
