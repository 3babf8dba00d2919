/**
 * End to end on real data: k6 runs dist/constant.js against the sample service, writing NDJSON and
 * CSV at once; the analysis of each must agree with k6's own end-of-test numbers (summary.json):
 * request counts exactly, percentiles within 1% (k6 computes them exactly from every sample).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { analyze } from '../../analysis/analyze.ts';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { runK6, startSampleService } from '../../scripts/lib/processes.ts';

const k6 = inject('k6');
const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-e2e-'));
const ndjsonDir = path.join(work, 'json');
const csvDir = path.join(work, 'csv');
let k6Summary: {
  results: { requests: number; failed_requests: number; error_rate: number; iterations: number; latency_ms: Record<string, number> };
  run: { duration_s: number };
};

beforeAll(async () => {
  mkdirSync(ndjsonDir);
  mkdirSync(csvDir);
  // A little injected error rate, so failed requests are counted for real.
  const service = await startSampleService({ replicas: 2, errorRate: 0.05 });
  try {
    const result = await runK6({
      k6,
      script: path.join(repoRoot, 'dist', 'constant.js'),
      vars: { BASE_URL: service.url, TPS: '40', DURATION: '4s', MIX: 'predict:3,light:1', RUN_ID: 'e2e', SUMMARY_PATH: path.join(ndjsonDir, 'summary.json'), SLO_ERROR_RATE: '0.5' },
      jsonOut: path.join(ndjsonDir, 'k6.json.gz'),
      extraArgs: ['--out', `csv=${path.join(csvDir, 'k6.csv.gz')}`],
      cwd: work,
    });
    expect(result.exitCode).toBe(0);
  } finally {
    await service.stop();
  }
  k6Summary = JSON.parse(readFileSync(path.join(ndjsonDir, 'summary.json'), 'utf8'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each([
  ['NDJSON', () => ndjsonDir],
  ['CSV', () => csvDir],
])('analysis of real k6 %s output', (_format, dir) => {
  it('agrees with k6: requests and failures exactly, percentiles within 1%', async () => {
    const analysis = await analyze([dir()]);
    expect(analysis.results).toHaveLength(1);
    const { numbers, run } = analysis.results[0] as (typeof analysis.results)[number];
    expect(run.id).toBe('e2e');
    expect(run.level).toBe(40);
    expect(numbers.requests).toBe(k6Summary.results.requests);
    expect(numbers.failed_requests).toBe(k6Summary.results.failed_requests);
    expect(numbers.failed_requests).toBeGreaterThan(0);
    expect(numbers.iterations).toBe(k6Summary.results.iterations);
    for (const key of ['p50', 'p90', 'p95', 'p99'] as const) {
      const exact = k6Summary.results.latency_ms[key] as number;
      expect(Math.abs((numbers.latency_ms[key] as number) - exact) / exact).toBeLessThan(0.01);
    }
    expect(numbers.latency_ms.min).toBeCloseTo(k6Summary.results.latency_ms.min as number, 3);
    expect(numbers.latency_ms.max).toBeCloseTo(k6Summary.results.latency_ms.max as number, 3);
    expect(analysis.inputs.every((input) => input.problems_total === 0)).toBe(true);
  });
});
