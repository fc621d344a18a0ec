const TWO_POW_32 = 4294967296

/**
 * A small, fast, seeded pseudo-random generator: the sfc32 algorithm (128 bits of state, 32-bit
 * output) with its state filled from the seed by a splitmix32 sequence. Not for cryptography. The
 * same seed always yields the same numbers, on every platform, because every step is 32-bit integer
 * arithmetic.
 */
export class SeededRandom {
  private a: number
  private b: number
  private c: number
  private d: number
  private spareNormal = Number.NaN

  /** `seed` is taken as an unsigned 32-bit integer (`seed >>> 0`). */
  constructor(seed: number) {
    let mix = seed >>> 0
    const nextWord = () => {
      mix = (mix + 0x9e3779b9) | 0
      let z = mix
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
      return (z ^ (z >>> 15)) | 0
    }
    this.a = nextWord()
    this.b = nextWord()
    this.c = nextWord()
    this.d = nextWord()
    // The first outputs of a freshly seeded state are still correlated with the seed.
    for (let i = 0; i < 12; i += 1) this.uint32()
  }

  /** A uniformly distributed integer in [0, 2^32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** A uniformly distributed number in [0, 1), with 32 bits of resolution. */
  float(): number {
    return this.uint32() / TWO_POW_32
  }

  /** A uniformly distributed number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.float()
  }

  /** True with probability `p` (false for p <= 0, true for p >= 1). */
  chance(p: number): boolean {
    return this.float() < p
  }

  /** A standard normal number (mean 0, standard deviation 1), by the Box–Muller transform. */
  normal(): number {
    const spare = this.spareNormal
    if (!Number.isNaN(spare)) {
      this.spareNormal = Number.NaN
      return spare
    }
    // 1 - float() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.float()))
    const angle = 2 * Math.PI * this.float()
    this.spareNormal = radius * Math.sin(angle)
    return radius * Math.cos(angle)
  }

  /** An exponentially distributed number with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float())
  }

  /**
   * An index drawn with the probabilities given as cumulative shares (ascending, the last one 1).
   * A linear scan: meant for the handful of groups of one attribute.
   */
  pickCumulative(cumulative: readonly number[]): number {
    const u = this.float()
    const last = cumulative.length - 1
    for (let i = 0; i < last; i += 1) {
      if (u < (cumulative[i] as number)) return i
    }
    return last
  }
}
