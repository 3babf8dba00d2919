/**
 * report.md, exactly: the sweep fixture (test/helpers/sweep-fixture.ts) rendered with a fixed clock.
 * Every number in it follows from the fixture: e.g. tps-10's p99 is the R-7 value 10 + 0.71·40 = 38.4
 * (29 samples of 10 ms, one of 50 ms), tps-20 achieved 45 requests / 3 s = 15/s of 20/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../../../analysis/analyze.ts';
import { toAnalysisJson } from '../../../analysis/report/analysis-json.ts';
import { renderMarkdown, reportTree } from '../../../analysis/report/markdown.ts';
import { writeSweep } from '../../helpers/sweep-fixture.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-report-'));
let analysis: Analysis;
beforeAll(async () => {
  writeSweep(path.join(root, 'sweep'));
  analysis = await analyze([path.join(root, 'sweep')]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = { toolVersion: '0.1.0', now: new Date('2026-11-24T12:00:00Z'), relativePath: (file: string) => path.relative(root, file) };

describe('report.md', () => {
  it('renders the sweep exactly', () => {
    expect(renderMarkdown(analysis, options)).toBe(
      [
      '# k6-capacity report',
      '',
      '3 runs from 5 inputs; generated 2026-11-24T12:00:00.000Z by k6-capacity 0.1.0.',
      '',
      '* **Sweep**: `sweep` (sweep, 3 levels, created 2026-11-24T09:59:59.000Z)',
      '* **Target**: `sample (process)`',
      '* **Scenario**: `constant`',
      '* **k6**: `v2.2.0`',
      '* **Load generator host**: 2 cores, 24.0 GiB, AMD EPYC, linux x64',
      '',
      '## Runs',
      '',
      '| Run    | Scenario | Target /s | Achieved /s | p50 ms | p95 ms | p99 ms | Errors | Dropped | Status            |',
      '| :----- | :------- | --------: | ----------: | -----: | -----: | -----: | -----: | ------: | :---------------- |',
      '| tps-10 | constant |        10 |          10 |   10.0 |   10.0 |   38.4 |  0.00% |       0 | ok                |',
      '| tps-20 | constant |        20 |          15 |    122 |    142 |    144 |  6.67% |       5 | thresholds-failed |',
      '| tps-40 | constant |        40 |           — |      — |      — |      — |      — |       — | error             |',
      '',
      '## Findings',
      '',
      '* **fail** tps-20: 2 thresholds failed: `http_req_duration` `p(95)<120`, `http_req_failed` `rate<0.01`',
      '* **fail** tps-40: error: k6 exited with code 107 (script exception)',
      '* **warn** tps-20: load generator limited: k6 ran out of VUs: 20 of 20 were busy and 5 iterations were dropped; the offered rate was not held, so latency here understates what the target would have done: raise `MAX_VUS` (or `EXPECTED_LATENCY_MS`), or, if latency grew because the target saturated, treat this level as beyond capacity',
      '* **warn** tps-20: achieved 15/s of 20/s: 75.0% of the target rate, below 95%: the load generator or the target could not keep the rate',
      '* **warn** tps-20: no resource data: 1 capture but no pod CPU or memory in them: kubectl: `error: Metrics API not available`: no resource metrics from this command',
      '* **warn** tps-40: no k6 data: neither k6 output nor a summary was found for this run; its numbers are missing, not zero',
      '',
      '## Resources',
      '',
      'CPU and memory per pod (or replica process), and of k6 itself where the sweep sampled it, from the captures taken while each run sent load (captures before and after are left out); means are over captures.',
      '',
      '| Run    | Pod                    | Captures | CPU mean (m) | CPU max (m) | Memory max (MiB) |',
      '| :----- | :--------------------- | -------: | -----------: | ----------: | ---------------: |',
      '| tps-10 | local/sample-replica-0 |        2 |          300 |         350 |             52.0 |',
      '| tps-10 | k6 (load generator)    |        2 |          130 |         140 |             64.0 |',
      '',
      '## Inputs',
      '',
      '| File                                    | Format                  | Lines | Skipped | Problems |',
      '| :-------------------------------------- | :---------------------- | ----: | ------: | -------: |',
      '| `sweep/tps-10/k6.json`                  | k6-ndjson               |   130 |       0 |        0 |',
      '| `sweep/tps-10/snapshots/captures.jsonl` | capture-log:metrics-api |     4 |       0 |        0 |',
      '| `sweep/tps-20/k6.json.gz`               | k6-ndjson               |   195 |       0 |        0 |',
      '| `sweep/tps-20/summary.json`             | k6-capacity-summary     |     1 |       0 |        0 |',
      '| `sweep/tps-20/snapshots/captures.jsonl` | capture-log:top-pods    |     1 |       1 |        2 |',
      '',
      '**Problems in sweep/tps-20/snapshots/captures.jsonl** (2)',
      '',
      '* snapshot log: `kubectl top pods -n demo` exited with code 1 at sweep/tps-20/snapshots/captures.jsonl:1',
      '* kubectl: `error: Metrics API not available`: no resource metrics from this command, on stderr at sweep/tps-20/snapshots/captures.jsonl:1',
      '',
      '## Method',
      '',
      "* Latency is `http_req_duration` over all requests of a run; percentiles of raw k6 samples come from mergeable log-bucketed histograms (DDSketch, relative accuracy 0.5%) with R-7 interpolation (k6's own definition of p(N)); every estimate is within 0.5% of the exact value; runs known only from a k6 summary use k6's exact values.",
      "* Achieved rate = requests ÷ duration, where the duration is k6's test run duration when a summary is present, else the span of the samples.",
      '* Error rate = `http_req_failed` samples equal to 1 ÷ requests. Dropped = `dropped_iterations`: iterations k6 could not start on time.',
        '',
      ].join('\n'),
    );
  });

  it('is built as a tree of sections', () => {
    const headings = reportTree(analysis, options)
      .children.filter((node) => node.type === 'heading')
      .map((node) => (node.type === 'heading' && node.children[0]?.type === 'text' ? node.children[0].value : ''));
    expect(headings).toEqual(['k6-capacity report', 'Runs', 'Findings', 'Resources', 'Inputs', 'Method']);
  });
});

describe('analysis.json', () => {
  it('has schemaVersion 1 and the DESIGN fields, numbers as numbers and unknowns as null', () => {
    const json = toAnalysisJson(analysis, { toolVersion: '0.1.0', now: new Date('2026-11-24T12:00:00Z') });
    expect(json.schemaVersion).toBe(1);
    expect(json.runs[0]).toMatchObject({
      id: 'sweep-tps-10',
      label: 'tps-10',
      scenario: 'constant',
      target: 'sample',
      level: 10,
      start: '2026-11-24T10:00:00.000Z',
      end: '2026-11-24T10:00:03.000Z',
      duration_s: 3,
      requests: 30,
      failed_requests: 0,
      error_rate: 0,
      rps: 10,
      iterations: 30,
      dropped_iterations: 0,
      latency_ms: { min: 10, max: 50, mean: 340 / 30 },
    });
    expect(json.runs[2]).toMatchObject({ id: 'sweep-tps-40', status: 'error', requests: 0, rps: null, error_rate: null, latency_ms: { p95: null } });
    expect(json.inputs.map((input) => [path.relative(root, input.path), input.format, input.skipped, input.problems_total])).toEqual([
      ['sweep/tps-10/k6.json', 'k6-ndjson', 0, 0],
      ['sweep/tps-10/snapshots/captures.jsonl', 'capture-log:metrics-api', 0, 0],
      ['sweep/tps-20/k6.json.gz', 'k6-ndjson', 0, 0],
      ['sweep/tps-20/summary.json', 'k6-capacity-summary', 0, 0],
      ['sweep/tps-20/snapshots/captures.jsonl', 'capture-log:top-pods', 1, 2],
    ]);
    expect(json.findings.map((f) => f.severity)).toEqual(['fail', 'warn', 'warn', 'warn', 'fail', 'warn']);
  });
});
