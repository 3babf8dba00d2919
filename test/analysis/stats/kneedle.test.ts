import { describe, expect, it } from 'vitest';
import { type KneedleOptions, kneedle } from '../../../analysis/stats/kneedle.ts';

const points = (xs: readonly number[], ys: readonly number[]): { x: number; y: number }[] => xs.map((x, i) => ({ x, y: ys[i] as number }));
const frozen = (xs: readonly number[], ys: readonly number[]) => Object.freeze(points(xs, ys).map((p) => Object.freeze(p)));

const STEPS = Array.from({ length: 10 }, (_, i) => i); // np.arange(0, 10)
const LOAD = [50, 100, 150, 200, 250, 300];
const LATENCY = [2, 2.1, 2.3, 2.6, 5, 20];
// kneed.DataGenerator.figure2(): x = np.linspace(0.0, 1, 10), y = -1 / (x + 0.1) + 5 (the paper's Figure 2).
const FIGURE2_X = [0, 0.1111111111111111, 0.2222222222222222, 0.3333333333333333, 0.4444444444444444, 0.5555555555555556, 0.6666666666666666, 0.7777777777777777, 0.8888888888888888, 1];
const FIGURE2_Y = [-5, 0.2631578947368425, 1.8965517241379306, 2.6923076923076925, 3.1632653061224487, 3.4745762711864407, 3.6956521739130435, 3.8607594936708862, 3.98876404494382, 4.090909090909091];

/*
 * Expected values from kneed 0.9.0 (Python 3.11, numpy 2.4.6, scipy 1.17.1):
 *
 *   import numpy as np
 *   from kneed import KneeLocator
 *   kl = KneeLocator(x, y, S=S, curve=curve, direction=direction, interp_method='interp1d', online=False)
 *   kl.knee, kl.knee_y                                       # x, y; None when there is no knee
 *   ti = int(np.where(kl.x_difference == kl.norm_knee)[0][0])
 *   kl.y_difference[ti]                                      # difference
 *   kl.Tmx[list(kl.maxima_indices).index(ti)]                # threshold
 *
 * Columns: name, x, y, options (S = sensitivity), expected knee (index is the position in the input).
 */
const CASES: [string, number[], number[], KneedleOptions, { index: number; x: number; y: number; difference: number; threshold: number } | null][] = [
  // Latency against load: flat, then rising — the default convex, increasing.
  ['latency elbow', LOAD, LATENCY, {}, { index: 4, x: 250, y: 5, difference: 0.6333333333333334, threshold: 0.4333333333333334 }],
  ['latency elbow, S = 0', LOAD, LATENCY, { sensitivity: 0 }, { index: 4, x: 250, y: 5, difference: 0.6333333333333334, threshold: 0.6333333333333334 }],
  ['latency elbow, S = 3', LOAD, LATENCY, { sensitivity: 3 }, { index: 4, x: 250, y: 5, difference: 0.6333333333333334, threshold: 0.033333333333333326 }],
  ['latency elbow, S = 5: none', LOAD, LATENCY, { sensitivity: 5 }, null],
  // The paper's Figure 2 (concave, knee at 0.22) and kneed's DataGenerator shapes.
  ['figure 2', FIGURE2_X, FIGURE2_Y, { curve: 'concave' }, { index: 2, x: 0.2222222222222222, y: 1.8965517241379306, difference: 0.5363984674329503, threshold: 0.42528735632183917 }],
  ['convex increasing', STEPS, [1, 2, 3, 4, 5, 10, 15, 20, 40, 100], { curve: 'convex', direction: 'increasing' }, { index: 7, x: 7, y: 20, difference: 0.5858585858585859, threshold: 0.47474747474747475 }],
  ['convex decreasing', STEPS, [100, 40, 20, 15, 10, 5, 4, 3, 2, 1], { curve: 'convex', direction: 'decreasing' }, { index: 2, x: 2, y: 20, difference: 0.5858585858585859, threshold: 0.47474747474747475 }],
  ['concave decreasing', STEPS, [99, 98, 97, 96, 95, 90, 85, 80, 60, 0], { curve: 'concave', direction: 'decreasing' }, { index: 7, x: 7, y: 80, difference: 0.5858585858585859, threshold: 0.47474747474747475 }],
  ['concave increasing', STEPS, [0, 60, 80, 85, 90, 95, 96, 97, 98, 99], { curve: 'concave', direction: 'increasing' }, { index: 2, x: 2, y: 80, difference: 0.5858585858585859, threshold: 0.47474747474747475 }],
  // Throughput saturating with load: a concave knee.
  ['throughput knee', [10, 20, 30, 40, 50, 60], [100, 200, 290, 350, 370, 375], { curve: 'concave' }, { index: 3, x: 40, y: 350, difference: 0.3090909090909091, threshold: 0.10909090909090907 }],
  // Unevenly spaced load levels. kneed 0.8.5 (which reversed y without mirroring x) says 100.
  ['uneven load levels', [10, 20, 50, 100, 200, 400], [5, 5.2, 5.5, 6.5, 12, 60], {}, { index: 4, x: 200, y: 12, difference: 0.35990675990676, threshold: 0.15990675990676 }],
  // Noise before the elbow: several local maxima; the first that the curve drops below wins.
  ['bumpy', [1, 2, 3, 4, 5, 6, 7, 8], [10, 10.5, 10.2, 10.8, 10.6, 13, 25, 60], {}, { index: 5, x: 6, y: 13, difference: 0.6542857142857142, threshold: 0.5114285714285713 }],
  // No knee.
  ['straight line', [1, 2, 3, 4, 5], [3, 5, 7, 9, 11], {}, null],
  ['all y equal', [1, 2, 3, 4], [7, 7, 7, 7], {}, null],
  // Three evenly spaced points never have a knee at S = 1 (the threshold is at most d − ½ ≤ 0 = d at the end) …
  ['three points, S = 1', [1, 2, 3], [1, 1.1, 5], {}, null],
  // … but do at a lower sensitivity.
  ['three points, S = 0.5', [1, 2, 3], [1, 1.1, 5], { sensitivity: 0.5 }, { index: 1, x: 2, y: 1.1, difference: 0.475, threshold: 0.22499999999999998 }],
];

describe('kneedle', () => {
  it.each(CASES)('%s matches kneed', (_name, xs, ys, options, expected) => {
    expect(kneedle(frozen(xs, ys), options)).toEqual(expected);
  });

  it('returns null where kneed reports an end point with difference 0 (a concave curve read as convex)', () => {
    // kneed 0.9.0: KneeLocator([10, 20, 30, 40, 50, 60], [100, 200, 290, 350, 370, 375], curve='convex',
    // direction='increasing').knee = 60, with y_difference = [0, -0.18, -0.31, -0.29, -0.16, 0]: its
    // only "maxima" are the two ends, on the chord.
    expect(kneedle(points([10, 20, 30, 40, 50, 60], [100, 200, 290, 350, 370, 375]))).toBeNull();
  });

  it('finds the elbow of a latency curve that saturates at a timeout, where kneed stops at the last point', () => {
    // kneed 0.9.0 on x = [100, …, 900], y below (convex, increasing): knee = 900, from the maximum
    // d = 0 at the start of the (mirrored) difference curve; maxima_indices = [0, 4]. With online=True
    // it goes on to 500, y_difference[4] = 0.3876404494382022, Tmx[1] = 0.2626404494382022.
    const y = [1, 1.1, 1.2, 1.4, 2, 8, 9.6, 9.8, 9.9];
    const x = y.map((_, i) => (i + 1) * 100);
    expect(kneedle(points(x, y))).toEqual({ index: 4, x: 500, y: 2, difference: 0.3876404494382022, threshold: 0.2626404494382022 });
  });

  it('sorts by x without mutating the input, and reports the index in the input', () => {
    const shuffled = Object.freeze([4, 0, 5, 2, 1, 3].map((i) => Object.freeze({ x: LOAD[i] as number, y: LATENCY[i] as number })));
    const knee = kneedle(shuffled);
    expect(knee).toEqual({ index: 0, x: 250, y: 5, difference: 0.6333333333333334, threshold: 0.4333333333333334 });
    expect(shuffled.map((p) => p.x)).toEqual([250, 50, 300, 150, 100, 200]);
  });

  it('is null with fewer than 3 points', () => {
    expect(kneedle([])).toBeNull();
    expect(kneedle(points([1, 2], [1, 5]))).toBeNull();
  });

  // toThrowError(instance) checks the class and the whole message.
  it.each([
    [
      'duplicate x',
      points([100, 200, 100], [1, 2, 3]),
      {},
      RangeError,
      'kneedle: points[0] and points[2] share x `100`: expected distinct x values\nNote: aggregate repeated measurements at one load level first (e.g. their median)',
    ],
    ['NaN y', points([1, 2, 3], [1, Number.NaN, 3]), {}, TypeError, 'kneedle: points[1].y is `NaN`: expected a finite number'],
    ['missing x', [{ x: 1, y: 1 }, { y: 2 }], {}, TypeError, 'kneedle: points[1].x is `undefined`: expected a finite number'],
    ['negative sensitivity', points([1, 2, 3], [1, 2, 4]), { sensitivity: -1 }, RangeError, 'kneedle: sensitivity `-1` is out of range: expected a finite number ≥ 0'],
    ['unknown curve', points([1, 2, 3], [1, 2, 4]), { curve: 'knee' }, RangeError, 'kneedle: unknown curve `knee`: expected `convex` or `concave`'],
    ['unknown direction', points([1, 2, 3], [1, 2, 4]), { direction: 'up' }, RangeError, 'kneedle: unknown direction `up`: expected `increasing` or `decreasing`'],
  ] as const)('throws for %s', (_name, input, options, type, message) => {
    expect(() => kneedle(input as unknown as { x: number; y: number }[], options as KneedleOptions)).toThrowError(new type(message));
  });
});
