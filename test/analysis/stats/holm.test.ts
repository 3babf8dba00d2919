import { describe, expect, it } from 'vitest';
import { holm } from '../../../analysis/stats/holm.ts';

describe('holm', () => {
  // Reference: R 4.2.2, `print(p.adjust(p, method = "holm"), digits = 15)`.
  it.each([
    [[0.01, 0.04, 0.03, 0.005, 0.5, 0.04], [0.05, 0.12, 0.12, 0.03, 0.5, 0.12]],
    [[0.2, 0.2, 0.01], [0.4, 0.4, 0.03]],
    [[1e-5, 0.02, 0.021, 0.9], [4e-5, 0.06, 0.06, 0.9]],
    [[0.3], [0.3]],
    [[], []],
  ])('%j → %j', (p, expected) => {
    const input = Object.freeze([...p]);
    const adjusted = holm(input);
    expect(adjusted.length).toBe(expected.length);
    adjusted.forEach((value, i) => expect(value).toBeCloseTo(expected[i] as number, 12));
  });

  it('refuses what is not a p-value, naming it', () => {
    expect(() => holm([0.1, 1.2])).toThrow(new RangeError('holm: p-value 1 is `1.2`: expected a number from 0 to 1'));
    expect(() => holm([Number.NaN])).toThrow(new RangeError('holm: p-value 0 is `NaN`: expected a number from 0 to 1'));
  });
});
