import { describe, expect, it } from 'vitest';
import { mannWhitneyUDistribution } from '../../../analysis/stats/mann-whitney-u-distribution.ts';

/** |actual − expected| ≤ rel·|expected|. */
function expectRelative(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

const computed = new Map<string, Float64Array>();
/** One computation per size pair: 100 + 100 takes a few hundred milliseconds. */
function memo(n1: number, n2: number): Float64Array {
  const key = `${n1},${n2}`;
  let pmf = computed.get(key);
  if (pmf === undefined) computed.set(key, (pmf = mannWhitneyUDistribution(n1, n2)));
  return pmf;
}

describe('mannWhitneyUDistribution', () => {
  // Expected values from R 4.2.2: options(digits = 17); sprintf("%.17g", dwilcox(0:(m * n), m, n)).
  it.each([
    [1, 3, [0.25, 0.25, 0.25, 0.25]],
    [
      3,
      4,
      [
        0.028571428571428571, 0.028571428571428571, 0.057142857142857141, 0.085714285714285715, 0.11428571428571428, 0.11428571428571428,
        0.14285714285714285, 0.11428571428571428, 0.11428571428571428, 0.085714285714285715, 0.057142857142857141, 0.028571428571428571,
        0.028571428571428571,
      ],
    ],
    [
      5,
      4,
      [
        0.0079365079365079361, 0.0079365079365079361, 0.015873015873015872, 0.023809523809523808, 0.03968253968253968, 0.047619047619047616,
        0.063492063492063489, 0.071428571428571425, 0.087301587301587297, 0.087301587301587297, 0.095238095238095233, 0.087301587301587297,
        0.087301587301587297, 0.071428571428571425, 0.063492063492063489, 0.047619047619047616, 0.03968253968253968, 0.023809523809523808,
        0.015873015873015872, 0.0079365079365079361, 0.0079365079365079361,
      ],
    ],
  ])('P(U = u) for %d + %d, u = 0 … n1·n2, matches R dwilcox', (n1, n2, expected) => {
    const pmf = mannWhitneyUDistribution(n1, n2);
    expect(pmf.length).toBe(expected.length);
    expected.forEach((p, u) => expectRelative(pmf[u] as number, p, 1e-14));
  });

  // R 4.2.2: sprintf("%.17g", dwilcox(u, 30, 30)) and dwilcox(u, 100, 100); the 100 + 100 counts
  // reach 10^58, far past 2^53, which the probability recurrence does not notice.
  it.each([
    [30, 30, 0, 8.4556169460723878e-18],
    [30, 30, 1, 8.4556169460723878e-18],
    [30, 30, 100, 1.186363948897507e-9],
    [30, 30, 300, 0.00050750011598842853],
    [30, 30, 450, 0.005853487823737135],
    [30, 30, 899, 8.4556169460723878e-18],
    [30, 30, 900, 8.4556169460723878e-18],
    [100, 100, 0, 1.1043803465997578e-59],
    [100, 100, 1000, 1.0586127998530227e-28],
    [100, 100, 2500, 2.8308992049313478e-12],
    [100, 100, 5000, 0.00097257173458376977],
  ])('%d + %d: P(U = %d) = %s (R dwilcox)', (n1, n2, u, expected) => {
    expectRelative(memo(n1, n2)[u] as number, expected, 1e-13);
  });

  it('sums to 1, is symmetric, and does not depend on the order of the sizes', () => {
    const pmf = mannWhitneyUDistribution(7, 12);
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (let u = 0; u <= 84; u++) expect(pmf[u]).toBe(pmf[84 - u]);
    expect(mannWhitneyUDistribution(12, 7)).toEqual(pmf);
  });

  // toThrowError(instance) checks the class and the whole message.
  it.each([
    [0, 3, 'mannWhitneyUDistribution: n1 `0` is not a positive integer'],
    [3, 2.5, 'mannWhitneyUDistribution: n2 `2.5` is not a positive integer'],
    [101, 100, 'mannWhitneyUDistribution: n1·n2 `10100` (101 × 100) is too large: expected at most 10000\nNote: for larger samples use the normal approximation'],
  ])('throws for %d + %d', (n1, n2, message) => {
    expect(() => mannWhitneyUDistribution(n1, n2)).toThrowError(new RangeError(message));
  });
});
