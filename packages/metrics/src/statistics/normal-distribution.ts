import { probit } from 'simple-statistics'

import { StatisticInputInvalidError } from '../errors'

const SQRT_PI = Math.sqrt(Math.PI)
const SQRT_2 = Math.SQRT2
// Below this argument the power series of erf is accurate and quick; above it the continued
// fraction of erfc converges in a few dozen terms and keeps full relative precision in the tail.
const SERIES_LIMIT = 2.5

/**
 * Complementary error function erfc(x) = 1 − erf(x), to about 15 significant digits, including
 * deep in the tail where 1 − erf(x) computed directly would round to 0.
 */
export function complementaryErrorFunction(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  if (x < 0) return 2 - complementaryErrorFunction(-x)
  if (x < SERIES_LIMIT) return 1 - errorFunctionSeries(x)
  return erfcContinuedFraction(x)
}

// erf(x) = 2/√π · e^(−x²) · Σ (2x²)^n · x / (1·3·…·(2n+1)): every term is positive, so nothing
// cancels.
function errorFunctionSeries(x: number): number {
  const twoXSquared = 2 * x * x
  let term = x
  let sum = x
  for (let n = 1; n < 200; n += 1) {
    term *= twoXSquared / (2 * n + 1)
    sum += term
    if (term < sum * 1e-17) break
  }
  return (2 / SQRT_PI) * Math.exp(-x * x) * sum
}

// erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated by the modified
// Lentz method.
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300
  let f = x
  let c = x
  let d = 0
  for (let n = 1; n < 500; n += 1) {
    const a = n / 2
    d = x + a * d
    d = d === 0 ? tiny : d
    c = x + a / c
    c = c === 0 ? tiny : c
    d = 1 / d
    const delta = c * d
    f *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.exp(-x * x) / (SQRT_PI * f)
}

/** Standard normal cumulative distribution Φ(z) = P(Z ≤ z). */
export function normalCdf(z: number): number {
  return 0.5 * complementaryErrorFunction(-z / SQRT_2)
}

/** Standard normal density φ(z). */
function normalDensity(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)
}

/** Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|). */
export function normalTwoSidedPValue(z: number): number {
  return complementaryErrorFunction(Math.abs(z) / SQRT_2)
}

/**
 * Standard normal quantile Φ⁻¹(p), to about 14 significant digits.
 *
 * @throws StatisticInputInvalidError when p is not strictly between 0 and 1.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    throw new StatisticInputInvalidError('p', p, 'a probability strictly between 0 and 1')
  }
  // Work on the lower half, where Φ(z) is computed without cancellation, and mirror.
  if (p > 0.5) return -normalQuantile(1 - p)
  // simple-statistics' probit is only good to about three digits; Newton steps on the exact
  // distribution function polish it.
  let z = probit(p)
  for (let step = 0; step < 20; step += 1) {
    const correction = (normalCdf(z) - p) / normalDensity(z)
    z -= correction
    if (Math.abs(correction) <= 1e-15 * Math.max(1, Math.abs(z))) break
  }
  return z
}

const criticalValues = new Map<number, number>()

/**
 * The z such that a two-sided normal interval of the given confidence is estimate ± z·se
 * (1.959964… for 0.95). Cached per confidence.
 *
 * @throws StatisticInputInvalidError when confidence is not strictly between 0 and 1.
 */
export function twoSidedCriticalValue(confidence: number): number {
  const cached = criticalValues.get(confidence)
  if (cached !== undefined) return cached
  assertConfidence(confidence)
  const z = -normalQuantile((1 - confidence) / 2)
  // A handful of confidences are used in practice; the bound only guards against a caller that
  // varies it freely.
  if (criticalValues.size >= 64) criticalValues.clear()
  criticalValues.set(confidence, z)
  return z
}

function assertConfidence(confidence: number): void {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new StatisticInputInvalidError(
      'confidence',
      confidence,
      'a number strictly between 0 and 1',
    )
  }
}
