/**
 * The Locust loader on real Locust output (results-samples/locust: Locust 2.47.0, `--csv sample
 * --csv-full-history`, see its README) and on copies of it with one thing broken.
 *
 * Expected values were computed from the same files with Python's csv module (2026-12-01):
 *   rows = list(csv.DictReader(gzip.open('sample_stats_history.csv.gz', 'rt')))
 *   agg = [r for r in rows if r['Name'] == 'Aggregated']   # 29 rows, Timestamps 1796166739..1796166768
 *   deltas of int(r['Total Request Count']) over agg        # PER_SECOND below (sum 1289)
 *   last totals per (Type, Name) of the other rows          # GET /api/light 245 / 0, POST /predict 1044 / 48
 *   max(int(r['User Count']) for r in rows)                  # 5
 *   list(csv.DictReader(gzip.open('sample_stats.csv.gz', 'rt')))[-1]   # the Aggregated row
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../../analysis/compare-cli.ts';
import { detectInput } from '../../../analysis/ingest/detect.ts';
import { loadLocust, loadLocustHistory, loadLocustStats } from '../../../analysis/ingest/locust.ts';
import type { MetricContains, MetricType, SampleSink, Tags } from '../../../analysis/ingest/sink.ts';
import { loadRuns } from '../../../analysis/model/load.ts';
import { groupsOf, runNumbers } from '../../../analysis/model/run.ts';
import { repoRoot } from '../../../scripts/lib/cli.ts';

const SAMPLE = join(repoRoot, 'results-samples', 'locust');
const HISTORY = join(SAMPLE, 'sample_stats_history.csv.gz');
const STATS = join(SAMPLE, 'sample_stats.csv.gz');
const dir = mkdtempSync(join(tmpdir(), 'locust-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (file: string): string => gunzipSync(readFileSync(file)).toString('utf8');
/** The real file's lines, with `edit` applied, written to the test's folder. */
function edited(file: string, name: string, edit: (lines: string[]) => string[]): string {
  const out = join(dir, name);
  writeFileSync(out, edit(text(file).split('\n')).join('\n'));
  return out;
}

class RecordingSink implements SampleSink {
  readonly declared: [string, MetricType, MetricContains][] = [];
  readonly samples: { metric: string; timeMs: number; value: number; tags: Tags }[] = [];
  declareMetric(name: string, type: MetricType, contains: MetricContains): void {
    this.declared.push([name, type, contains]);
  }
  sample(metric: string, timeMs: number, value: number, _key: string, tags: () => Tags): void {
    this.samples.push({ metric, timeMs, value, tags: tags() });
  }
  count(metric: string, pick: (s: { timeMs: number; value: number; tags: Tags }) => boolean = () => true): number {
    return this.samples.filter((s) => s.metric === metric && pick(s)).length;
  }
}

/**
 * Requests per second from 1796166739 to 1796166768: the Aggregated rows' deltas at their Timestamp
 * (Python, see the top). 1796166749 has no row (Locust's rows drift a little past 1 s apart).
 */
const PER_SECOND = [0, 10, 20, 30, 40, 46, 47, 48, 52, 51, 0, 49, 48, 54, 46, 52, 54, 49, 41, 55, 51, 50, 49, 51, 44, 53, 51, 50, 51, 47];
const FIRST_TS = 1796166739;

describe('Locust CSV: the real sample', () => {
  it('detects each file by its header', () => {
    expect(['sample_stats.csv.gz', 'sample_stats_history.csv.gz', 'sample_failures.csv.gz', 'sample_exceptions.csv.gz'].map((f) => detectInput(join(SAMPLE, f)))).toEqual([
      'locust-stats',
      'locust-history',
      'locust-failures',
      'locust-exceptions',
    ]);
  });

  it('turns the running totals into exact requests and failures per endpoint and per second', async () => {
    const sink = new RecordingSink();
    const { report, users } = await loadLocustHistory(HISTORY, sink);
    expect(report).toEqual({ path: HISTORY, format: 'locust-csv', lines: 85, skipped: 0, problems: [], problems_total: 0 });
    expect(users).toBe(5);
    expect(sink.declared).toEqual([
      ['http_reqs', 'counter', 'default'],
      ['http_req_failed', 'rate', 'default'],
      ['vus', 'gauge', 'default'],
    ]);
    expect(sink.count('http_reqs')).toBe(1289);
    expect(sink.count('http_req_failed', (s) => s.value === 1)).toBe(48);
    expect(sink.count('http_reqs', (s) => s.tags.name === 'GET /api/light' && s.tags.method === 'GET')).toBe(245);
    expect(sink.count('http_reqs', (s) => s.tags.name === 'POST /predict' && s.tags.method === 'POST')).toBe(1044);
    expect(sink.count('http_req_failed', (s) => s.tags.name === 'POST /predict' && s.value === 1)).toBe(48);
    expect(PER_SECOND.map((_, i) => sink.count('http_reqs', (s) => s.timeMs === (FIRST_TS + i) * 1000))).toEqual(PER_SECOND);
    // One user a second up to 5 (`-u 5 -r 1`), read from User Count.
    expect(sink.samples.filter((s) => s.metric === 'vus').slice(0, 7).map((s) => s.value)).toEqual([0, 1, 2, 3, 4, 5, 5]);
  });

  it("reads Locust's own whole-run figures from the Aggregated row of _stats.csv", async () => {
    const { report, stats } = await loadLocustStats(STATS);
    expect(report).toEqual({ path: STATS, format: 'locust-csv', lines: 3, skipped: 0, problems: [], problems_total: 0 });
    expect(stats).toEqual({
      requests: 1289,
      failures: 48,
      latencyMs: { min: 1.6938080007093959, mean: 29.75359208379718, p50: 17, p90: 71, p95: 96, p99: 170, max: 217.55976199892757 },
      rps: 45.28024840486488,
    });
  });

  it('loads the folder as one run: counts from the history, latency as Locust reported it, users as a closed model', async () => {
    const loaded = await loadRuns([SAMPLE]);
    expect(loaded.runs).toHaveLength(1);
    const run = loaded.runs[0]!;
    expect(run.tool).toEqual({
      name: 'locust',
      model: 'closed',
      users: 5,
      latencyMs: { min: 1.6938080007093959, mean: 29.75359208379718, p50: 17, p90: 71, p95: 96, p99: 170, max: 217.55976199892757 },
    });
    expect(runNumbers(run)).toMatchObject({
      start: new Date(FIRST_TS * 1000).toISOString(),
      end: new Date((FIRST_TS + 29) * 1000).toISOString(),
      duration_s: 29,
      requests: 1289,
      failed_requests: 48,
      latency_ms: { p50: 17, p95: 96, p99: 170 },
      source: 'raw',
    });
    expect(groupsOf(run, 'http_req_duration')).toEqual([]);
    expect(loaded.inputs.map((i) => [i.path.slice(SAMPLE.length + 1), i.format, i.skipped_reason ?? null])).toEqual([
      ['sample_exceptions.csv.gz', 'locust-csv', "Locust's exceptions of the users: not loaded, the requests and failures come from `sample_stats_history.csv.gz`"],
      ['sample_failures.csv.gz', 'locust-csv', "Locust's per-error counts: not loaded, the requests and failures come from `sample_stats_history.csv.gz`"],
      ['sample_stats_history.csv.gz', 'locust-csv', null],
      ['sample_stats.csv.gz', 'locust-csv', null],
    ]);
  });

  it('loads the two files named one by one as one run', async () => {
    const loaded = await loadRuns([STATS, HISTORY]);
    expect(loaded.runs.map((run) => [run.label, runNumbers(run).requests, run.tool?.latencyMs?.p95])).toEqual([['sample_stats_history.csv.gz', 1289, 96]]);
  });
});

describe('Locust CSV: broken and other inputs', () => {
  it('counts a broken history row and loses no request: the next row of the endpoint holds the running total', async () => {
    // Line 6 is `1796166741,2,GET,GET /api/light,…`, line 9 `1796166742,3,GET,GET /api/light,…`.
    const file = edited(HISTORY, 'broken_stats_history.csv', (lines) => lines.map((l, i) => (i === 5 ? l.replace(/^\d+/, 'soon') : i === 8 ? `${l.split(',').slice(0, 5).join(',')}\r` : l)));
    const sink = new RecordingSink();
    const { report } = await loadLocustHistory(file, sink);
    expect(report).toEqual({
      path: file,
      format: 'locust-csv',
      lines: 85,
      skipped: 2,
      problems: [
        { line: 6, message: `locust csv: Timestamp \`soon\` at ${file}:6: expected Unix seconds` },
        { line: 9, message: `locust csv: row with \`5\` fields at ${file}:9: expected 24 fields as in the header` },
      ],
      problems_total: 2,
    });
    expect(sink.count('http_reqs')).toBe(1289);
    expect(sink.count('http_req_failed', (s) => s.value === 1)).toBe(48);
  });

  it('without --csv-full-history, counts the Aggregated rows', async () => {
    const file = edited(HISTORY, 'aggregated_stats_history.csv', (lines) => lines.filter((l, i) => i === 0 || l === '' || l.split(',')[3] === 'Aggregated'));
    const sink = new RecordingSink();
    await loadLocustHistory(file, sink);
    expect(sink.count('http_reqs')).toBe(1289);
    expect(sink.count('http_req_failed', (s) => s.value === 1)).toBe(48);
    expect(sink.samples.every((s) => Object.keys(s.tags).length === 0)).toBe(true);
  });

  it('says so when the history has no Aggregated rows, and uses the endpoints', async () => {
    const file = edited(HISTORY, 'noagg_stats_history.csv', (lines) => lines.filter((l) => l.split(',')[3] !== 'Aggregated'));
    const sink = new RecordingSink();
    const { report } = await loadLocustHistory(file, sink);
    expect(report.problems).toEqual([{ line: null, message: `locust csv: no \`Aggregated\` row in ${file}: expected Locust's totals row in every interval; the endpoints' rows were used` }]);
    expect(sink.count('http_reqs')).toBe(1289);
  });

  it('refuses a _stats.csv without its Aggregated row, naming the file and its last line', async () => {
    const file = edited(STATS, 'cut_stats.csv', (lines) => lines.filter((l) => !l.startsWith(',Aggregated,')));
    await expect(loadLocustStats(file)).rejects.toMatchObject({
      code: 'unknown-format',
      message: `locust csv: no \`Aggregated\` row in ${file}:3: expected Locust's totals row \`,Aggregated,…\` after the endpoints' rows`,
      note: 'Locust writes it last; a file cut off while Locust was writing it lacks it',
    });
  });

  it('refuses a header that is not Locust’s, quoting it with file:line', async () => {
    const file = edited(HISTORY, 'renamed_stats_history.csv', (lines) => [lines[0]!.replace('Total Request Count', 'Requests'), ...lines.slice(1)]);
    await expect(loadLocustHistory(file, new RecordingSink())).rejects.toMatchObject({
      code: 'unknown-format',
      message: `locust csv: header \`Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%…\` at ${file}:1: expected Locust's \`_stats_history.csv\` columns \`Timestamp\`, \`User Count\`, \`Type\`, \`Name\`, \`Total Request Count\`, \`Total Failure Count\`; missing \`Total Request Count\``,
    });
  });

  it('refuses _stats.csv alone: it has no times', async () => {
    await expect(loadLocust([{ file: STATS, kind: 'locust-stats' }], new RecordingSink())).rejects.toMatchObject({
      code: 'no-data',
      message: `locust csv: \`${STATS}\` alone has no times: expected \`sample_stats_history.csv\` of the same run beside it`,
      note: 'Locust writes it with `--csv PREFIX`; add `--csv-full-history` for per-endpoint rows',
    });
  });
});

describe('npm run compare: Locust beside k6', () => {
  it('states what each tool measures and refuses to test a closed model against an arrival rate', async () => {
    const out = join(dir, 'compare');
    let stdout = '';
    const result = await runCompare([SAMPLE, join(repoRoot, 'results-samples', 'demo', 'r1-tps-50'), '--out', out], {
      stdout: (s) => (stdout += s),
      stderr: () => undefined,
      cwd: process.cwd(),
    });
    expect(result.exitCode).toBe(0);
    expect(stdout).toContain('WARN not comparable');
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain("* **warn** not comparable: different load models: Locust's 5 users (a closed model) against k6 at 50/s (an arrival rate)\n");
    expect(report).toContain(
      "* Locust: requests and failures per second are exact (the differences of the running totals in `_stats_history.csv`, at each row's second), but Locust records no per-request durations. Its p50, p90, p95 and p99 are Locust's own, over the whole run from `_stats.csv`, computed from response times it rounds to 2 significant digits above 100 ms (the history's per-row percentiles are over a rolling 10 s window and are not used): they are shown as Locust reported them, not recomputed, and not tested against percentiles computed from every request.\n",
    );
    expect(report).toContain(
      "* Load models differ: Locust's users and JMeter's threads are a closed model (each waits for its answer before sending the next request, so a slower target gets fewer requests, and latency under overload looks better than it is), k6's arrival-rate executors an open one (the rate is offered whatever the latency). A user count is not a request rate: such runs are shown beside each other and not tested.\n",
    );
    // Locust's p95 beside k6's, with no change computed between them.
    expect(report).toMatch(/\| +— \| p95 +\| +96\.0 ms \| +7\.\d\d ms \| +— \| +— \| +— \| not comparable: different load models/);
    const json = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8')) as { inputs: { format: string }[]; comparisons: { metric: string; baseline_value: number; delta_pct: number | null; verdict: string }[] };
    expect([...new Set(json.inputs.map((i) => i.format))]).toEqual(['locust-csv', 'k6-ndjson', 'k6-capacity-summary', 'capture-log:metrics-api']);
    expect(json.comparisons.map((c) => [c.metric, c.baseline_value, c.delta_pct === null, c.verdict])).toEqual([
      ['p50_ms', 17, true, 'not-comparable'],
      ['p95_ms', 96, true, 'not-comparable'],
      ['p99_ms', 170, true, 'not-comparable'],
      ['rps', expect.any(Number), false, 'not-comparable'],
      ['error_rate', expect.any(Number), false, 'not-comparable'],
    ]);
  });
});
