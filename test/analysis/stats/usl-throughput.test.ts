import { describe, expect, it } from 'vitest';
import { type UslParameters, uslThroughput } from '../../../analysis/stats/usl-throughput.ts';

describe('uslThroughput', () => {
  // Python 3.11.7: usl = lambda n, lam, sig, kap: lam * n / (1 + sig * (n - 1) + kap * n * (n - 1))
  //                [repr(usl(n, 1000, 0.05, 0.001)) for n in [1, 2, 10, 31, 100, 1.5]]
  it.each([
    [1, 1000],
    [2, 1901.1406844106464],
    [10, 6493.506493506493],
    [31, 9037.900874635568],
    [100, 6309.148264984226],
    [1.5, 1462.3446258835],
  ])('X(%d) for λ = 1000, σ = 0.05, κ = 0.001 is %d', (n, expected) => {
    expect(uslThroughput(Object.freeze({ lambda: 1000, sigma: 0.05, kappa: 0.001 }), n)).toBe(expected);
  });

  it('gives Gunther’s relative capacities for σ = κ = 0.02 (the R package usl, tests/coef.R)', () => {
    const capacity = [2, 4, 6, 8, 10].map((n) => uslThroughput({ lambda: 1, sigma: 0.02, kappa: 0.02 }, n));
    [1.8868, 3.0769, 3.5294, 3.5398, 3.3557].forEach((published, i) => expect(capacity[i]).toBeCloseTo(published, 4));
  });

  it('is linear for σ = κ = 0 and tends to λ/σ for κ = 0 (Amdahl)', () => {
    expect(uslThroughput({ lambda: 250, sigma: 0, kappa: 0 }, 8)).toBe(2000);
    expect(uslThroughput({ lambda: 200, sigma: 0.08, kappa: 0 }, 1e9)).toBeCloseTo(2500, 4);
  });

  it('peaks at N* = √((1 − σ)/κ)', () => {
    const params = { lambda: 1000, sigma: 0.05, kappa: 0.001 };
    const peak = Math.sqrt(0.95 / 0.001);
    const top = uslThroughput(params, peak);
    for (const n of [peak - 0.01, peak + 0.01, 1, 64]) expect(uslThroughput(params, n)).toBeLessThan(top);
  });

  it.each([
    ['λ 0', { lambda: 0, sigma: 0, kappa: 0 }, 1, 'uslThroughput: lambda `0` is out of range: expected a finite number > 0'],
    ['σ negative', { lambda: 1, sigma: -0.1, kappa: 0 }, 1, 'uslThroughput: sigma `-0.1` is out of range: expected a finite number ≥ 0'],
    ['κ NaN', { lambda: 1, sigma: 0, kappa: Number.NaN }, 1, 'uslThroughput: kappa `NaN` is out of range: expected a finite number ≥ 0'],
    ['n below 1', { lambda: 1, sigma: 0, kappa: 0 }, 0.5, 'uslThroughput: n `0.5` is out of range: expected a finite number ≥ 1'],
    ['n infinite', { lambda: 1, sigma: 0, kappa: 0 }, Number.POSITIVE_INFINITY, 'uslThroughput: n `Infinity` is out of range: expected a finite number ≥ 1'],
  ])('throws for %s', (_name, params, n, message) => {
    expect(() => uslThroughput(params as UslParameters, n)).toThrowError(new RangeError(message));
  });
});
