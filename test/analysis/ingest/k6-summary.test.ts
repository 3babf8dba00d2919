import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../analysis/errors.ts';
import { loadK6Summary, type SummaryLoad } from '../../../analysis/ingest/k6-summary.ts';
import { buildSummary, type RunInfo, type SummaryData } from '../../../lib/summary.ts';

const dir = mkdtempSync(join(tmpdir(), 'k6-summary-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

function write(content: string | Buffer, name = `s${++fileCount}.json`): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

function load(json: unknown): SummaryLoad {
  return loadK6Summary(write(typeof json === 'string' ? json : JSON.stringify(json, null, 4)));
}

function loadError(content: string | Buffer): { file: string; error: AnalysisError } {
  const file = write(content);
  let caught: unknown;
  try {
    loadK6Summary(file);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AnalysisError);
  return { file, error: caught as AnalysisError };
}

const NO_LATENCY = { min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };

// --- k6's paired fixtures: one run as handleSummary data and as the legacy export -----------------

// grafana/k6:internal/js/summary_test.go `expectedHandleSummaryRawData` (excerpt: ids and paths dropped).
const k6TestData = {
  root_group: {
    groups: [
      {
        name: 'child',
        groups: [],
        checks: [
          { passes: 30, fails: 0, name: 'check1' },
          { fails: 5, name: 'check3', passes: 10 },
          { name: 'check2', passes: 5, fails: 10 },
        ],
      },
    ],
    checks: [],
    name: '',
  },
  options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'], summaryTimeUnit: '', noColor: false },
  state: { isStdErrTTY: false, isStdOutTTY: false, testRunDurationMs: 1000 },
  metrics: {
    checks: { contains: 'default', values: { passes: 45, fails: 15, rate: 0.75 }, type: 'rate', thresholds: { 'rate>70': { ok: true } } },
    my_trend: {
      thresholds: { 'my_trend<1000': { ok: false } },
      type: 'trend',
      contains: 'time',
      values: { max: 20, 'p(90)': 19, 'p(95)': 19.5, 'p(99)': 19.9, count: 3, avg: 15, min: 10, med: 15 },
    },
    vus: { contains: 'default', values: { value: 1, min: 1, max: 1 }, type: 'gauge' },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 3, rate: 3 }, thresholds: { 'rate<100': { ok: false } } },
  },
};

// grafana/k6:internal/js/summary_test.go `expectedOldJSONExportResult`: the same run through
// `--summary-export` (ids and paths dropped). `thresholds[expr]: true` means FAILED.
const k6TestExport = {
  root_group: {
    name: '',
    groups: {
      child: {
        name: 'child',
        groups: {},
        checks: {
          check1: { name: 'check1', passes: 30, fails: 0 },
          check2: { name: 'check2', passes: 5, fails: 10 },
          check3: { name: 'check3', passes: 10, fails: 5 },
        },
      },
    },
    checks: {},
  },
  metrics: {
    checks: { value: 0.75, passes: 45, fails: 15, thresholds: { 'rate>70': false } },
    http_reqs: { count: 3, rate: 3, thresholds: { 'rate<100': true } },
    my_trend: { avg: 15, max: 20, med: 15, min: 10, 'p(90)': 19, 'p(95)': 19.5, 'p(99)': 19.9, count: 3, thresholds: { 'my_trend<1000': true } },
    vus: { value: 1, min: 1, max: 1 },
  },
};

describe('loadK6Summary: one run as handleSummary data and as --summary-export', () => {
  const metrics = {
    checks: { type: 'rate', contains: 'default', values: { passes: 45, fails: 15, rate: 0.75 } },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 3, rate: 3 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 1 } },
  };
  const trend = { type: 'trend', values: { avg: 15, max: 20, med: 15, min: 10, 'p(90)': 19, 'p(95)': 19.5, 'p(99)': 19.9, count: 3 } };
  const keyNumbers = {
    requests: 3,
    failedRequests: null,
    errorRate: null,
    rps: 3,
    iterations: null,
    droppedIterations: null,
    latencyMs: NO_LATENCY,
  };

  it.each([
    {
      format: 'k6-summary',
      json: k6TestData,
      durationMs: 1000,
      // handleSummary data knows what my_trend contains; the export does not say.
      contains: 'time',
    },
    { format: 'k6-summary-export', json: k6TestExport, durationMs: null, contains: null },
  ])('normalises $format', ({ json, format, durationMs, contains }) => {
    const summary = load(json);
    expect(summary.format).toBe(format);
    expect(summary.durationMs).toBe(durationMs);
    expect(summary.metrics).toEqual({ ...metrics, my_trend: { ...trend, contains } });
    // The legacy `true` (failed) and `false` (passed) become the same outcomes as handleSummary's `ok`.
    expect([...summary.thresholds].sort((a, b) => a.metric.localeCompare(b.metric))).toEqual([
      { metric: 'checks', expression: 'rate>70', ok: true },
      { metric: 'http_reqs', expression: 'rate<100', ok: false },
      { metric: 'my_trend', expression: 'my_trend<1000', ok: false },
    ]);
    expect(summary.thresholdsOk).toBe(false);
    expect(summary.checks).toEqual({ passes: 45, fails: 15 });
    expect(summary.keyNumbers).toEqual(keyNumbers);
    expect(summary.run).toBeNull();
    expect(summary.k6Version).toBeNull();
  });
});

// --- handleSummary data ----------------------------------------------------------------------------

describe('loadK6Summary: handleSummary data', () => {
  it('normalises the real capture of formats.md §3.4', () => {
    // formats.md §3.4. Source: centminmod/k6-benchmarking:readme.md (k6 v0.40, `cat summary.json | jq -r`; excerpt).
    const summary = load({
      root_group: {
        name: '',
        path: '',
        id: 'd41d8cd98f00b204e9800998ecf8427e',
        groups: [],
        checks: [{ name: 'is status 200', path: '::is status 200', id: '548d37ca5f33793206f7832e7cea54fb', passes: 17044, fails: 0 }],
      },
      options: { summaryTimeUnit: '', noColor: false, summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(95)', 'p(99)', 'p(99.99)', 'count'] },
      state: { isStdOutTTY: true, isStdErrTTY: true, testRunDurationMs: 30009.057334 },
      metrics: {
        http_req_duration: {
          type: 'trend',
          contains: 'time',
          values: {
            avg: 43.53751052880767,
            min: 23.303409,
            med: 39.683377500000006,
            max: 1269.039757,
            'p(95)': 59.66280284999999,
            'p(99)': 109.76981728999989,
            'p(99.99)': 1087.9781424287728,
            count: 17044,
          },
          thresholds: { 'avg<150': { ok: true }, 'p(95)<500': { ok: true } },
        },
        vus: { type: 'gauge', contains: 'default', values: { max: 49, value: 1, min: 1 } },
        checks: { type: 'rate', contains: 'default', values: { rate: 1, passes: 17044, fails: 0 } },
        data_sent: { type: 'counter', contains: 'data', values: { count: 2445408, rate: 81488.99756439113 } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 17044 } },
      },
    });
    expect(summary).toEqual({
      path: summary.path,
      format: 'k6-summary',
      k6Version: null,
      durationMs: 30009.057334,
      metrics: {
        http_req_duration: {
          type: 'trend',
          contains: 'time',
          values: {
            avg: 43.53751052880767,
            min: 23.303409,
            med: 39.683377500000006,
            max: 1269.039757,
            'p(95)': 59.66280284999999,
            'p(99)': 109.76981728999989,
            'p(99.99)': 1087.9781424287728,
            count: 17044,
          },
        },
        vus: { type: 'gauge', contains: 'default', values: { max: 49, value: 1, min: 1 } },
        checks: { type: 'rate', contains: 'default', values: { rate: 1, passes: 17044, fails: 0 } },
        data_sent: { type: 'counter', contains: 'data', values: { count: 2445408, rate: 81488.99756439113 } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 17044 } },
      },
      thresholds: [
        { metric: 'http_req_duration', expression: 'avg<150', ok: true },
        { metric: 'http_req_duration', expression: 'p(95)<500', ok: true },
      ],
      thresholdsOk: true,
      checks: { passes: 17044, fails: 0 },
      run: null,
      keyNumbers: {
        // The excerpt has no http_reqs or iterations: missing, not zero.
        requests: null,
        failedRequests: 0,
        errorRate: 0,
        rps: null,
        iterations: null,
        droppedIterations: null,
        // No p(90) in this run's summaryTrendStats.
        latencyMs: { min: 23.303409, mean: 43.53751052880767, p50: 39.683377500000006, p90: null, p95: 59.66280284999999, p99: 109.76981728999989, max: 1269.039757 },
      },
    });
  });

  it.each([
    {
      title: 'a trimmed copy (metrics only): checks from the checks metric, no duration',
      json: {
        metrics: {
          http_reqs: { type: 'counter', contains: 'default', values: { count: 600, rate: 19.99 } },
          http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.005, passes: 3, fails: 597 } },
          iterations: { type: 'counter', contains: 'default', values: { count: 600, rate: 19.99 } },
          checks: { type: 'rate', contains: 'default', values: { rate: 0.995, passes: 597, fails: 3 } },
        },
      },
      durationMs: null,
      checks: { passes: 597, fails: 3 },
      // k6 only emits dropped_iterations when one is dropped: absent beside iterations means 0.
      keyNumbers: { requests: 600, failedRequests: 3, errorRate: 0.005, rps: 19.99, iterations: 600, droppedIterations: 0, latencyMs: NO_LATENCY },
    },
    {
      title: 'data with dropped iterations and no checks at all',
      json: {
        root_group: { name: '', path: '', id: 'x', groups: [], checks: [] },
        state: { testRunDurationMs: 60000.5 },
        metrics: {
          iterations: { type: 'counter', contains: 'default', values: { count: 2990, rate: 49.83 } },
          dropped_iterations: { type: 'counter', contains: 'default', values: { count: 10, rate: 0.17 } },
        },
      },
      durationMs: 60000.5,
      checks: { passes: 0, fails: 0 },
      keyNumbers: { requests: null, failedRequests: null, errorRate: null, rps: null, iterations: 2990, droppedIterations: 10, latencyMs: NO_LATENCY },
    },
  ])('reads $title', ({ json, durationMs, checks, keyNumbers }) => {
    const summary = load(json);
    expect(summary.format).toBe('k6-summary');
    expect(summary.durationMs).toBe(durationMs);
    expect(summary.checks).toEqual(checks);
    expect(summary.keyNumbers).toEqual(keyNumbers);
  });
});

// --- legacy --summary-export -----------------------------------------------------------------------

describe('loadK6Summary: legacy --summary-export', () => {
  it('normalises the real capture of formats.md §3.3 (types inferred from keys)', () => {
    // formats.md §3.3. Source: pwrdrvr lambda-dispatch README, "Deploy K6 Raw JSON" (code-index file id 27013289490; excerpt).
    const summary = load({
      root_group: { groups: {}, checks: {}, name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e' },
      metrics: {
        http_req_waiting: { 'p(95)': 7.337707099999986, avg: 3.7048904228103328, min: 1.444208, med: 3.434774, max: 20.901682, 'p(90)': 5.079736800000001 },
        http_req_failed: { passes: 0, fails: 1587, value: 0 },
        data_sent: { count: 65157, rate: 21693.27924053987 },
        vus_max: { value: 15, min: 10, max: 15 },
        dropped_iterations: { count: 17, rate: 5.6599559078714154 },
        'http_req_duration{expected_response:true}': {
          max: 21.068284,
          'p(90)': 5.2534876000000015,
          'p(95)': 7.593239699999984,
          avg: 3.8487845677378676,
          min: 1.523364,
          med: 3.558046,
        },
      },
    });
    expect(summary).toEqual({
      path: summary.path,
      format: 'k6-summary-export',
      k6Version: null,
      durationMs: null,
      metrics: {
        http_req_waiting: {
          type: 'trend',
          contains: 'time',
          values: { 'p(95)': 7.337707099999986, avg: 3.7048904228103328, min: 1.444208, med: 3.434774, max: 20.901682, 'p(90)': 5.079736800000001 },
        },
        // `value` renamed back to `rate`; passes: 0 = no FAILED requests.
        http_req_failed: { type: 'rate', contains: 'default', values: { passes: 0, fails: 1587, rate: 0 } },
        data_sent: { type: 'counter', contains: 'data', values: { count: 65157, rate: 21693.27924053987 } },
        vus_max: { type: 'gauge', contains: 'default', values: { value: 15, min: 10, max: 15 } },
        dropped_iterations: { type: 'counter', contains: 'default', values: { count: 17, rate: 5.6599559078714154 } },
        'http_req_duration{expected_response:true}': {
          type: 'trend',
          contains: 'time',
          values: { max: 21.068284, 'p(90)': 5.2534876000000015, 'p(95)': 7.593239699999984, avg: 3.8487845677378676, min: 1.523364, med: 3.558046 },
        },
      },
      thresholds: [],
      thresholdsOk: true,
      checks: { passes: 0, fails: 0 },
      run: null,
      keyNumbers: {
        requests: null,
        failedRequests: 0,
        errorRate: 0,
        rps: null,
        iterations: null,
        droppedIterations: 17,
        // Only the expected_response:true submetric is in the excerpt, not latency over all requests.
        latencyMs: NO_LATENCY,
      },
    });
  });

  it.each([
    {
      title: 'quality-time#11370: `false` means the threshold PASSED',
      // formats.md §3.3. Source: ICTU/quality-time#11370 (the `"...": "..."` placeholders of the issue left out).
      metrics: {
        http_req_duration: {
          min: 2.166366,
          med: 9.8635675,
          max: 481.057781,
          'p(98)': 255.75543995999988,
          'p(95)': 167.3638369999999,
          'p(90)': 108.55694049999997,
          count: 912,
          avg: 32.711683603070185,
          thresholds: { 'p(98)<1000': false },
        },
      },
      thresholds: [{ metric: 'http_req_duration', expression: 'p(98)<1000', ok: true }],
      keyNumbers: {
        requests: null,
        failedRequests: null,
        errorRate: null,
        rps: null,
        iterations: null,
        droppedIterations: null,
        latencyMs: { min: 2.166366, mean: 32.711683603070185, p50: 9.8635675, p90: 108.55694049999997, p95: 167.3638369999999, p99: null, max: 481.057781 },
      },
    },
    {
      title: '`true` means FAILED, and http_req_failed passes are FAILED requests',
      metrics: {
        http_reqs: { count: 1000, rate: 50.01 },
        http_req_failed: { passes: 12, fails: 988, value: 0.012, thresholds: { 'rate<0.01': true } },
        iterations: { count: 1000, rate: 50.01 },
      },
      thresholds: [{ metric: 'http_req_failed', expression: 'rate<0.01', ok: false }],
      keyNumbers: { requests: 1000, failedRequests: 12, errorRate: 0.012, rps: 50.01, iterations: 1000, droppedIterations: 0, latencyMs: NO_LATENCY },
    },
  ])('$title', ({ metrics, thresholds, keyNumbers }) => {
    const summary = load({ root_group: { name: '', path: '', id: 'x', groups: {}, checks: {} }, metrics });
    expect(summary.format).toBe('k6-summary-export');
    expect(summary.thresholds).toEqual(thresholds);
    expect(summary.thresholdsOk).toBe(thresholds.every((t) => t.ok));
    expect(summary.keyNumbers).toEqual(keyNumbers);
  });

  it('keeps a metric named `__proto__` as a metric', () => {
    const summary = load('{"metrics": {"__proto__": {"count": 1, "rate": 2}, "http_reqs": {"count": 5, "rate": 1}}}');
    expect(Object.entries(summary.metrics)).toEqual([
      ['__proto__', { type: 'counter', contains: null, values: { count: 1, rate: 2 } }],
      ['http_reqs', { type: 'counter', contains: 'default', values: { count: 5, rate: 1 } }],
    ]);
    expect(summary.keyNumbers.requests).toBe(5);
  });

  it.each([
    { keys: { count: 3, rate: 1.5 }, type: 'counter' },
    { keys: { value: 2, min: 1, max: 4 }, type: 'gauge' },
    { keys: { passes: 1, fails: 2, value: 0.33 }, type: 'rate' },
    { keys: { avg: 1, med: 1, 'p(99.9)': 3 }, type: 'trend' },
    { keys: { count: 5, avg: 1 }, type: 'trend' },
    { keys: { value: 2 }, type: 'unknown' },
    { keys: { something: 1 }, type: 'unknown' },
  ])('infers $type from keys $keys', ({ keys, type }) => {
    expect(load({ root_group: { groups: {}, checks: {} }, metrics: { custom: keys } }).metrics.custom?.type).toBe(type);
  });
});

// --- k6-capacity summary.json ----------------------------------------------------------------------

describe('loadK6Summary: k6-capacity summary.json', () => {
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
  const data: SummaryData = {
    state: { testRunDurationMs: 30_012.5 },
    root_group: { name: '', groups: [], checks: [{ name: 'status is 2xx', passes: 597, fails: 3 }] },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: 600, rate: 19.99 } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.005, passes: 3, fails: 597 }, thresholds: { 'rate<0.01': { ok: true } } },
      // No p(99): k6 was run without the plan's summaryTrendStats; buildSummary writes NaN → JSON null.
      http_req_duration: {
        type: 'trend',
        contains: 'time',
        values: { avg: 8.1, min: 1.2, med: 7, max: 81, 'p(90)': 12, 'p(95)': 14.1 },
        thresholds: { 'p(95)<10': { ok: false } },
      },
      iterations: { type: 'counter', contains: 'default', values: { count: 600, rate: 19.99 } },
    },
  };

  it('reads what lib/summary.ts writes', () => {
    const written = buildSummary(data, run, new Date('2026-11-24T10:00:30.012Z'));
    const summary = load(JSON.stringify(written, null, 2));
    expect(summary.format).toBe('k6-capacity-summary');
    expect(summary.run).toEqual({ ...run, start: '2026-11-24T09:59:59.999Z', end: '2026-11-24T10:00:30.012Z', duration_s: 30.013 });
    expect(summary.durationMs).toBe(30013);
    expect(summary.thresholds).toEqual([
      { metric: 'http_req_failed', expression: 'rate<0.01', ok: true },
      { metric: 'http_req_duration', expression: 'p(95)<10', ok: false },
    ]);
    expect(summary.thresholdsOk).toBe(false);
    expect(summary.checks).toEqual({ passes: 597, fails: 3 });
    expect(summary.metrics.http_req_failed).toEqual({ type: 'rate', contains: 'default', values: { rate: 0.005, passes: 3, fails: 597 } });
    expect(summary.keyNumbers).toEqual({
      requests: 600,
      failedRequests: 3,
      errorRate: 0.005,
      rps: 600 / 30.0125,
      iterations: 600,
      droppedIterations: 0,
      latencyMs: { min: 1.2, mean: 8.1, p50: 7, p90: 12, p95: 14.1, p99: null, max: 81 },
    });
  });

  it('refuses another schemaVersion, saying which', () => {
    const written = { ...buildSummary(data, run, new Date('2026-11-24T10:00:30.012Z')), schemaVersion: 2 };
    const { file, error } = loadError(JSON.stringify(written));
    expect(error.code).toBe('unknown-format');
    expect(error.message).toBe(`k6 summary: k6-capacity summary schemaVersion \`2\` at ${file}: expected 1`);
    expect(error.note).toBe('the file was written by another version of k6-capacity; analyse it with that version');
  });
});

// --- machine-readable summary 1.0.0 ----------------------------------------------------------------

describe('loadK6Summary: machine-readable summary', () => {
  // Shaped after grafana/k6:internal/lib/summary/machinereadable/types_gen.go (rate `matches`/`total`,
  // counter `count` only); the values are this test's own.
  const machine = {
    version: '1.0.0',
    metadata: { generatedAt: '2026-08-20T10:00:00Z', k6Version: '2.2.0' },
    config: { duration: 60.5, execution: 'local', script: 'dist/constant.js' },
    results: {
      passed: false,
      metrics: [
        { name: 'http_reqs', type: 'counter', contains: 'default', values: { count: 3025 } },
        { name: 'http_req_failed', type: 'rate', contains: 'default', values: { matches: 25, rate: 25 / 3025, total: 3025 } },
        { name: 'http_req_duration', type: 'trend', contains: 'time', values: { avg: 9.5, min: 1.1, med: 8, max: 120, 'p(90)': 15, 'p(95)': 19 } },
        { name: 'iterations', type: 'counter', contains: 'default', values: { count: 3025 } },
        { name: 'vus', type: 'gauge', contains: 'default', values: { value: 2, min: 1, max: 7 } },
      ],
      checks: {
        metrics: [{ name: 'checks', type: 'rate', contains: 'default', values: { matches: 3000, rate: 3000 / 3025, total: 3025 } }],
        results: [
          { name: 'status is 200', passes: 3000, fails: 25 },
          { name: 'body ok', passes: 10, fails: 0 },
        ],
      },
    },
  };

  it('normalises rate matches/total to passes/fails and adds counter rates', () => {
    const summary = load(machine);
    expect(summary).toEqual({
      path: summary.path,
      format: 'k6-machine-summary',
      k6Version: '2.2.0',
      durationMs: 60500,
      metrics: {
        http_reqs: { type: 'counter', contains: 'default', values: { count: 3025, rate: 3025 / 60.5 } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 25 / 3025, passes: 25, fails: 3000 } },
        http_req_duration: { type: 'trend', contains: 'time', values: { avg: 9.5, min: 1.1, med: 8, max: 120, 'p(90)': 15, 'p(95)': 19 } },
        iterations: { type: 'counter', contains: 'default', values: { count: 3025, rate: 3025 / 60.5 } },
        vus: { type: 'gauge', contains: 'default', values: { value: 2, min: 1, max: 7 } },
        checks: { type: 'rate', contains: 'default', values: { rate: 3000 / 3025, passes: 3000, fails: 25 } },
      },
      // No threshold list in this format, only the overall verdict.
      thresholds: [],
      thresholdsOk: false,
      checks: { passes: 3010, fails: 25 },
      run: null,
      keyNumbers: {
        requests: 3025,
        failedRequests: 25,
        errorRate: 25 / 3025,
        rps: 50,
        iterations: 3025,
        droppedIterations: 0,
        latencyMs: { min: 1.1, mean: 9.5, p50: 8, p90: 15, p95: 19, p99: null, max: 120 },
      },
    });
  });

  it('also reads the schema variant with rate passes/fails and counter rates (grafana/k6-summary schemas/metric/1.0.0)', () => {
    const summary = load({
      ...machine,
      results: {
        passed: true,
        metrics: [
          { name: 'http_reqs', type: 'counter', contains: 'default', category: 'http', values: { count: 100, rate: 1.65 } },
          { name: 'http_req_failed', type: 'rate', contains: 'default', category: 'http', values: { rate: 0.02, passes: 2, fails: 98 } },
        ],
      },
    });
    expect(summary.metrics).toEqual({
      http_reqs: { type: 'counter', contains: 'default', values: { count: 100, rate: 1.65 } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.02, passes: 2, fails: 98 } },
    });
    expect(summary.thresholdsOk).toBe(true);
    expect(summary.checks).toBeNull();
    expect(summary.keyNumbers.rps).toBe(1.65);
    expect(summary.keyNumbers.failedRequests).toBe(2);
  });
});

// --- input that is not a summary -------------------------------------------------------------------

describe('loadK6Summary: unusable files', () => {
  it.each([
    {
      title: 'a trailing comma',
      text: '{\n    "metrics": {\n        "vus": {"value": 1, "min": 1, "max": 1},\n    }\n}\n',
      where: '4:5',
      reason: 'Expected double-quoted property name',
      note: undefined,
    },
    {
      title: 'a missing value (V8 gives no position)',
      text: '{\n  "metrics": {\n    "vus": }\n}',
      where: '3:12',
      reason: "Unexpected token '}'",
      note: undefined,
    },
    {
      title: 'a file cut off',
      text: '{\n  "metrics": {\n    "vus": {"value": 1',
      where: '3:23',
      reason: "Expected ',' or '}' after property value",
      note: undefined,
    },
    {
      title: 'a file cut off after an opening brace',
      text: '{\n  "metrics": {',
      where: '2:15',
      reason: "Expected property name or '}'",
      note: undefined,
    },
    {
      title: 'a file cut off between tokens',
      text: '{\n  "metrics": ',
      where: '2:14',
      reason: 'Unexpected end of JSON input',
      note: 'the JSON ends early: the file was cut off while it was written',
    },
    {
      title: 'k6 NDJSON output',
      // formats.md §3.1 (grafana/k6#1345).
      text:
        '{"type":"Point","data":{"time":"2020-03-06T16:47:36.7835623+08:00","value":1,"tags":null},"metric":"vus"}\n' +
        '{"type":"Point","data":{"time":"2020-03-06T16:47:36.7835623+08:00","value":2,"tags":null},"metric":"vus_max"}\n',
      where: '2:1',
      reason: 'Unexpected non-whitespace character after JSON',
      note: 'the file holds more than one JSON document; one object per line is k6 `--out json` output, not a summary',
    },
    {
      title: 'k6 CSV output',
      text: 'metric_name,timestamp,metric_value\nvus,1641298536,1.000000\n',
      where: '1:1',
      reason: "Unexpected token 'm'",
      note: undefined,
    },
  ])('rejects $title as invalid JSON at line:column', ({ text, where, reason, note }) => {
    const { file, error } = loadError(text);
    expect(error.code).toBe('unknown-format');
    expect(error.message).toBe(`k6 summary: invalid JSON at ${file}:${where}: ${reason}`);
    expect(error.note).toBe(note);
  });

  const accepted =
    'accepted summaries: handleSummary `data` saved as JSON (`metrics[name].values`), ' +
    '`k6 run --summary-export` (flat `metrics[name]`), k6-capacity `summary.json` (`"kind": "k6-capacity-summary"`), ' +
    'and the machine-readable summary of `--new-machine-readable-summary` (`"version": "1.0.0"`)';

  it.each([
    { title: 'an array', json: [1, 2], message: (file: string) => `k6 summary: JSON \`[1,2]\` at ${file}: expected an object` },
    {
      title: 'another JSON object',
      json: { manifest: 1, levels: [] },
      message: (file: string) => `k6 summary: JSON with keys \`manifest\`, \`levels\` at ${file}: expected a k6 summary`,
    },
    {
      // grafana/k6-summary examples/v1 uses an older shape (k6-facts §4): metrics is not an array.
      title: 'the old k6-summary example shape',
      json: { version: '1.0.0', results: { metrics: { http_reqs: {} } } },
      message: (file: string) => `k6 summary: JSON with keys \`version\`, \`results\` at ${file}: expected a k6 summary`,
    },
    {
      title: 'a metric that is not an object',
      json: { metrics: { vus: 5 } },
      message: (file: string) => `k6 summary: metric \`vus\` = \`5\` at ${file}: expected an object of numbers as in \`--summary-export\``,
    },
    {
      title: 'handleSummary data with a flat metric among nested ones',
      json: { metrics: { vus: { type: 'gauge', contains: 'default', values: { value: 1 } }, http_reqs: { count: 3, rate: 1 } } },
      message: (file: string) =>
        `k6 summary: metric \`http_reqs\` = \`{"count":3,"rate":1}\` at ${file}: expected an object with \`type\`, \`contains\` and \`values\` as in handleSummary data`,
    },
    {
      title: 'a machine-readable summary of another major version',
      json: { version: '2.0.0', metadata: {}, config: {}, results: { metrics: [] } },
      message: (file: string) => `k6 summary: machine-readable summary version \`2.0.0\` at ${file}: expected 1.x`,
    },
  ])('rejects $title as unknown-format, listing the accepted formats', ({ json, message }) => {
    const { file, error } = loadError(JSON.stringify(json));
    expect(error.code).toBe('unknown-format');
    expect(error.message).toBe(message(file));
    expect(error.note).toBe(accepted);
  });

  it.each([
    { title: 'an empty file', content: '' },
    { title: 'whitespace only', content: ' \n\t\n' },
  ])('rejects $title as no-data', ({ content }) => {
    const { file, error } = loadError(content);
    expect(error.code).toBe('no-data');
    expect(error.message).toBe(`k6 summary: \`${file}\` is empty: expected a JSON summary`);
  });

  it('reads a gzip summary and rejects a missing file as unreadable', () => {
    expect(loadK6Summary(write(gzipSync(JSON.stringify(k6TestData)))).format).toBe('k6-summary');
    const missing = join(dir, 'missing.json');
    expect(() => loadK6Summary(missing)).toThrow(`k6 summary: cannot read \`${missing}\`: ENOENT`);
  });
});
