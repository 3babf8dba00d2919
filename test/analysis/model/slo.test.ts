/** The SLO of a sweep: where its bounds come from, and a level judged against them. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLO, resolveSlo, sloFromThresholds, violations } from '../../../analysis/model/slo.ts';

describe('resolveSlo', () => {
  it.each([
    // flags win, per bound; the rest from the runs' own SLO, else lib's defaults.
    [{ p95Ms: 50 }, [{ p95_ms: 500, p99_ms: null, error_rate: 0.02 }], { p95_ms: 50, p99_ms: null, error_rate: 0.02, source: 'flags', sources: { p95_ms: 'flags', p99_ms: 'none', error_rate: 'thresholds' } }],
    [{}, [{ p95_ms: null, p99_ms: null, error_rate: null }, { p95_ms: 120, p99_ms: 300, error_rate: 0.05 }], { p95_ms: 120, p99_ms: 300, error_rate: 0.05, source: 'thresholds' }],
    [{}, [], { p95_ms: DEFAULT_SLO.p95_ms, p99_ms: null, error_rate: DEFAULT_SLO.error_rate, source: 'defaults', sources: { p95_ms: 'defaults', p99_ms: 'none', error_rate: 'defaults' } }],
    [{ errorRate: 0 }, [], { error_rate: 0, source: 'flags' }],
  ])('%j over %j', (flags, runs, expected) => {
    expect(resolveSlo(flags, runs)).toMatchObject({ ...expected, min_achieved_share: 0.95, max_dropped_share: 0.01 });
  });
});

describe('sloFromThresholds', () => {
  it('reads the p95, p99 and error-rate bounds of k6 thresholds, whatever the spacing', () => {
    expect(
      sloFromThresholds([
        { metric: 'http_req_duration', expression: 'p(95) < 250', ok: true },
        { metric: 'http_req_duration', expression: 'p(99)<=900', ok: false },
        { metric: 'http_req_failed', expression: 'rate<0.005', ok: true },
        { metric: 'checks', expression: 'rate>0.99', ok: true },
      ]),
    ).toEqual({ p95_ms: 250, p99_ms: 900, error_rate: 0.005 });
    expect(sloFromThresholds([{ metric: 'http_req_duration', expression: 'avg<100', ok: true }])).toEqual({ p95_ms: null, p99_ms: null, error_rate: null });
  });
});

describe('violations', () => {
  const slo = resolveSlo({ p95Ms: 50, p99Ms: 200, errorRate: 0.01 }, []);
  const level = { p95_ms: 40, p99_ms: 150, error_rate: 0, achieved_share: 1, dropped: 0, iterations: 1000 };
  it.each([
    [{}, []],
    // Bounds are strict, as k6's `p(95)<50`.
    [{ p95_ms: 50 }, ['p95']],
    [{ p99_ms: 200.1 }, ['p99']],
    [{ error_rate: 0.01 }, ['error_rate']],
    [{ achieved_share: 0.949 }, ['achieved']],
    // 1% of the iterations offered may be dropped; one more is too many.
    [{ dropped: 10, iterations: 990 }, []],
    [{ dropped: 11, iterations: 989 }, ['dropped']],
    [{ p95_ms: 80, error_rate: 0.2, achieved_share: 0.5 }, ['p95', 'error_rate', 'achieved']],
    [{ p95_ms: null, error_rate: null }, ['no_data']],
  ])('%j', (change, expected) => {
    expect(violations(slo, { ...level, ...change })).toEqual(expected);
  });
});
