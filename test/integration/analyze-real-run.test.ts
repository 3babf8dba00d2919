/**
 * End to end on real data: k6 runs dist/constant.js against the sample service, writing NDJSON and
 * CSV at once; the analysis of each must agree with k6's own end-of-test numbers (summary.json):
 * request counts exactly, percentiles within 1% (k6 computes them exactly from every sample).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
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

describe('inputs as the README names them', () => {
  it('`analyze k6.json.gz summary.json` is one run, exactly as the folder holding both', async () => {
    const loose = await analyze([path.join(ndjsonDir, 'k6.json.gz'), path.join(ndjsonDir, 'summary.json')]);
    const folder = await analyze([ndjsonDir]);
    expect(loose.results).toHaveLength(1);
    const [one] = loose.results;
    const [same] = folder.results;
    expect(one?.run.id).toBe('e2e');
    // The summary joined the raw data: the status and k6's test duration come from it.
    expect(one?.run.summary?.path).toBe(path.join(ndjsonDir, 'summary.json'));
    expect(one?.run.status).toBe('ok');
    expect(one?.numbers).toEqual(same?.numbers);
    expect(one?.run.label).toBe('e2e');
  });

  it('a stranger in a run folder is skipped with its reason, the run analysed', async () => {
    const dir = path.join(work, 'with-stranger');
    mkdirSync(dir);
    copyFileSync(path.join(ndjsonDir, 'k6.json.gz'), path.join(dir, 'k6.json.gz'));
    writeFileSync(path.join(dir, 'config.json'), '{"replicas": 3, "image": "svc:1.2"}\n');
    writeFileSync(path.join(dir, 'notes.csv'), 'when,who\n2026-11-30,me\n');
    const analysis = await analyze([dir]);
    expect(analysis.results.map(({ run, numbers }) => [run.id, numbers.requests])).toEqual([['e2e', k6Summary.results.requests]]);
    const skipped = analysis.inputs.filter((input) => input.skipped_reason !== undefined);
    expect(skipped.map((input) => [path.basename(input.path), input.skipped_reason])).toEqual([
      ['config.json', `k6 summary: JSON with keys \`replicas\`, \`image\` at ${path.join(dir, 'config.json')}: expected a k6 summary`],
      [
        'notes.csv',
        `k6 csv: \`when,who\` at ${path.join(dir, 'notes.csv')}:1: expected a k6 CSV header with the columns \`metric_name\`, \`timestamp\` and \`metric_value\` (in any order, then tag columns)`,
      ],
    ]);
    expect(analysis.findings.filter((f) => f.id.startsWith('input-skipped:')).map((f) => f.severity)).toEqual(['info', 'info']);
  });

  it('a k6 CSV with its columns in another order is read by header name', async () => {
    const dir = path.join(work, 'reordered');
    mkdirSync(dir);
    const lines = gunzipSync(readFileSync(path.join(csvDir, 'k6.csv.gz'))).toString('utf8').trimEnd().split('\n');
    const header = (lines[0] as string).split(',');
    // metric_value first, metric_name last: no row has commas in quotes in our output, so a plain split is exact.
    const order = [2, ...header.map((_, i) => i).filter((i) => i !== 0 && i !== 2), 0];
    writeFileSync(path.join(dir, 'k6.csv'), `${lines.map((line) => order.map((i) => line.split(',')[i]).join(',')).join('\n')}\n`);
    const [original, reordered] = await Promise.all([analyze([csvDir]), analyze([dir])]);
    expect(reordered.results[0]?.numbers).toEqual(original.results[0]?.numbers);
  });
});
