import { describe, expect, it } from 'vitest';
import { quantileR7 } from '../../../analysis/stats/quantile-r7.ts';

describe('quantileR7', () => {
  // Expected values from numpy 1.26: np.percentile([1, 2, 3, 4], q) (method='linear', R type 7).
  it.each([
    [0, 1],
    [0.25, 1.75],
    [0.5, 2.5],
    [0.95, 3.85],
    [1, 4],
  ])('p%d of [1,2,3,4] is %d', (q, expected) => {
    expect(quantileR7(Object.freeze([1, 2, 3, 4]), q)).toBeCloseTo(expected, 12);
  });

  it('is the single value of a single sample, NaN of none', () => {
    expect(quantileR7([7], 0.99)).toBe(7);
    expect(quantileR7([], 0.5)).toBeNaN();
  });
});
