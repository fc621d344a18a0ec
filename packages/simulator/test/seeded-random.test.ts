import { describe, expect, it } from 'vitest'

import { SeededRandom } from '@fairwatch/simulator'

function draw(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => random.uint32())
}

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and a different one for another seed', () => {
    const first = draw(new SeededRandom(42), 1000)
    const again = draw(new SeededRandom(42), 1000)
    const other = draw(new SeededRandom(43), 1000)

    expect(again).toEqual(first)
    expect(other.filter((value, i) => value === first[i]).length).toBeLessThan(3)
  })

  it('yields floats in [0, 1) whose mean and spread match the uniform distribution', () => {
    const random = new SeededRandom(7)
    const n = 200_000

    const values = Array.from({ length: n }, () => random.float())

    const mean = values.reduce((sum, v) => sum + v, 0) / n
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / n
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true)
    // Standard error of the mean is sqrt(1/12 / n), about 0.00065: five of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0033)
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002)
  })

  it('fills all ten deciles evenly, so no range of the output is favoured', () => {
    const random = new SeededRandom(11)
    const deciles = new Array<number>(10).fill(0)

    for (let i = 0; i < 100_000; i += 1) {
      const decile = Math.floor(random.float() * 10)
      deciles[decile] = (deciles[decile] ?? 0) + 1
    }

    // Chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile.
    const chiSquare = deciles.reduce((sum, observed) => sum + (observed - 10_000) ** 2 / 10_000, 0)
    expect(chiSquare).toBeLessThan(27.9)
  })

  it('draws standard normal numbers with mean 0 and standard deviation 1', () => {
    const random = new SeededRandom(3)
    const n = 200_000

    const values = Array.from({ length: n }, () => random.normal())

    const mean = values.reduce((sum, v) => sum + v, 0) / n
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / n
    const beyondTwo = values.filter((v) => Math.abs(v) > 1.96).length / n
    expect(Math.abs(mean)).toBeLessThan(0.012)
    expect(Math.abs(variance - 1)).toBeLessThan(0.02)
    expect(Math.abs(beyondTwo - 0.05)).toBeLessThan(0.003)
  })

  it('picks indices with the probabilities given as cumulative shares', () => {
    const random = new SeededRandom(5)
    const counts = [0, 0, 0]

    for (let i = 0; i < 100_000; i += 1) {
      const index = random.pickCumulative([0.6, 0.9, 1])
      counts[index] = (counts[index] ?? 0) + 1
    }

    expect(counts[0]! / 100_000).toBeCloseTo(0.6, 2)
    expect(counts[1]! / 100_000).toBeCloseTo(0.3, 2)
    expect(counts[2]! / 100_000).toBeCloseTo(0.1, 2)
  })
})
