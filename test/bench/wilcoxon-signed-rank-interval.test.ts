/**
 * Reference values from R 4.2.2 on this machine (`wilcox.test(x, conf.int = TRUE, conf.level = …,
 * exact = TRUE)`: `$estimate`, `$conf.int`; `achieved` = 1 − 2·psignrank(qsignrank(α/2, n) − 1, n)).
 */
import { describe, expect, it } from 'vitest';
import { wilcoxonSignedRankInterval } from '../../bench/stats/wilcoxon-signed-rank-interval.ts';

const A = [-0.031, 0.012, -0.054, 0.047, -0.008, -0.022, 0.066, -0.041, -0.015, 0.003];
const C = [1.8, -0.4, 2.6, 0.9, 3.3, -1.7, 0.2, 1.1, 2.2, -0.6, 0.7, 1.5];
// log of 20 per-round ratios, as lib-overhead passes them.
const RATIOS = [0.962, 1.013, 0.981, 0.944, 1.027, 0.998, 0.955, 0.973, 1.041, 0.969, 0.987, 0.951, 1.006, 0.979, 0.934, 0.992, 0.968, 1.019, 0.958, 0.985];

describe('wilcoxonSignedRankInterval', () => {
  // [label, values, confidence, estimate, lower, upper, achieved]
  it.each([
    // n = 10, N = 55 Walsh averages (odd): k = qsignrank(0.025, 10) = 9
    ['n = 10', A, 0.95, -0.008, -0.031, 0.025000000000000001, 0.951171875],
    // n = 12, N = 78 (even): estimate is the mean of the middle two; k = 14
    ['n = 12', C, 0.95, 1, 0.049999999999999989, 2, 0.95751953125],
    ['n = 12 at 90%', C, 0.9, 1, 0.20000000000000001, 1.75, 0.90771484374999989],
    // n = 5: even k = 1 covers only 1 − 2/32 = 93.75%, the whole range of the Walsh averages
    ['n = 5, too few for 95%', [0.5, -1.25, 2, 3.5, -0.75], 0.95, 0.625, -1.25, 3.5, 0.9375],
    ['n = 20 log ratios', RATIOS.map(Math.log), 0.95, -0.019582549346170965, -0.032830642266950344, -0.0042747212777721737, 0.95155906677246094],
  ] as const)('%s: R wilcox.test', (_label, values, confidence, estimate, lower, upper, achieved) => {
    const result = wilcoxonSignedRankInterval(Object.freeze([...values]), { confidence });
    expect(result.estimate).toBeCloseTo(estimate, 14);
    expect(result.lower).toBeCloseTo(lower, 14);
    expect(result.upper).toBeCloseTo(upper, 14);
    expect(result.achieved).toBeCloseTo(achieved, 14);
    expect(result.confidence).toBe(confidence);
    expect(result.n).toBe(values.length);
    expect(result.ties).toBe(false);
  });

  it('gives the ratio interval R gives through exp (20 rounds)', () => {
    const result = wilcoxonSignedRankInterval(RATIOS.map(Math.log));
    // R: exp(wilcox.test(log(r), conf.int = TRUE)$estimate) and exp(…$conf.int)
    expect(Math.exp(result.estimate)).toBeCloseTo(0.98060794330287981, 14);
    expect(Math.exp(result.lower)).toBeCloseTo(0.96770243360239616, 14);
    expect(Math.exp(result.upper)).toBeCloseTo(0.99573440233829413, 14);
  });

  it('one value: the value itself, with no coverage', () => {
    expect(wilcoxonSignedRankInterval([0.25])).toEqual({ estimate: 0.25, lower: 0.25, upper: 0.25, confidence: 0.95, achieved: 0, n: 1, ties: false });
  });

  it('flags zeros and ties among the magnitudes (R would switch to its normal approximation)', () => {
    expect(wilcoxonSignedRankInterval([0, 1, 2, 3, 4, 5]).ties).toBe(true);
    expect(wilcoxonSignedRankInterval([-1, 1, 2, 3, 4, 5]).ties).toBe(true);
    expect(wilcoxonSignedRankInterval([-1, 1.5, 2, 3, 4, 5]).ties).toBe(false);
  });

  it('does not change its input', () => {
    const values = Object.freeze([3, -1, 2]);
    wilcoxonSignedRankInterval(values);
    expect(values).toEqual([3, -1, 2]);
  });

  // --- errors --------------------------------------------------------------------------------------
  it.each([
    [[], {}, 'wilcoxonSignedRankInterval: values is empty: expected at least one value'],
    [[1, Number.NaN], {}, 'wilcoxonSignedRankInterval: values[1] is `NaN`: expected a finite number'],
    [[1, 2], { confidence: 1 }, 'wilcoxonSignedRankInterval: confidence `1` is out of range: expected 0 < confidence < 1'],
    [
      Array.from({ length: 50 }, (_, i) => i + 1),
      {},
      'wilcoxonSignedRankInterval: 50 values: expected at most 49 (the exact distribution\'s range)\n' +
        'Note: above that R uses a normal approximation, which this function does not implement',
    ],
  ] as const)('refuses %j %j', (values, options, message) => {
    expect(() => wilcoxonSignedRankInterval(values, options)).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')}$`));
  });
});
