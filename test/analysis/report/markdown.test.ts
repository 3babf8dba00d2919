/**
 * report.md, exactly: the sweep fixture (test/helpers/sweep-fixture.ts) rendered with a fixed clock.
 * Every number in it follows from the fixture: e.g. tps-10's p99 is the R-7 value 10 + 0.71·40 = 38.4
 * (29 samples of 10 ms, one of 50 ms); tps-20 achieved 45 requests / 3 s = 15/s of 20/s and ran out of
 * its 20 VUs, so its level is not judged; tps-40 errored without data. Its steady state is one second
 * (a 2 s warm-up and the last bucket left out of three).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisContext, type AnalysisContext } from '../../../analysis/analyses/context.ts';
import { analyze } from '../../../analysis/analyze.ts';
import { toAnalysisJson } from '../../../analysis/report/analysis-json.ts';
import { analysisReport } from '../../../analysis/report/build.ts';
import { renderJunit } from '../../../analysis/report/junit.ts';
import { renderMarkdown } from '../../../analysis/report/markdown.ts';
import { reportMdast } from '../../../analysis/report/mdast.ts';
import type { Report } from '../../../analysis/report/section.ts';
import { writeSweep } from '../../helpers/sweep-fixture.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-report-'));
let context: AnalysisContext;
let report: Report;
const now = new Date('2026-11-24T12:00:00Z');
beforeAll(async () => {
  writeSweep(path.join(root, 'sweep'));
  context = analysisContext(await analyze([path.join(root, 'sweep')]), { path: (file) => path.relative(root, file) });
  report = analysisReport(context, { toolVersion: '0.1.0', now });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('report.md', () => {
  it('renders the sweep exactly', () => {
    expect(renderMarkdown(report)).toBe(
      [
        "# k6-capacity report",
        "",
        "3 runs from 5 inputs; generated 2026-11-24T12:00:00.000Z by k6-capacity 0.1.0.",
        "",
        "* **Sweep**: `sweep` (sweep, 3 levels, created 2026-11-24T09:59:59.000Z)",
        "* **Target**: `sample (process)`",
        "* **Scenario**: `constant`",
        "* **k6**: `v2.2.0`",
        "* **Load generator host**: 2 cores, 24.0 GiB, AMD EPYC, linux x64",
        "",
        "## Capacity",
        "",
        "sweep holds 10 req/s under p95 < 120 ms, errors < 1%; at 20 req/s the load generator was the limit, so beyond 10 req/s its capacity is not measured.",
        "",
        "* **warn** sweep: 2 levels are not judged: 20 req/s (k6 out of VUs), 40 req/s (no data): these levels say nothing of the target's capacity; see the findings of their runs",
        "",
        "| Offered /s | Achieved /s | Achieved | p50 ms | p95 ms | p99 ms | Errors | Dropped | SLO                       |",
        "| ---------: | ----------: | -------: | -----: | -----: | -----: | -----: | ------: | :------------------------ |",
        "|         10 |          10 |  100.00% |   10.0 |   10.0 |   38.4 |  0.00% |       0 | holds (max sustainable)   |",
        "|         20 |          15 |   75.00% |    122 |    142 |    144 |  6.67% |       5 | not judged: k6 out of VUs |",
        "|         40 |           — |        — |      — |      — |      — |      — |       — | not judged: no data       |",
        "",
        "Chart: [Latency vs offered rate — sweep](charts/sweep-latency-vs-rate.svg) (Vega-Lite: charts/sweep-latency-vs-rate.vl.json)",
        "",
        "Chart: [Achieved vs offered rate — sweep](charts/sweep-achieved-vs-offered.svg) (Vega-Lite: charts/sweep-achieved-vs-offered.vl.json)",
        "",
        "Chart: [Error rate vs offered rate — sweep](charts/sweep-errors-vs-rate.svg) (Vega-Lite: charts/sweep-errors-vs-rate.vl.json)",
        "",
        "Chart: [p95 per second over each level — sweep](charts/sweep-latency-over-time.svg) (Vega-Lite: charts/sweep-latency-over-time.vl.json)",
        "",
        "* SLO: p95 < 120 ms, errors < 1%, and each level held: achieved at least 95% of the offered rate, at most 1% of its iterations dropped. The bounds come from the runs' own thresholds.",
        "* Numbers are each level's steady state: the first 10% of each level (at least 2 s, at most 60 s) and the last, partial second are left out (set the warm-up with `--warmup D`). The maximum sustainable rate is the highest level that holds the SLO with every lower level holding it too; a level where the load generator was the limit (k6 at 0.8 of a core or more, or out of VUs while iterations were fast) is never taken as the target's capacity.",
        "* The knee is where latency turns upward: the maximum of Kneedle's difference curve (Satopää, Albrecht, Irwin and Raghavan, \"Finding a 'Kneedle' in a Haystack\", ICDCS Workshops 2011), taken offline, on p95 (made non-decreasing) against the offered rate, over levels not limited by the load generator; named only when p95 at least 1.5-folds across the sweep.",
        "",
        "## Rightsizing",
        "",
        "sweep: requests cpu 400 m, memory 60.0 MiB; limits cpu 800 m, memory 60.0 MiB (from 345 m CPU p95 and 52.0 MiB peak at 10 req/s).",
        "",
        "| Workload | At /s | CPU p95 (m) | Memory peak (MiB) | CPU request (m) | CPU limit (m) | Memory request = limit (MiB) |",
        "| :------- | ----: | ----------: | ----------------: | --------------: | ------------: | ---------------------------: |",
        "| sweep    |    10 |         345 |              52.0 |             400 |           800 |                         60.0 |",
        "",
        "* From the replicas' measured use at each sweep's maximum sustainable rate: CPU request = p95 of the per-replica CPU over the captures there + 15% (rounded up to 10 m), CPU limit = twice the request (or none); memory request = limit = peak + 15% (rounded up to 1 MiB).",
        "* How it differs: VPA's recommender targets the p90 of a CPU usage histogram that decays with a 24 h half-life over up to 8 days (+15%); krr's simple strategy takes the p99 of CPU usage and the memory maximum + 15%. Both look at what production traffic did over days; this looks only at the load this sweep measured, at the level that holds the SLO.",
        "",
        "## Runs",
        "",
        "| Run    | Scenario | Target /s | Achieved /s | p50 ms | p95 ms | p99 ms | Errors | Dropped | Status            |",
        "| :----- | :------- | --------: | ----------: | -----: | -----: | -----: | -----: | ------: | :---------------- |",
        "| tps-10 | constant |        10 |          10 |   10.0 |   10.0 |   38.4 |  0.00% |       0 | ok                |",
        "| tps-20 | constant |        20 |          15 |    122 |    142 |    144 |  6.67% |       5 | thresholds-failed |",
        "| tps-40 | constant |        40 |           — |      — |      — |      — |      — |       — | error             |",
        "",
        "* Whole runs, as k6 reports them (warm-up included); the capacity above uses each level's steady state.",
        "",
        "## Findings",
        "",
        "* **fail** tps-20: 2 thresholds failed: `http_req_duration` `p(95)<120`, `http_req_failed` `rate<0.01`",
        "* **fail** tps-40: error: k6 exited with code 107 (script exception)",
        "* **warn** tps-20: load generator limited: k6 ran out of VUs: 20 of 20 VUs were busy and 5 iterations were dropped; the offered rate was not held, so latency here understates what the target would have done: raise `MAX_VUS` (or `EXPECTED_LATENCY_MS`)",
        "* **warn** tps-20: achieved 15 req/s of 20 req/s: 75.00% of the target rate, below 95%: the load generator or the target could not keep the rate",
        "* **warn** tps-20: no resource data: 1 capture but no pod CPU or memory in them: kubectl: `error: Metrics API not available`: no resource metrics from this command",
        "* **warn** tps-40: no k6 data: neither k6 output nor a summary was found for this run; its numbers are missing, not zero",
        "",
        "## Resources",
        "",
        "CPU and memory per pod (or replica process), and of k6 itself where the sweep sampled it, from the captures taken while each run sent load (captures before and after are left out); means are over captures.",
        "",
        "| Run    | Pod                    | Captures | CPU mean (m) | CPU max (m) | Memory max (MiB) |",
        "| :----- | :--------------------- | -------: | -----------: | ----------: | ---------------: |",
        "| tps-10 | local/sample-replica-0 |        2 |          300 |         350 |             52.0 |",
        "| tps-10 | k6 (load generator)    |        2 |          130 |         140 |             64.0 |",
        "",
        "## Inputs",
        "",
        "| File                                    | Format                  | Lines | Skipped | Problems |",
        "| :-------------------------------------- | :---------------------- | ----: | ------: | -------: |",
        "| `sweep/tps-10/k6.json`                  | k6-ndjson               |   130 |       0 |        0 |",
        "| `sweep/tps-10/snapshots/captures.jsonl` | capture-log:metrics-api |     4 |       0 |        0 |",
        "| `sweep/tps-20/k6.json.gz`               | k6-ndjson               |   195 |       0 |        0 |",
        "| `sweep/tps-20/summary.json`             | k6-capacity-summary     |     1 |       0 |        0 |",
        "| `sweep/tps-20/snapshots/captures.jsonl` | capture-log:top-pods    |     1 |       1 |        2 |",
        "",
        "* `sweep/tps-20/snapshots/captures.jsonl`: snapshot log: `kubectl top pods -n demo` exited with code 1 at sweep/tps-20/snapshots/captures.jsonl:1",
        "* `sweep/tps-20/snapshots/captures.jsonl`: kubectl: `error: Metrics API not available`: no resource metrics from this command, on stderr at sweep/tps-20/snapshots/captures.jsonl:1",
        "",
        "## Method",
        "",
        "* Latency is `http_req_duration`; percentiles of raw k6 samples come from mergeable log-bucketed histograms (DDSketch) with R-7 interpolation (k6's own definition of p(N)): a run's and a tag set's come from whole-run histograms of relative accuracy 0.1% (every estimate within 0.1% of the exact value), those of a time bucket, a window or the steady state from per-bucket histograms of relative accuracy 0.5% (within 0.5%); runs known only from a k6 summary use k6's exact values.",
        "* Achieved rate = requests ÷ duration, where the duration is k6's test run duration when a summary is present, else the span of the samples; a level's steady rate is its requests ÷ its steady window.",
        "* Error rate = `http_req_failed` samples equal to 1 ÷ requests. Dropped = `dropped_iterations`: iterations k6 could not start on time.",
        "",
      ].join('\n'),
    );
  });

  it('is built as one tree of sections', () => {
    const headings = reportMdast(report)
      .children.filter((node) => node.type === 'heading')
      .map((node) => (node.type === 'heading' && node.children[0]?.type === 'text' ? node.children[0].value : ''));
    expect(headings).toEqual(['k6-capacity report', 'Capacity', 'Rightsizing', 'Runs', 'Findings', 'Resources', 'Inputs', 'Method']);
  });
});

describe('analysis.json', () => {
  it('has schemaVersion 2: the version 1 fields, numbers as numbers and unknowns as null, plus sweeps and capacity', () => {
    const json = toAnalysisJson(context, report, { toolVersion: '0.1.0', now });
    expect(json.schemaVersion).toBe(2);
    expect(json.runs[0]).toMatchObject({
      id: 'sweep-tps-10',
      label: 'tps-10',
      sweep: 'sweep',
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
    expect(json.inputs.map((input) => [input.path, input.format, input.skipped, input.problems_total])).toEqual([
      ['sweep/tps-10/k6.json', 'k6-ndjson', 0, 0],
      ['sweep/tps-10/snapshots/captures.jsonl', 'capture-log:metrics-api', 0, 0],
      ['sweep/tps-20/k6.json.gz', 'k6-ndjson', 0, 0],
      ['sweep/tps-20/summary.json', 'k6-capacity-summary', 0, 0],
      ['sweep/tps-20/snapshots/captures.jsonl', 'capture-log:top-pods', 1, 2],
    ]);
    expect(json.sweeps).toEqual([
      { id: 'sweep', label: 'sweep', target: 'sample', scenario: 'constant', replicas: null, resources: null, runs: ['sweep-tps-10', 'sweep-tps-20', 'sweep-tps-40'], source: 'manifest' },
    ]);
    expect(json.capacity).toMatchObject([
      {
        sweep: 'sweep',
        slo: { p95_ms: 120, p99_ms: null, error_rate: 0.01, min_achieved_share: 0.95, max_dropped_share: 0.01, source: 'thresholds' },
        max_sustainable: { run: 'sweep-tps-10', level: 10, rps: 10 },
        knee: null,
        inconclusive_from: 20,
        points: [
          { run: 'sweep-tps-10', level: 10, ok: true, violations: [], limited: null },
          // Measured and recorded, but not judged: k6 was the limit.
          { run: 'sweep-tps-20', level: 20, rps: 15, ok: false, violations: ['p95', 'error_rate', 'achieved', 'dropped'], limited: 'loadgen-vus' },
          { run: 'sweep-tps-40', level: 40, rps: null, ok: false, violations: [], limited: 'no-data' },
        ],
      },
    ]);
    expect(json.findings.map((f) => [f.kind, f.severity])).toEqual([
      ['capacity-inconclusive', 'warn'],
      ['thresholds-failed', 'fail'],
      ['level-status', 'fail'],
      ['loadgen-limited', 'warn'],
      ['rate-below-target', 'warn'],
      ['missing-resource-data', 'warn'],
      ['no-data', 'warn'],
    ]);
    expect(typeof json.findings[0]?.title).toBe('string');
  });
});

describe('junit.xml', () => {
  it('has one test case per SLO bound per level (skipped where not judged) and per k6 threshold, escaped', () => {
    const xml = renderJunit(report);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><testsuites name="k6-capacity report" tests="14" failures="2" skipped="8" errors="0">')).toBe(true);
    // tps-10: four bounds (p95, errors, rate held, dropped), all passed, each with what was measured.
    expect(xml).toContain('<testcase classname="k6-capacity.slo" name="tps-10: p95 &#x3C; 120 ms"><system-out>p95 is 10.0 ms</system-out></testcase>');
    // tps-20 was limited by k6: judged by nobody, so skipped with the reason.
    expect(xml).toContain('<testcase classname="k6-capacity.slo" name="tps-20: p95 &#x3C; 120 ms"><skipped message="not judged: k6 out of VUs"></skipped></testcase>');
    // k6's own verdicts.
    expect(xml).toContain('<testsuite name="k6 thresholds" tests="2" failures="2" skipped="0" errors="0">');
    expect(xml).toContain('<testcase classname="k6-capacity.thresholds-failed" name="tps-20: `http_req_duration` `p(95)&#x3C;120`"><failure type="thresholds-failed" message="failed (k6 judged it on the whole run)"></failure></testcase>');
  });
});
