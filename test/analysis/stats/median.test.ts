/** The shared small pieces; values by hand and numpy (`np.median`, `np.round`). */
import { describe, expect, it } from 'vitest';
import { kendallTieTerm, median, roundHalfEven } from '../../../analysis/stats/median.ts';

describe('median', () => {
  it('is the middle value, the mean of the two middle ones for an even count, NaN when empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5); // np.median([4, 1, 3, 2]) = 2.5
    expect(median([10, 2, 33, 4, -5])).toBe(4);
    expect(median(Float64Array.from([1, 2, 4, 8]), { sorted: true })).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('does not reorder what it is given', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('roundHalfEven', () => {
  it('rounds halves to the even neighbour, as np.round', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2, 2, 3]);
  });
});

describe('kendallTieTerm', () => {
  it('sums t(t − 1)(2t + 5) over the groups of equal values', () => {
    // A pair (2·1·9 = 18) and a triple (3·2·11 = 66), in any order; no ties: 0.
    expect(kendallTieTerm([2, 1, 2, 1, 2])).toBe(84);
    expect(kendallTieTerm([1, 2, 3])).toBe(0);
  });
});
