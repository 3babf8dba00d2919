import { describe, expect, it } from 'vitest';
import { sloThresholds } from '../../lib/thresholds.ts';

describe('sloThresholds', () => {
  it('maps the SLO to k6 thresholds', () => {
    expect(sloThresholds({ p95Ms: 500, errorRate: 0.01 })).toEqual({
      http_req_duration: ['p(95)<500'],
      http_req_failed: ['rate<0.01'],
    });
  });

  it('adds p99 when set', () => {
    expect(sloThresholds({ p95Ms: 200, p99Ms: 800, errorRate: 0 }).http_req_duration).toEqual(['p(95)<200', 'p(99)<800']);
  });

  it('aborts on failure after a delay when asked (stress)', () => {
    expect(sloThresholds({ p95Ms: 300, errorRate: 0.05 }, { abortOnFail: true, delayAbortEval: '10s' })).toEqual({
      http_req_duration: [{ threshold: 'p(95)<300', abortOnFail: true, delayAbortEval: '10s' }],
      http_req_failed: [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '10s' }],
    });
  });
});
