/**
 * Soak analysis on real soaks of the sample service, one replica under a 96 MiB limit each: one that
 * leaks 2 MiB a second (--leak-kb-per-s), one that gets 10 ms slower every second
 * (--degrade-ms-per-min; apart, since each OOM kill would restart the slowdown too), and one with
 * neither. The first must show the leak, its OOM kill and restart; the second the latency drift; the
 * third none of them. Serial: the clean soak's "no trend" must not be the machine's other work.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../analysis/cli.ts';
import { detectCgroups } from '../../scripts/lib/cgroups.ts';
import { runScript } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-soak-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const targets = path.join(work, 'targets.json');
const cgroups = detectCgroups();

const soak = (name: string, target: string) =>
  runScript('sweep.ts', ['--targets', targets, '--target', target, '--scenario', 'soak', '--tps-levels', '30', '--duration', '50s', '--env', 'WARMUP=5s', '--pause', '0s', '--snapshot-interval', '2s', '--out', path.join(work, name)]);

async function analyze(name: string) {
  let stdout = '';
  const result = await runCli([name, '--out', `${name}-report`], { stdout: (s) => (stdout += s), stderr: () => {}, cwd: work });
  const json = JSON.parse(readFileSync(path.join(work, `${name}-report`, 'analysis.json'), 'utf8'));
  const md = readFileSync(path.join(work, `${name}-report`, 'report.md'), 'utf8');
  return { result, stdout, json, md };
}

interface SoakJson {
  run: string;
  trends: TrendJson[];
  leak: { pod: string; bytes_per_hour: number; time_to_limit_s: number | null } | null;
  oom_kills: number | null;
  restarts: number | null;
  memory: { pod: string; stretches: number; limit_bytes: number | null }[];
}

interface TrendJson {
  metric: string;
  pod?: string;
  slope: number | null;
  ci: [number, number] | null;
  test: string | null;
  p_value: number | null;
  p_adjusted: number | null;
  start_value: number | null;
  relative_change: number | null;
  verdict: string;
  samples: [number, number][];
}

beforeAll(async () => {
  writeFileSync(
    targets,
    JSON.stringify({
      targets: {
        leaky: { kind: 'process', leakKbPerSecond: 2048, resources: { memory: '96Mi' } },
        degrading: { kind: 'process', degradeMsPerMinute: 600, resources: { memory: '96Mi' } },
        clean: { kind: 'process', resources: { memory: '96Mi' } },
      },
    }),
  );
  // A level whose k6 thresholds fail (the OOM kill fails some requests) is recorded; the sweep exits 0.
  expect((await soak('leaky', 'leaky')).code).toBe(0);
  expect((await soak('degrading', 'degrading')).code).toBe(0);
  expect((await soak('clean', 'clean')).code).toBe(0);
}, 400_000);

describe('soak analysis on real soaks', () => {
  it('finds the leak of a replica that leaks, its OOM kill and restart, and the time to its limit', async () => {
    const { json, md } = await analyze('leaky');
    const [entry] = json.soak as SoakJson[];
    expect(entry).toBeDefined();
    const findings = json.findings as { kind: string; severity: string; title: string; detail: string }[];
    if (!cgroups.usable) {
      // Without cgroups there is no limit to reach: the leak still shows in the process's memory.
      expect(entry?.oom_kills ?? 0).toBe(0);
      expect(entry?.leak?.pod).toBe('sample-replica-0');
      return;
    }
    // 2 MiB/s into 96 MiB from about 30 MiB: an OOM kill about 33 s in, then a fresh replica.
    expect(entry?.oom_kills).toBeGreaterThanOrEqual(1);
    expect(entry?.restarts).toBe(entry?.oom_kills);
    expect(entry?.leak?.pod).toBe('sample-replica-0');
    // 2 MiB/s is 7.03 GiB/h; the working set also counts what the leak makes the heap and the page
    // tables do, so about that, and never less than the leak itself by more than the capture jitter.
    const perHour = (entry?.leak?.bytes_per_hour ?? 0) / 2 ** 30;
    expect(perHour).toBeGreaterThan(6);
    expect(perHour).toBeLessThan(9);
    expect(entry?.leak?.time_to_limit_s).toBeLessThan(60);
    const memory = entry?.memory.find((m) => m.pod === 'sample-replica-0');
    expect(memory?.limit_bytes).toBe(96 * 2 ** 20);
    // One stretch more than the kills during the steady state (a kill after its last capture
    // starts no stretch in it).
    expect(memory?.stretches).toBeGreaterThanOrEqual(2);
    expect(memory?.stretches).toBeLessThanOrEqual((entry?.oom_kills ?? 0) + 1);
    const memoryTrend = entry?.trends.find((t) => t.metric === 'memory_bytes') as TrendJson;
    expect(memoryTrend.test).toBe('seasonal-kendall');
    expect(memoryTrend.p_value).toBeLessThan(1e-6);
    expect((memoryTrend.ci as [number, number])[0]).toBeGreaterThan(0);
    expect(findings.filter((f) => f.kind === 'memory-leak').map((f) => f.severity)).toEqual(['fail']);
    expect(findings.filter((f) => f.kind === 'oom-kill').map((f) => f.severity)).toEqual(['fail']);
    expect(md).toMatch(/Memory: sample-replica-0 grows \+\d+\.\d GiB\/h \(95% interval \+\d+\.\d GiB\/h to \+\d+\.\d GiB\/h\), seasonal Kendall p < 0\.0001; would reach its limit of 96\.0 MiB in \d+(\.\d)? s, OOM-killed \d times?\./);
    // The latency is not held flat here: near its limit, and cold after its OOM restart, the leaking
    // replica may answer slower (CI, 2026-12-02: p95 +114% over the steady state, Mann–Kendall p =
    // 0.046). Whatever drift the report claims comes with its test and interval, as a warning, and
    // apart from the leak, which is its own finding above.
    for (const drift of findings.filter((f) => f.kind === 'soak-drift')) {
      expect(drift.severity).toBe('warn');
      expect(drift.detail).toMatch(/^p(50|95|99) (rises|falls) [+−]?[\d.]+ ms\/h \(95% interval [+−]?[\d.]+ ms\/h to [+−]?[\d.]+ ms\/h\), Mann–Kendall p [=<] [\d.]+/);
    }
  });

  it('finds the latency drift of a replica that slows down, with its test and samples', async () => {
    const { json, md } = await analyze('degrading');
    const [entry] = json.soak as SoakJson[];
    const p95 = entry?.trends.find((t) => t.metric === 'p95_ms') as TrendJson;
    // 600 ms more per minute of uptime is 36 000 ms per hour: the fitted slope is about that (the
    // windows' p95 are the slowest requests of each window, which all carry the same added delay).
    expect(p95.verdict).toBe('increasing');
    expect(p95.test).toBe('mann-kendall-hamed-rao');
    expect(p95.slope).toBeGreaterThan(30_000);
    expect(p95.slope).toBeLessThan(42_000);
    expect(p95.samples.length).toBeGreaterThanOrEqual(8);
    const p50 = entry?.trends.find((t) => t.metric === 'p50_ms') as TrendJson;
    expect(p50.verdict).toBe('increasing');
    const findings = json.findings as { kind: string; severity: string }[];
    expect(findings.filter((f) => f.kind === 'soak-drift').length).toBeGreaterThanOrEqual(2);
    // Requests held longer are more requests in flight (30 req/s × a p95 growing to 500 ms): its
    // memory grows a little (measured: about 2 MiB over the 50 s), under a leak's 8 MiB.
    expect(entry?.leak).toBeNull();
    expect(md).toMatch(/p95 rises \+\d+ ms\/h \(95% interval \+\d+ ms\/h to \+\d+ ms\/h\), Mann–Kendall p [=<] \d[\d.e-]*, \+\d+% over the steady state/);
  });

  it('finds no degradation in the same soak without the leak and the slowdown', async () => {
    const { json, md } = await analyze('clean');
    const [entry] = json.soak as SoakJson[];
    expect(entry).toBeDefined();
    const metrics = (entry?.trends ?? []).filter((t) => t.pod === undefined);
    expect(metrics.map((t) => t.metric)).toEqual(['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'rps']);
    // The clean replica neither leaks nor slows down, but it may get faster: the Node service's JIT and
    // heap settle over its first minute (measured in CI: p50 2.37 → −14% over the 45 s, Holm p = 0.006;
    // with a 20 s warm-up still −10%, p = 0.009). An improvement is a trend the report states ("p50
    // falls …") and no finding; a degradation must not be there. Listed with their numbers, so that a
    // failure says which metric and by how much.
    const line = (t: TrendJson) => `${t.metric}: ${t.verdict}, from ${t.start_value}, ${t.relative_change} relative, p ${t.p_adjusted}`;
    const worse = metrics.filter((t) => (t.metric === 'rps' ? t.verdict === 'decreasing' : t.verdict === 'increasing'));
    expect(worse.map(line)).toEqual([]);
    const improving = metrics.filter((t) => t.verdict === 'increasing' || t.verdict === 'decreasing');
    const label: Record<string, string> = { p50_ms: 'p50', p95_ms: 'p95', p99_ms: 'p99', error_rate: 'error rate', rps: 'throughput' };
    if (improving.length === 0) expect(md).toContain('no significant trend in latency, errors or throughput.');
    for (const t of improving) expect(md).toContain(`${label[t.metric]} ${t.metric === 'rps' ? 'rises' : 'falls'} `);
    expect(entry?.leak).toBeNull();
    expect(entry?.oom_kills ?? 0).toBe(0);
    const kinds = (json.findings as { kind: string }[]).map((f) => f.kind);
    expect(kinds.filter((k) => ['soak-drift', 'memory-leak', 'oom-kill', 'restarts'].includes(k))).toEqual([]);
  });
});
