import { describe, expect, it } from 'vitest';
import { buildSummary, formatTextSummary, type RunInfo, type SummaryData } from '../../lib/summary.ts';

// The shape k6 v2 passes to handleSummary (default format, summaryTrendStats as set by the plan).
const data: SummaryData = Object.freeze<SummaryData>({
  state: { testRunDurationMs: 30_012.5 },
  root_group: {
    name: '',
    groups: [{ name: 'inner', groups: [], checks: [{ name: 'b', passes: 5, fails: 0 }] }],
    checks: [{ name: 'status is 2xx', passes: 597, fails: 3 }],
  },
  metrics: {
    http_reqs: { type: 'counter', contains: 'default', values: { count: 600, rate: 19.99 } },
    http_req_failed: {
      type: 'rate',
      contains: 'default',
      values: { rate: 0.005, passes: 3, fails: 597 },
      thresholds: { 'rate<0.01': { ok: true } },
    },
    http_req_duration: {
      type: 'trend',
      contains: 'time',
      values: { avg: 8.1, min: 1.2, med: 7, max: 81, 'p(90)': 12, 'p(95)': 14.1, 'p(99)': 20.3, count: 600 },
      thresholds: { 'p(95)<10': { ok: false } },
    },
    iterations: { type: 'counter', contains: 'default', values: { count: 600, rate: 19.99 } },
    dropped_iterations: { type: 'counter', contains: 'default', values: { count: 4, rate: 0.13 } },
    vus_max: { type: 'gauge', contains: 'default', values: { value: 20, min: 3, max: 20 } },
  },
});

const run: RunInfo = {
  run_id: 'r1',
  target: '127.0.0.1:18080',
  scenario: 'constant',
  level: 20,
  base_url: 'http://127.0.0.1:18080',
  schedule: { start_rate: 20, stages: [{ duration: '30s', seconds: 30, target: 20 }], total_seconds: 30, planned_iterations: 600 },
  vus: { pre_allocated: 3, max: 20 },
  slo: { p95_ms: 10, p99_ms: null, error_rate: 0.01 },
  mix: [{ name: 'predict', weight: 1 }],
};

describe('buildSummary', () => {
  const summary = buildSummary(data, run, new Date('2026-11-24T10:00:30.012Z'));

  it('lifts the key numbers', () => {
    expect(summary.results).toEqual({
      requests: 600,
      failed_requests: 3,
      error_rate: 0.005,
      rps: 600 / 30.0125,
      iterations: 600,
      dropped_iterations: 4,
      checks: { passes: 602, fails: 3 },
      vus_max: 20,
      latency_ms: { min: 1.2, mean: 8.1, p50: 7, p90: 12, p95: 14.1, p99: 20.3, max: 81 },
    });
  });

  it('places the run in time from its end and duration', () => {
    expect(summary.run.start).toBe('2026-11-24T09:59:59.999Z');
    expect(summary.run.end).toBe('2026-11-24T10:00:30.012Z');
    expect(summary.run.duration_s).toBe(30.013);
  });

  it('lists thresholds with their outcome', () => {
    expect(summary.thresholds).toEqual([
      { metric: 'http_req_failed', expression: 'rate<0.01', ok: true },
      { metric: 'http_req_duration', expression: 'p(95)<10', ok: false },
    ]);
    expect(summary.thresholds_ok).toBe(false);
  });

  it('has no latency when nothing was requested', () => {
    const empty = buildSummary({ metrics: {} }, run, new Date(0));
    expect(empty.results.latency_ms).toBeNull();
    expect(empty.results.requests).toBe(0);
    expect(empty.results.rps).toBe(0);
  });
});

describe('formatTextSummary', () => {
  it('prints a short summary with every threshold and a loud warning for dropped iterations', () => {
    const summary = buildSummary(data, run, new Date('2026-11-24T10:00:30.012Z'));
    expect(formatTextSummary(summary, 'runs/x/summary.json')).toBe(
      [
        'k6-capacity constant · target 127.0.0.1:18080 · level 20/s · run r1',
        '  requests    600 in 30.0 s = 20.0/s · failed 3 (0.50%)',
        '  latency ms  p50 7.00 · p90 12.0 · p95 14.1 · p99 20.3 · max 81.0',
        '  iterations  600 of 600 planned · dropped 4',
        '  thresholds  ok   http_req_failed rate<0.01',
        '              FAIL http_req_duration p(95)<10',
        '  WARNING     4 iterations dropped (no free VU at their start time): the rate was not held; the target slowed down or MAX_VUS is too low',
        '  summary     runs/x/summary.json',
        '',
      ].join('\n'),
    );
  });

  it('says so when no request completed, and names the peak of a varying schedule', () => {
    const stress: RunInfo = { ...run, scenario: 'stress', level: null, schedule: { ...run.schedule, stages: [{ duration: '1s', seconds: 1, target: 50 }] } };
    const text = formatTextSummary(buildSummary({ metrics: {} }, stress, new Date(0)), null);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'k6-capacity stress · target 127.0.0.1:18080 · peak 50/s · run r1',
      '  requests    0 in 0.0 s = 0.0/s · failed 0 (0.00%)',
      '  latency     no requests completed',
    ]);
  });
});
