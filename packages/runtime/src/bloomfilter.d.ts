// Types of the parts of the bloomfilter package (plain JavaScript) that Fairwatch uses.
declare module 'bloomfilter' {
  export class BloomFilter {
    constructor(bits: number, hashes: number)
    /** Bits in the filter. */
    readonly m: number
    /** Hash functions per value. */
    readonly k: number
    add(value: string): void
    /** False when `value` was certainly never added; true when it may have been. */
    test(value: string): boolean
    /** A filter sized so that `n` values give a false-positive rate of about `error`. */
    static withTargetError(n: number, error: number): BloomFilter
  }
}
