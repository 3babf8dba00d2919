import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../analysis/stats/normal-cdf.ts';
import { normalQuantile } from '../../../analysis/stats/normal-quantile.ts';

describe('normalQuantile', () => {
  // Expected values from R 4.2.2: options(digits = 17); sprintf("%.17g", qnorm(p)).
  // scipy 1.17.1 scipy.special.ndtri(p) agrees to 4e-16 relative (ndtri(0.975) = 1.959963984540054).
  it.each([
    [1e-300, -37.047096299361201],
    [1e-20, -9.2623400897984052],
    [1e-12, -7.0344838253011321],
    [1e-5, -4.2648907939228256],
    [0.001, -3.0902323061678132],
    [0.025, -1.9599639845400538],
    [0.07, -1.4757910281791702],
    [0.1, -1.2815515655446008],
    [0.3, -0.52440051270804067],
    [0.5, 0],
    [0.6, 0.25334710313579978],
    [0.925, 1.4395314709384559],
    [0.975, 1.9599639845400536],
    [0.995, 2.5758293035488999],
    [0.999, 3.0902323061678132],
    [1 - 1e-10, 6.3613408896974208],
  ])('Φ⁻¹(%s) = %s (R qnorm)', (p, expected) => {
    expect(Math.abs(normalQuantile(p) - expected)).toBeLessThanOrEqual(2e-15 * Math.abs(expected));
  });

  it('inverts normalCdf', () => {
    for (const p of [1e-15, 1e-6, 0.01, 0.2, 0.5, 0.8, 0.99]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 12);
  });

  it('is ∓∞ at 0 and 1 and NaN for NaN', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });

  // toThrowError(instance) checks the class and the whole message.
  it.each([[-0.1], [1.5]])('throws a RangeError for p = %s', (p) => {
    expect(() => normalQuantile(p)).toThrowError(new RangeError(`normalQuantile: p \`${p}\` is out of range: expected 0 ≤ p ≤ 1`));
  });
});
