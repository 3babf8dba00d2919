/**
 * The JMeter loaders on real JMeter 5.6.3 output (results-samples/jmeter: plan.jmx against the sample
 * service, a CSV JTL with JMeter's default header and an XML JTL, see its README) and on copies of
 * them with one thing broken.
 *
 * Expected values were computed from the same files with Python 3.11 and numpy 1.26 (2026-12-01):
 *   rows = list(csv.DictReader(gzip.open('jtl-csv/results.jtl.gz', 'rt')))
 *   el = np.array([int(r['elapsed']) for r in rows], float)
 *   len(rows), sum(r['success'] == 'false' for r in rows)                  # 852, 27
 *   collections.Counter((r['label'], r['responseCode']) for r in rows)    # see below
 *   np.percentile(el, [50, 90, 95, 99])      # 3.0, 13.0, 21.45, 44.98 (linear = R-7, k6's definition)
 *   el.min(), el.max(), el.mean()            # 0, 141, 6.325117370892019
 *   min/max of int(timeStamp) + int(elapsed) # 1796166829923, 1796166849374
 *   sum of bytes, sentBytes; max allThreads  # 195154, 143645; 4
 *   root = ET.parse(gzip.open('jtl-xml/results.jtl.gz')).getroot(); s = [e for e in root if e.tag == 'httpSample']
 *   len(s), failures, np.percentile(t, …)    # 864, 21; 3.0, 11.0, 20.0, 34.74; min 0, max 128, mean 5.395833333333333
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../../analysis/compare-cli.ts';
import { detectInput } from '../../../analysis/ingest/detect.ts';
import { JTL_DEFAULT_HEADER, loadJtlCsv, loadJtlXml } from '../../../analysis/ingest/jmeter.ts';
import { loadRuns } from '../../../analysis/model/load.ts';
import { groupsOf, runNumbers } from '../../../analysis/model/run.ts';
import { repoRoot } from '../../../scripts/lib/cli.ts';
import { Aggregator } from '../../../analysis/ingest/aggregate.ts';

const CSV_JTL = join(repoRoot, 'results-samples', 'jmeter', 'jtl-csv', 'results.jtl.gz');
const XML_JTL = join(repoRoot, 'results-samples', 'jmeter', 'jtl-xml', 'results.jtl.gz');
const dir = mkdtempSync(join(tmpdir(), 'jmeter-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (file: string): string => gunzipSync(readFileSync(file)).toString('utf8');
function edited(file: string, name: string, edit: (content: string) => string): string {
  const out = join(dir, name);
  writeFileSync(out, edit(text(file)));
  return out;
}

/** Within the histograms' stated bound (0.5% at most; log-histogram.ts) of the exact value. */
function near(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - exact)).toBeLessThanOrEqual(0.005 * exact);
}

describe('JMeter JTL: the real samples', () => {
  it('detects both formats by their content', () => {
    expect([detectInput(CSV_JTL), detectInput(XML_JTL)]).toEqual(['jmeter-jtl-csv', 'jmeter-jtl-xml']);
  });

  it('CSV: the default header, one request per row, exact counts, percentiles within the bound', async () => {
    expect(text(CSV_JTL).split('\r\n', 1)[0]?.split('\n', 1)[0]).toBe(JTL_DEFAULT_HEADER);
    const loaded = await loadRuns([join(repoRoot, 'results-samples', 'jmeter', 'jtl-csv')]);
    expect(loaded.inputs).toEqual([{ path: join(repoRoot, 'results-samples', 'jmeter', 'jtl-csv', 'results.jtl.gz'), format: 'jmeter-jtl-csv', lines: 852, skipped: 0, problems: [], problems_total: 0 }]);
    const run = loaded.runs[0]!;
    expect(run.tool).toEqual({ name: 'jmeter', model: 'closed', users: 4, latencyMs: null });
    const numbers = runNumbers(run);
    expect(numbers).toMatchObject({ start: new Date(1796166829923).toISOString(), end: new Date(1796166849374).toISOString(), requests: 852, failed_requests: 27, source: 'raw' });
    expect([numbers.latency_ms.min, numbers.latency_ms.max]).toEqual([0, 141]);
    expect(numbers.latency_ms.mean).toBeCloseTo(6.325117370892019, 9);
    near(numbers.latency_ms.p50, 3);
    near(numbers.latency_ms.p90, 13);
    near(numbers.latency_ms.p95, 21.45);
    near(numbers.latency_ms.p99, 44.98);
    const count = (metric: string) =>
      groupsOf(run, metric)
        .map((g) => [g.tags.name, g.tags.status, [...g.buckets.values()].reduce((n, b) => n + b.count, 0)])
        .sort((a, b) => String(a).localeCompare(String(b)));
    expect(count('http_reqs')).toEqual([
      ['GET /api/light', '200', 425],
      ['POST /predict', '200', 400],
      ['POST /predict', '500', 27],
    ]);
    const sum = (metric: string) => groupsOf(run, metric).reduce((n, g) => n + [...g.buckets.values()].reduce((m, b) => m + b.sum, 0), 0);
    expect([sum('data_received'), sum('data_sent')]).toEqual([195154, 143645]);
  });

  it('XML: samples under <testResults>, exact counts, percentiles within the bound', async () => {
    const aggregator = new Aggregator();
    const { report, users } = await loadJtlXml(XML_JTL, aggregator);
    expect(report).toEqual({ path: XML_JTL, format: 'jmeter-jtl-xml', lines: 864, skipped: 0, problems: [], problems_total: 0 });
    expect(users).toBe(4);
    const loaded = await loadRuns([XML_JTL]);
    const numbers = runNumbers(loaded.runs[0]!);
    expect(numbers).toMatchObject({ requests: 864, failed_requests: 21 });
    expect([numbers.latency_ms.min, numbers.latency_ms.max]).toEqual([0, 128]);
    expect(numbers.latency_ms.mean).toBeCloseTo(5.395833333333333, 9);
    near(numbers.latency_ms.p50, 3);
    near(numbers.latency_ms.p90, 11);
    near(numbers.latency_ms.p95, 20);
    near(numbers.latency_ms.p99, 34.74);
  });
});

describe('JMeter JTL: broken and other inputs', () => {
  it('CSV: broken rows are counted, reported with file:line and skipped', async () => {
    // Line 2 gets a non-number elapsed, line 4 loses its last fields.
    const file = edited(CSV_JTL, 'broken.jtl', (content) =>
      content
        .split('\n')
        .map((line, i) => (i === 1 ? line.replace(/^(\d+),(\d+),/, '$1,slow,') : i === 3 ? line.split(',').slice(0, 6).join(',') : line))
        .join('\n'),
    );
    const aggregator = new Aggregator();
    const { report } = await loadJtlCsv(file, aggregator);
    expect(report).toEqual({
      path: file,
      format: 'jmeter-jtl-csv',
      lines: 852,
      skipped: 2,
      problems: [
        { line: 2, message: `jmeter jtl: elapsed \`slow\` at ${file}:2: expected whole milliseconds` },
        { line: 4, message: `jmeter jtl: row with \`6\` fields at ${file}:4: expected 17 fields as in the header` },
      ],
      problems_total: 2,
    });
    expect(aggregator.groups().filter((g) => g.metric === 'http_reqs').reduce((n, g) => n + [...g.buckets.values()].reduce((m, b) => m + b.count, 0), 0)).toBe(850);
  });

  it('CSV: a different header is refused with the header, file:line and the default header', async () => {
    const file = edited(CSV_JTL, 'renamed.jtl', (content) => content.replace(/^timeStamp,elapsed,/, 'time,elapsed,'));
    await expect(loadJtlCsv(file, new Aggregator())).rejects.toMatchObject({
      code: 'unknown-format',
      message: `jmeter jtl: header \`time,elapsed,label,responseCode,responseMessage,threadName,d…\` at ${file}:1: expected a JMeter CSV header with \`timeStamp\`, \`elapsed\`, \`label\`, \`success\`; missing \`timeStamp\``,
      note: `JMeter writes its header with \`jmeter.save.saveservice.print_field_names=true\` (the default): \`${JTL_DEFAULT_HEADER}\``,
    });
  });

  it('XML: a sample without its attributes is counted; a file cut off before </testResults> keeps its samples and says so', async () => {
    // The third element (line 9) loses its `ts`; everything after the last sample's end is cut.
    const file = edited(XML_JTL, 'cut.jtl', (content) => {
      const lines = content.split('\n');
      lines[8] = (lines[8] as string).replace(/ ts="\d+"/, '');
      return lines.join('\n').replace(/<\/testResults>\s*$/, '');
    });
    const { report } = await loadJtlXml(file, new Aggregator());
    expect(report).toEqual({
      path: file,
      format: 'jmeter-jtl-xml',
      lines: 864,
      skipped: 1,
      problems: [
        { line: 9, message: `jmeter jtl xml: <httpSample> without \`ts\` at ${file}:9: expected JMeter's sample attributes ts, t, lb, s` },
        { line: null, message: `jmeter jtl xml: no closing \`</testResults>\` in ${file}: expected a complete file (JMeter writes it when the test ends); the samples before were kept` },
      ],
      problems_total: 2,
    });
  });

  it('XML: a cut-off gzip stream keeps what came before', async () => {
    const whole = readFileSync(XML_JTL);
    const file = join(dir, 'truncated.jtl.gz');
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const { report } = await loadJtlXml(file, new Aggregator());
    expect(report.problems_total).toBe(1);
    expect(report.problems[0]?.message).toMatch(new RegExp(`^jmeter jtl xml: gzip stream ended early at ${file.replace(/[.]/g, '\\.')}:\\d+: expected a complete gzip file; the samples before were kept$`));
    expect(report.lines).toBeGreaterThan(100);
    expect(report.lines).toBeLessThan(864);
  });

  it('XML: another document is refused at its first element', async () => {
    const file = join(dir, 'other.jtl');
    writeFileSync(file, gzipSync('<?xml version="1.0"?>\n<testsuites>\n</testsuites>\n'));
    await expect(loadJtlXml(file, new Aggregator())).rejects.toMatchObject({ code: 'unknown-format', message: `jmeter jtl xml: element \`<testsuites>\` at ${file}:2: expected JMeter's \`<testResults>\`` });
  });
});

describe('npm run compare: JMeter beside k6', () => {
  it('states what JMeter measures differently and the load models', async () => {
    const out = join(dir, 'compare');
    const result = await runCompare([join(repoRoot, 'results-samples', 'jmeter', 'jtl-csv'), join(repoRoot, 'results-samples', 'demo', 'r1-tps-50'), '--out', out], {
      stdout: () => undefined,
      stderr: () => undefined,
      cwd: process.cwd(),
    });
    expect(result.exitCode).toBe(0);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain("* **warn** not comparable: different load models: JMeter's 4 threads (a closed model) against k6 at 50/s (an arrival rate)\n");
    expect(report).toContain(
      "* JMeter: one JTL row per request, so counts and percentiles come from the same histograms as k6's. JMeter's `elapsed` includes the connection set-up (`Connect`), k6's `http_req_duration` does not; JMeter's success is its own verdict (assertions included), k6's `http_req_failed` the response status.\n",
    );
    expect(report).not.toContain('* Locust:');
    const json = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8')) as { inputs: { format: string }[] };
    expect(json.inputs[0]?.format).toBe('jmeter-jtl-csv');
  });
});
