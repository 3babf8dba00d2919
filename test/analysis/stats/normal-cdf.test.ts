import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../analysis/stats/normal-cdf.ts';

describe('normalCdf', () => {
  // Expected values from R 4.2.2: options(digits = 17); sprintf("%.17g", pnorm(z)).
  // scipy 1.17.1 scipy.special.ndtr(z) agrees to 3e-14 relative (e.g. ndtr(-20) = 2.7536241186061556e-89).
  it.each([
    [-40, 0],
    [-38, 0],
    [-37.5, 4.6053530095819552e-308],
    [-20, 2.7536241186062337e-89],
    [-10, 7.6198530241605269e-24],
    [-5.657, 7.7020881721775998e-9],
    [-5, 2.8665157187919391e-7],
    [-3, 0.0013498980316300946],
    [-1.959963984540054, 0.025000000000000012],
    [-1, 0.15865525393145705],
    [-0.6744897, 0.25000001595113913],
    [-0.5, 0.30853753872598694],
    [0, 0.5],
    [1e-10, 0.5000000000398942],
    [0.3, 0.61791142218895267],
    [0.6745, 0.75000325713630078],
    [1, 0.84134474606854293],
    [2, 0.97724986805182079],
    [3, 0.9986501019683699],
    [5.6, 0.99999998928240974],
    [6, 0.9999999990134123],
    [8.3, 1],
    [10, 1],
  ])('Φ(%s) = %s (R pnorm)', (z, expected) => {
    expect(Math.abs(normalCdf(z) - expected)).toBeLessThanOrEqual(1e-14 * expected);
  });

  it('is symmetric: Φ(−z) + Φ(z) = 1', () => {
    for (const z of [0.1, 0.7, 2.5, 5.7, 7]) expect(normalCdf(-z) + normalCdf(z)).toBeCloseTo(1, 15);
  });

  it('is NaN for NaN and 0 / 1 at the infinities', () => {
    expect(normalCdf(Number.NaN)).toBeNaN();
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
  });
});
