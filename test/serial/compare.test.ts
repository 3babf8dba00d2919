/**
 * Deployment comparison on real runs of the sample service: the same settings twice must come out
 * `no-change`, and a /predict that costs 50% more CPU (225 units against 150) must come out `worse`.
 * The two sides of each comparison run at the same time, each a real sweep with its own service
 * whose replica is held to half a core (a CFS quota, where cgroups can be used): one after the
 * other, the host's own noise (CPU steal on this VM) moved latency by more than every threshold
 * between two sweeps of the same settings (measured: p95 9.6 ms, then 4.0 ms); side by side it hits
 * both.
 *
 * Requests of about 6 ms (cost 150 at 50 req/s for 40 s), not 2 ms: the host's scheduling jitter is
 * a millisecond or so whatever the request, so on a 2 ms service it is a large share of the tail.
 * Measured side by side (2026-12-02, 10 pairs of the same settings at cost 50, 100 req/s, 20 s):
 * p95 came out `worse` by 39% (p = 0.02) in one pair, and by 48% in one of 10 more pairs without the
 * quota, so this test failed about one time in ten, as CI saw. At cost 150, 50 req/s, 40 s (8 pairs):
 * every metric `no-change`, the largest differences p50 7.3%, p95 19.7%, p99 14%, under the
 * thresholds (10%, 25%, 35%). The file runs alone (vitest.serial.config.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../analysis/compare-cli.ts';
import { EXIT_GATE_FAILED } from '../../analysis/command.ts';
import { runScript } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const targets = path.join(work, 'targets.json');
const sweep = (name: string, target: string) =>
  runScript('sweep.ts', ['--targets', targets, '--target', target, '--tps-levels', '50', '--duration', '40s', '--pause', '0s', '--snapshot-interval', '2s', '--out', path.join(work, name)]);

async function compare(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const result = await runCompare(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: work });
  return { ...result, stdout, stderr };
}

interface ComparisonJson {
  metric: string;
  level: number;
  verdict: string;
  test: string | null;
  p_value: number | null;
  p_adjusted: number | null;
  delta_pct: number | null;
  ci_pct: [number, number] | null;
  window_s: number;
  baseline_samples: number[];
  candidate_samples: number[];
}

/** What a failure should show: each metric's verdict, change and adjusted p-value. */
const described = (comparisons: readonly ComparisonJson[]): string =>
  comparisons.map((c) => `${c.metric} ${c.verdict} ${c.delta_pct?.toFixed(1) ?? '-'}% p=${c.p_adjusted?.toPrecision(2) ?? '-'} (${c.baseline_samples.length}/${c.candidate_samples.length} windows of ${c.window_s} s)`).join('; ');

beforeAll(async () => {
  const half = { cores: '500m' };
  writeFileSync(targets, JSON.stringify({ targets: { cost150: { kind: 'process', replicas: 1, predictCost: 150, resources: half }, cost225: { kind: 'process', replicas: 1, predictCost: 225, resources: half } } }));
  // Side by side: two half-core replicas and two k6 processes fit in the two cores, and whatever the
  // host does to one side it does to the other.
  for (const pair of [[['same-a', 'cost150'], ['same-b', 'cost150']], [['before', 'cost150'], ['after', 'cost225']]] as const) {
    const results = await Promise.all(pair.map(([name, target]) => sweep(name, target)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
  }
}, 300_000);

describe('npm run compare on real runs', () => {
  it('the same settings twice: no significant change, exit 0 with --fail-on regression', async () => {
    const result = await compare('same-a', 'same-b', '--fail-on', 'regression', '--out', 'same-report');
    expect(result.stderr).toBe('');
    const json = JSON.parse(readFileSync(path.join(work, 'same-report', 'analysis.json'), 'utf8'));
    const comparisons = json.comparisons as ComparisonJson[];
    expect(result.exitCode, described(comparisons)).toBe(0);
    expect(comparisons.map((c) => c.metric)).toEqual(['p50_ms', 'p95_ms', 'p99_ms', 'rps', 'error_rate']);
    expect(comparisons.map((c) => c.verdict)).toEqual(['no-change', 'no-change', 'no-change', 'no-change', 'no-change']);
    const md = readFileSync(path.join(work, 'same-report', 'report.md'), 'utf8');
    expect(md).toContain('No significant change: none of the 5 tested metrics changed by at least its practical threshold (10% for p50 and the rate, 25% for p95, 35% for p99) with p < 0.05.');
    expect(result.stdout).toContain('No significant change');
  });

  it('a 50% costlier /predict: latency worse, with its test, interval and samples; exit 3 with --fail-on regression', async () => {
    const result = await compare('before', 'after', '--fail-on', 'regression', '--out', 'cost-report');
    const json = JSON.parse(readFileSync(path.join(work, 'cost-report', 'analysis.json'), 'utf8'));
    const comparisons = json.comparisons as ComparisonJson[];
    expect(result.exitCode, described(comparisons)).toBe(EXIT_GATE_FAILED);
    // CPU per /predict up 50%: some latency percentile comes out worse (which one moves most depends on
    // the run), none better, the rate and the errors unchanged.
    const worse = comparisons.filter((c) => c.verdict === 'worse');
    expect(worse.length).toBeGreaterThan(0);
    expect(worse.every((c) => ['p50_ms', 'p95_ms', 'p99_ms'].includes(c.metric))).toBe(true);
    expect(comparisons.filter((c) => c.verdict === 'better')).toEqual([]);
    expect(comparisons.filter((c) => c.metric === 'rps' || c.metric === 'error_rate').map((c) => c.verdict)).toEqual(['no-change', 'no-change']);
    const p50 = comparisons.find((c) => c.metric === 'p50_ms') as ComparisonJson;
    expect(p50.delta_pct).toBeGreaterThan(0);
    const first = worse[0] as ComparisonJson;
    expect(first.delta_pct).toBeGreaterThan(10);
    expect(first.ci_pct?.[0]).toBeGreaterThan(0);
    expect(first.p_adjusted).toBeLessThan(0.05);
    // Exact without ties; per-window percentiles from histograms often tie, then the normal approximation.
    expect(['mann-whitney-u-exact', 'mann-whitney-u-normal']).toContain(first.test);
    // Anyone can re-check the test: the samples it was computed from are there.
    expect(first.baseline_samples.length).toBeGreaterThanOrEqual(8);
    // Each side's steady window is found on its own run, so one side may have a window more.
    expect(first.candidate_samples.length).toBeGreaterThanOrEqual(8);
    const name = { p50_ms: 'p50', p95_ms: 'p95', p99_ms: 'p99' }[first.metric as 'p50_ms'];
    expect(result.stdout).toContain(`GATE regression: ${name} at 50 req/s, 1 replica not worse — worse: ${name} at 50 req/s, 1 replica: `);
    const junit = readFileSync(path.join(work, 'cost-report', 'junit.xml'), 'utf8');
    expect(junit).toContain(`<testcase classname="k6-capacity.regression" name="${name} at 50 req/s, 1 replica not worse"><failure type="regression" message="worse: ${name} at 50 req/s, 1 replica: `);
    const md = readFileSync(path.join(work, 'cost-report', 'report.md'), 'utf8');
    expect(md).toContain(`* **fail** after is worse than before: ${name} at 50 req/s, 1 replica: `);
  });
});
