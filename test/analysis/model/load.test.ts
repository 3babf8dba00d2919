/**
 * The run model over a sweep folder (test/helpers/sweep-fixture.ts), over bare files, and the
 * merge of runner outputs: split data gives exactly what the unsplit data gives.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../../../analysis/analyze.ts';
import { AnalysisError } from '../../../analysis/errors.ts';
import { plain } from '../../../analysis/report/text.ts';
import { quantileR7 as r7 } from '../../../analysis/stats/quantile-r7.ts';
import { DECLARATIONS, requestLines } from '../../helpers/k6-lines.ts';
import { loadgenCapture, T0, writeSweep } from '../../helpers/sweep-fixture.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a sweep folder', () => {
  let analysis: Analysis;
  beforeAll(async () => {
    writeSweep(path.join(root, 'sweep'));
    analysis = await analyze([path.join(root, 'sweep')]);
  });

  it('has one run per level of the manifest, in level order, with the manifest status', () => {
    expect(analysis.results.map(({ run }) => [run.label, run.id, run.level, run.status])).toEqual([
      ['tps-10', 'sweep-tps-10', 10, 'ok'],
      ['tps-20', 'sweep-tps-20', 20, 'thresholds-failed'],
      ['tps-40', 'sweep-tps-40', 40, 'error'],
    ]);
  });

  it('computes the key numbers from the raw samples', () => {
    const [tps10, tps20, tps40] = analysis.results.map((r) => r.numbers);
    expect(tps10).toMatchObject({
      start: new Date(T0).toISOString(),
      end: new Date(T0 + 3000).toISOString(),
      duration_s: 3,
      requests: 30,
      failed_requests: 0,
      error_rate: 0,
      rps: 10,
      iterations: 30,
      dropped_iterations: 0,
      source: 'raw',
    });
    // 29 samples of 10 ms and one of 50 ms: exact min/max/mean; percentiles within 0.5%.
    expect(tps10?.latency_ms).toMatchObject({ min: 10, max: 50, mean: (29 * 10 + 50) / 30 });
    expect(Math.abs((tps10?.latency_ms.p50 ?? 0) - 10) / 10).toBeLessThanOrEqual(0.005);
    // tps-20: the summary's duration (3 s) gives the rate; 3 of 45 failed, 5 dropped.
    expect(tps20).toMatchObject({ duration_s: 3, requests: 45, failed_requests: 3, error_rate: 3 / 45, rps: 15, dropped_iterations: 5 });
    const durations = Array.from({ length: 45 }, (_, i) => 100 + i);
    for (const [key, q] of [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99]] as const) {
      expect(Math.abs((tps20?.latency_ms[key] ?? 0) - r7(durations, q)) / r7(durations, q)).toBeLessThanOrEqual(0.005);
    }
    // tps-40 errored before producing data: its numbers are missing, not zero-filled.
    expect(tps40).toMatchObject({ source: 'none', rps: null, error_rate: null, latency_ms: { p95: null } });
  });

  it('finds what a reader must not miss', () => {
    expect(analysis.findings.map((f) => [f.severity, f.id])).toEqual([
      ['fail', 'thresholds-failed:sweep-tps-20'],
      ['warn', 'loadgen-limited:sweep-tps-20'],
      ['warn', 'rate-below-target:sweep-tps-20'],
      ['warn', 'missing-resource-data:sweep-tps-20'],
      ['fail', 'level-status:sweep-tps-40'],
      ['warn', 'no-data:sweep-tps-40'],
    ]);
    const byId = new Map(analysis.findings.map((f) => [f.id, f]));
    expect(plain(byId.get('thresholds-failed:sweep-tps-20')?.detail ?? [])).toBe('`http_req_duration` `p(95)<120`, `http_req_failed` `rate<0.01`');
    expect(plain(byId.get('rate-below-target:sweep-tps-20')?.title ?? [])).toBe('tps-20: achieved 15 req/s of 20 req/s');
    expect(plain(byId.get('missing-resource-data:sweep-tps-20')?.detail ?? [])).toBe(
      '1 capture but no pod CPU or memory in them: kubectl: `error: Metrics API not available`: no resource metrics from this command',
    );
    expect(plain(byId.get('level-status:sweep-tps-40')?.detail ?? [])).toBe('k6 exited with code 107 (script exception)');
  });

  it('exposes per-second series, groups and resources as arquero tables', () => {
    const series = analysis.tables.series().filter((d: { run: string }) => d.run === 'sweep-tps-10').objects() as Record<string, unknown>[];
    expect(series.map((row) => [row.t, row.requests, row.rps, row.vus])).toEqual([
      [0, 10, 10, 2],
      [1, 10, 10, 2],
      [2, 10, 10, 2],
      [3, 0, 0, 2],
    ]);
    const groups = analysis.tables.groups().filter((d: { metric: string; run: string }) => d.metric === 'http_reqs' && d.run === 'sweep-tps-20').objects() as Record<string, unknown>[];
    expect(groups.map((g) => [g.status, g.count])).toEqual([
      ['500', 3],
      ['200', 42],
    ]);
    expect(analysis.tables.resources().objects()).toEqual([
      { run: 'sweep-tps-10', time: new Date(T0 + 1000).toISOString(), namespace: 'local', pod: 'sample-replica-0', cpu_millicores: 250, memory_bytes: 50 * 1048576, source: 'metrics-api' },
      { run: 'sweep-tps-10', time: new Date(T0 + 2000).toISOString(), namespace: 'local', pod: 'sample-replica-0', cpu_millicores: 350, memory_bytes: 52 * 1048576, source: 'metrics-api' },
    ]);
  });
});

describe('the load generator', () => {
  it('is flagged when k6 used most of a core, with the numbers; its samples are never the target\'s', async () => {
    const dir = path.join(root, 'busy-k6');
    writeFiles(dir, { 'k6.json': [...DECLARATIONS, ...requestLines({ timeMs: T0, durationMs: 3, tags: { run_id: 'busy', level: '5000' } })] });
    mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
    writeFileSync(
      path.join(dir, 'snapshots', 'captures.jsonl'),
      [loadgenCapture(T0, 900, 70), loadgenCapture(T0 + 1000, 1100, 75)].map((c) => `${JSON.stringify(c)}\n`).join(''),
    );
    const analysis = await analyze([dir]);
    const finding = analysis.findings.find((f) => f.id === 'loadgen-limited:busy');
    expect(plain(finding?.title ?? [])).toBe('busy-k6: load generator limited');
    expect(plain(finding?.detail ?? [])).toBe(
      "k6 used 1.00 cores on average (max 1.10 cores) over 2 captures, at or above 0.80 cores: the rate this level reached may be k6's limit, not the target's; give k6 more CPU or more runners (`npm run k8s -- testrun --parallelism N`)",
    );
    // k6 is not a pod of the target: no resource rows, the missing data is still reported.
    expect(analysis.tables.resources().numRows()).toBe(0);
    expect(analysis.findings.map((f) => f.id)).toContain('missing-resource-data:busy');
  });

  it('is not flagged below the line', async () => {
    const dir = path.join(root, 'calm-k6');
    writeFiles(dir, { 'k6.json': [...DECLARATIONS, ...requestLines({ timeMs: T0, durationMs: 3, tags: { run_id: 'calm', level: '50' } })] });
    mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
    writeFileSync(path.join(dir, 'snapshots', 'captures.jsonl'), `${JSON.stringify(loadgenCapture(T0, 790, 70))}\n`);
    const analysis = await analyze([dir]);
    expect(analysis.findings.map((f) => f.id).filter((id) => id.startsWith('loadgen'))).toEqual([]);
  });
});

describe('runner outputs of one run', () => {
  it('merge into the same result as the unsplit data (k6-operator runners tagged instance_id)', async () => {
    // One run's requests, alternately handled by runner 1 and 2, as k6-operator's execution segments do.
    const lines = (instance: string | null) => {
      const out: string[] = [];
      for (let i = 0; i < 600; i++) {
        const runner = String((i % 2) + 1);
        if (instance !== null && runner !== instance) continue;
        const tags = { run_id: 'op-run', testrun_name: 'op', instance_id: runner, scenario: 'constant', level: '100' };
        out.push(...requestLines({ timeMs: T0 + i * 10, durationMs: 5 + ((i * 37) % 97) / 3, failed: i % 50 === 0, tags }));
      }
      return out;
    };
    const dir = path.join(root, 'operator');
    const whole = path.join(dir, 'whole');
    const split = path.join(dir, 'split');
    for (const folder of [whole, split]) rmSync(folder, { recursive: true, force: true });
    writeFiles(whole, { 'k6.json': [...DECLARATIONS, ...lines(null)] });
    writeFiles(split, { 'runner-1.json': [...DECLARATIONS, ...lines('1')], 'runner-2.json': [...DECLARATIONS, ...lines('2')] });
    const [a, b] = await Promise.all([analyze([whole]), analyze([split])]);
    expect(b.runs).toHaveLength(1);
    expect(b.runs[0]?.instances).toEqual(['1', '2']);
    const latencyA = a.results[0]?.numbers.latency_ms;
    // Counts, histograms, min and max merge exactly; only the mean is a float sum whose last bits
    // depend on the order of addition.
    expect(b.results[0]?.numbers.latency_ms).toEqual({ ...latencyA, mean: expect.closeTo(latencyA?.mean ?? 0, 9) });
    const { latency_ms: _a, ...restA } = a.results[0]?.numbers ?? ({} as never);
    const { latency_ms: _b, ...restB } = b.results[0]?.numbers ?? ({} as never);
    expect(restB).toEqual(restA);
    const rows = a.tables.series().objects() as Record<string, unknown>[];
    expect(b.tables.series().objects()).toEqual(rows.map((row) => ({ ...row, mean_ms: expect.closeTo(row.mean_ms as number, 9) })));
  });
});

describe('runner summaries of one run', () => {
  it('judge each threshold on every runner, and keep only what merges exactly', async () => {
    const dir = path.join(root, 'operator-summaries');
    const summary = (runner: string, ok: boolean, requests: number, min: number, max: number) => ({
      kind: 'k6-capacity-summary',
      schemaVersion: 1,
      run: {
        run_id: 'op-sum', target: 'svc', scenario: 'constant', level: 100, base_url: 'http://svc:8080',
        schedule: { start_rate: 100, stages: [{ duration: '10s', seconds: 10, target: 100 }], total_seconds: 10, planned_iterations: 1000 },
        vus: { pre_allocated: 15, max: 100 }, slo: { p95_ms: 50, p99_ms: null, error_rate: 0.01 }, mix: [{ name: 'health', weight: 1 }],
        start: new Date(T0).toISOString(), end: new Date(T0 + 10_000).toISOString(), duration_s: runner === '1' ? 10 : 10.2,
      },
      results: {
        requests, failed_requests: 0, error_rate: 0, rps: requests / 10, iterations: requests, dropped_iterations: 0,
        checks: { passes: 0, fails: 0 }, vus_max: 10, latency_ms: { min, mean: 20, p50: 20, p90: 30, p95: 40, p99: 45, max },
      },
      thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<50', ok }],
      thresholds_ok: ok,
      k6_metrics: {},
    });
    writeFiles(dir, {});
    writeFileSync(path.join(dir, 'runner-1-summary.json'), JSON.stringify(summary('1', true, 500, 1.5, 80)));
    writeFileSync(path.join(dir, 'runner-2-summary.json'), JSON.stringify(summary('2', false, 498, 1.2, 95)));
    const analysis = await analyze([dir]);
    const [result] = analysis.results;
    expect(result?.run.status).toBe('thresholds-failed');
    expect(result?.numbers).toMatchObject({
      source: 'summary',
      requests: 998,
      duration_s: 10.2,
      latency_ms: { min: 1.2, max: 95, p95: null, mean: null },
    });
    expect(analysis.findings.map((f) => [f.id, plain(f.detail)])).toContainEqual(['thresholds-failed:op-sum', '`http_req_duration` `p(95)<50`']);
  });
});

describe('bare inputs', () => {
  it('a single NDJSON file without tags of ours is one run named after the file', async () => {
    const file = path.join(root, 'plain.json');
    writeFileSync(file, [...DECLARATIONS, ...requestLines({ timeMs: T0, durationMs: 12, tags: { scenario: 'default' } })].join('\n'));
    const analysis = await analyze([file]);
    expect(analysis.results.map(({ run, numbers }) => [run.id, run.label, run.level, run.status, numbers.requests])).toEqual([
      ['plain.json', 'plain.json', null, 'unknown', 1],
    ]);
  });

  it('loose runner files with the same run_id are one run', async () => {
    const a = path.join(root, 'r1.json');
    const b = path.join(root, 'r2.json');
    writeFileSync(a, [...DECLARATIONS, ...requestLines({ timeMs: T0, durationMs: 1, tags: { run_id: 'x', instance_id: '1' } })].join('\n'));
    writeFileSync(b, [...DECLARATIONS, ...requestLines({ timeMs: T0 + 5, durationMs: 2, tags: { run_id: 'x', instance_id: '2' } })].join('\n'));
    const analysis = await analyze([a, b]);
    expect(analysis.results.map(({ run, numbers }) => [run.id, run.instances, numbers.requests])).toEqual([['x', ['1', '2'], 2]]);
  });

  it('one file that carries two run ids is two runs, each with only its own samples', async () => {
    const file = path.join(root, 'two-runs.json');
    const lines = [
      ...requestLines({ timeMs: T0, durationMs: 4, tags: { run_id: 'first', level: '10' } }),
      ...requestLines({ timeMs: T0 + 1, durationMs: 6, tags: { run_id: 'first', level: '10' } }),
      ...requestLines({ timeMs: T0 + 2, durationMs: 30, failed: true, tags: { run_id: 'second', level: '20' } }),
    ];
    writeFileSync(file, [...DECLARATIONS, ...lines].join('\n'));
    const analysis = await analyze([file]);
    expect(analysis.results.map(({ run, numbers }) => [run.id, run.level, numbers.requests, numbers.failed_requests, numbers.latency_ms.max])).toEqual([
      ['first', 10, 2, 0, 6],
      ['second', 20, 1, 1, 30],
    ]);
  });

  it('a summary alone gives the run from k6\'s own numbers', async () => {
    const file = path.join(root, 'export.json');
    // formats.md §3.3 shape (legacy --summary-export): http_req_failed `passes` are failed requests.
    writeFileSync(
      file,
      JSON.stringify({
        metrics: {
          http_reqs: { count: 1587, rate: 528.4 },
          http_req_failed: { passes: 0, fails: 1587, value: 0 },
          http_req_duration: { avg: 3.7, min: 1.4, med: 3.4, max: 20.9, 'p(90)': 5.1, 'p(95)': 7.3 },
          dropped_iterations: { count: 17, rate: 5.66 },
        },
        root_group: { groups: {}, checks: {}, name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e' },
      }),
    );
    const analysis = await analyze([file]);
    expect(analysis.results[0]?.numbers).toMatchObject({
      source: 'summary',
      requests: 1587,
      failed_requests: 0,
      rps: 528.4,
      dropped_iterations: 17,
      latency_ms: { min: 1.4, mean: 3.7, p50: 3.4, p90: 5.1, p95: 7.3, p99: null, max: 20.9 },
    });
  });

  it('refuses an input that does not exist or is of another kind, naming it', async () => {
    await expect(analyze([path.join(root, 'nope')])).rejects.toThrow(new AnalysisError('unreadable', `analyze: \`${path.join(root, 'nope')}\` does not exist`));
    const odd = path.join(root, 'notes.txt');
    writeFileSync(odd, 'just some notes\n');
    await expect(analyze([odd])).rejects.toThrow(`analyze: \`${odd}\` is not a k6 output, summary or kubectl capture (line 1)`);
  });
});

function writeFiles(dir: string, files: Record<string, string[]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, lines] of Object.entries(files)) writeFileSync(path.join(dir, name), `${lines.join('\n')}\n`);
}
