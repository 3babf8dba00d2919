/**
 * A small sweep folder written the way the sweep tool lays one out (DESIGN.md "Run directory"), with
 * exactly known samples, for model, report and CLI tests.
 *
 *   tps-10/  k6.json (30 requests in 3 s, 10 ms each but one of 50 ms), snapshots/ with process captures
 *            of the replica and of k6 itself
 *   tps-20/  k6.json.gz (45 of 60 requests, 3 failed, 5 dropped), summary.json (a threshold failed),
 *            snapshots/ where metrics-server was missing
 *   tps-40/  listed as `error` by the manifest, no folder
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DECLARATIONS, pointLine, requestLines } from './k6-lines.ts';

export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

export function writeSweep(root: string): void {
  mkdirSync(path.join(root, 'tps-10', 'snapshots'), { recursive: true });
  mkdirSync(path.join(root, 'tps-20', 'snapshots'), { recursive: true });
  const levels = [
    { id: 'tps-10', level: 10, replicas: null, status: 'ok', run_id: 'sweep-tps-10', started_at: iso(T0), ended_at: iso(T0 + 3000), exit_code: 0, reason: null },
    { id: 'tps-20', level: 20, replicas: null, status: 'thresholds-failed', run_id: 'sweep-tps-20', started_at: iso(T0 + 10_000), ended_at: iso(T0 + 13_000), exit_code: 99, reason: null },
    { id: 'tps-40', level: 40, replicas: null, status: 'error', run_id: 'sweep-tps-40', started_at: iso(T0 + 20_000), ended_at: iso(T0 + 20_500), exit_code: 107, reason: 'k6 exited with code 107 (script exception)' },
  ];
  writeFileSync(
    path.join(root, 'manifest.json'),
    JSON.stringify({
      kind: 'k6-capacity-sweep',
      schemaVersion: 1,
      id: 'sweep',
      target: { name: 'sample', kind: 'process', base_url: 'http://127.0.0.1:18080', resources: null },
      scenario: 'constant',
      duration: '3s',
      created_at: iso(T0 - 1000),
      updated_at: iso(T0 + 21_000),
      k6_version: '2.2.0',
      tool_version: '0.1.0',
      command: ['npm', 'run', 'sweep', '--', '--target', 'sample'],
      host: { cores: 2, memory_bytes: 24 * 2 ** 30, cpu_model: 'AMD EPYC', platform: 'linux x64' },
      levels,
    }),
  );

  // tps-10: 10/s for 3 s, all 10 ms except one 50 ms; vus every second, as k6 emits them.
  const tags10 = { run_id: 'sweep-tps-10', target: 'sample', scenario: 'constant', level: '10' };
  const lines10 = [...DECLARATIONS];
  for (let s = 0; s <= 3; s++) lines10.push(pointLine('vus', T0 + s * 1000, 2, { run_id: 'sweep-tps-10', target: 'sample', level: '10' }));
  for (let i = 0; i < 30; i++) lines10.push(...requestLines({ timeMs: T0 + i * 100, durationMs: i === 7 ? 50 : 10, tags: tags10 }));
  writeFileSync(path.join(root, 'tps-10', 'k6.json'), `${lines10.join('\n')}\n`);
  writeFileSync(
    path.join(root, 'tps-10', 'snapshots', 'captures.jsonl'),
    [processCapture(T0 + 1000, 250, 50), loadgenCapture(T0 + 1000, 120, 60), processCapture(T0 + 2000, 350, 52), loadgenCapture(T0 + 2000, 140, 64)]
      .map((c) => JSON.stringify(c))
      .join('\n') + '\n',
  );

  // tps-20: the generator kept only 15/s: 45 requests in 3 s, 3 failed, 5 dropped iterations.
  const tags20 = { run_id: 'sweep-tps-20', target: 'sample', scenario: 'constant', level: '20' };
  const lines20 = [...DECLARATIONS];
  for (let s = 0; s <= 3; s++) lines20.push(pointLine('vus', T0 + 10_000 + s * 1000, 20, { run_id: 'sweep-tps-20', target: 'sample', level: '20' }));
  for (let i = 0; i < 45; i++) {
    lines20.push(...requestLines({ timeMs: T0 + 10_000 + Math.floor((i * 1000) / 15), durationMs: 100 + i, failed: i % 15 === 0, tags: tags20 }));
  }
  for (let i = 0; i < 5; i++) lines20.push(pointLine('dropped_iterations', T0 + 10_500 + i * 500, 1, { run_id: 'sweep-tps-20', scenario: 'constant', level: '20' }));
  writeFileSync(path.join(root, 'tps-20', 'k6.json.gz'), gzipSync(`${lines20.join('\n')}\n`));
  writeFileSync(path.join(root, 'tps-20', 'summary.json'), JSON.stringify(capacitySummary()));
  writeFileSync(
    path.join(root, 'tps-20', 'snapshots', 'captures.jsonl'),
    `${JSON.stringify({
      captured_at: iso(T0 + 11_000),
      kind: 'top-pods',
      command: ['kubectl', 'top', 'pods', '-n', 'demo'],
      exit_code: 1,
      stdout: '',
      stderr: 'error: Metrics API not available\n',
    })}\n`,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** What the sweep writes about k6 itself: a PodMetricsList with one "pod" `k6` in `loadgen`. */
export function loadgenCapture(atMs: number, cpuMillicores: number, memoryMiB: number) {
  return { ...podMetricsCapture(atMs, { name: 'k6', namespace: 'loadgen' }, cpuMillicores, memoryMiB), kind: 'loadgen', phase: 'during', command: ['proc-sampler', '4242'] };
}

/** What the process sampler writes: a PodMetricsList of the replica processes. */
function processCapture(atMs: number, cpuMillicores: number, memoryMiB: number) {
  return podMetricsCapture(atMs, { name: 'sample-replica-0', namespace: 'local' }, cpuMillicores, memoryMiB);
}

function podMetricsCapture(atMs: number, metadata: { name: string; namespace: string }, cpuMillicores: number, memoryMiB: number) {
  return {
    captured_at: iso(atMs),
    kind: 'process',
    command: ['proc-sampler'],
    exit_code: 0,
    stdout: JSON.stringify({
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metadata,
          timestamp: iso(atMs),
          window: '1s',
          containers: [{ name: 'sample', usage: { cpu: `${cpuMillicores * 1_000_000}n`, memory: `${memoryMiB * 1024}Ki` } }],
        },
      ],
    }),
    stderr: '',
  };
}

/** A k6-capacity summary.json for tps-20 (lib/summary.ts shape), with its p95 threshold failed. */
function capacitySummary() {
  return {
    kind: 'k6-capacity-summary',
    schemaVersion: 1,
    run: {
      run_id: 'sweep-tps-20',
      target: 'sample',
      scenario: 'constant',
      level: 20,
      base_url: 'http://127.0.0.1:18080',
      schedule: { start_rate: 20, stages: [{ duration: '3s', seconds: 3, target: 20 }], total_seconds: 3, planned_iterations: 60 },
      vus: { pre_allocated: 3, max: 20 },
      slo: { p95_ms: 120, p99_ms: null, error_rate: 0.01 },
      mix: [{ name: 'health', weight: 1 }],
      start: iso(T0 + 10_000),
      end: iso(T0 + 13_000),
      duration_s: 3,
    },
    results: {
      requests: 45,
      failed_requests: 3,
      error_rate: 3 / 45,
      rps: 15,
      iterations: 45,
      dropped_iterations: 5,
      checks: { passes: 0, fails: 0 },
      vus_max: 20,
      latency_ms: { min: 100, mean: 122, p50: 122, p90: 139.6, p95: 141.8, p99: 143.56, max: 144 },
    },
    thresholds: [
      { metric: 'http_req_duration', expression: 'p(95)<120', ok: false },
      { metric: 'http_req_failed', expression: 'rate<0.01', ok: false },
    ],
    thresholds_ok: false,
    k6_metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: 45, rate: 15 } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 3 / 45, passes: 3, fails: 42 }, thresholds: { 'rate<0.01': { ok: false } } },
      http_req_duration: {
        type: 'trend',
        contains: 'time',
        values: { avg: 122, min: 100, med: 122, max: 144, 'p(90)': 139.6, 'p(95)': 141.8, 'p(99)': 143.56, count: 45 },
        thresholds: { 'p(95)<120': { ok: false } },
      },
      iterations: { type: 'counter', contains: 'default', values: { count: 45, rate: 15 } },
      dropped_iterations: { type: 'counter', contains: 'default', values: { count: 5, rate: 5 / 3 } },
    },
  };
}
