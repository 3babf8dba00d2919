import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../analysis/errors.ts';
import { Aggregator } from '../../../analysis/ingest/aggregate.ts';
import { loadK6Csv, parseK6CsvTime } from '../../../analysis/ingest/k6-csv.ts';
import type { MetricContains, MetricType, SampleSink, Tags } from '../../../analysis/ingest/sink.ts';
import { loadK6CsvBaseline } from '../../../bench/csv-baseline.ts';
import { generateCsv } from '../../../bench/csv-data.ts';
import { repoRoot } from '../../../scripts/lib/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'k6-csv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

function write(content: string | Buffer, name = `f${++fileCount}.csv`): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

interface Recorded {
  readonly metric: string;
  readonly timeMs: number;
  readonly value: number;
  readonly tags: Tags;
}

/** Stores what a loader feeds; calls `tags()` only for a new key, as the aggregator does. */
class RecordingSink implements SampleSink {
  readonly declared: [string, MetricType, MetricContains][] = [];
  readonly samples: Recorded[] = [];
  readonly keys: string[] = [];
  private readonly tagsByKey = new Map<string, Tags>();

  declareMetric(name: string, type: MetricType, contains: MetricContains): void {
    this.declared.push([name, type, contains]);
  }

  sample(metric: string, timeMs: number, value: number, tagsKey: string, tags: () => Tags): void {
    let known = this.tagsByKey.get(tagsKey);
    if (known === undefined) {
      known = tags();
      this.tagsByKey.set(tagsKey, known);
    }
    this.keys.push(tagsKey);
    this.samples.push({ metric, timeMs, value, tags: known });
  }
}

async function load(content: string | Buffer, options: { keepProblems?: number } = {}) {
  const file = write(content);
  const sink = new RecordingSink();
  const report = await loadK6Csv(file, sink, options);
  return { file, sink, report };
}

async function loadError(content: string | Buffer, name?: string): Promise<{ file: string; error: AnalysisError }> {
  const file = write(content, name);
  const error = await loadK6Csv(file, new RecordingSink()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AnalysisError);
  return { file, error: error as AnalysisError };
}

const HEADER_19 =
  'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';
/** A row under HEADER_19 with only the cells given set. */
function row19(metric: string, timestamp: string, value: string, cells: { check?: string; error?: string; url?: string; extra?: string; metadata?: string } = {}): string {
  const { check = '', error = '', url = '', extra = '', metadata = '' } = cells;
  return [metric, timestamp, value, check, error, '', '', '', '', '', '', 'default', '', '', '', '', url, extra, metadata].join(',');
}

// --- header variants --------------------------------------------------------------------------------

describe('loadK6Csv: header variants', () => {
  const httpbinTags = {
    expected_response: 'true',
    method: 'POST',
    name: 'https://httpbin.test.k6.io/post',
    proto: 'HTTP/1.1',
    scenario: 'default',
    status: '200',
    tls_version: 'tls1.2',
    url: 'https://httpbin.test.k6.io/post',
  };

  it.each([
    {
      title: 'the old 18-column header without `metadata`',
      // formats.md §3.5, old header. Source: grafana/k6-learn:Modules/II-k6-Foundations/08-k6-results-output-options.md (2022).
      csv: [
        'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags',
        'http_reqs,1641298536,1.000000,,,,true,,POST,https://httpbin.test.k6.io/post,HTTP/1.1,default,,200,,tls1.2,https://httpbin.test.k6.io/post,',
        'http_req_duration,1641298536,114.365000,,,,true,,POST,https://httpbin.test.k6.io/post,HTTP/1.1,default,,200,,tls1.2,https://httpbin.test.k6.io/post,',
        'http_req_failed,1641298536,0.000000,,,,true,,POST,https://httpbin.test.k6.io/post,HTTP/1.1,default,,200,,tls1.2,https://httpbin.test.k6.io/post,',
        'checks,1641298536,1.000000,Application says hello,,,,,,,,default,,,,,,',
        'vus,1641298536,2.000000,,,,,,,,,,,,,,,',
      ].join('\n'),
      samples: [
        { metric: 'http_reqs', timeMs: 1641298536000, value: 1, tags: httpbinTags },
        { metric: 'http_req_duration', timeMs: 1641298536000, value: 114.365, tags: httpbinTags },
        { metric: 'http_req_failed', timeMs: 1641298536000, value: 0, tags: httpbinTags },
        { metric: 'checks', timeMs: 1641298536000, value: 1, tags: { check: 'Application says hello', scenario: 'default' } },
        { metric: 'vus', timeMs: 1641298536000, value: 2, tags: {} },
      ],
      declared: [
        ['http_reqs', 'counter', 'default'],
        ['http_req_duration', 'trend', 'time'],
        ['http_req_failed', 'rate', 'default'],
        ['checks', 'rate', 'default'],
        ['vus', 'gauge', 'default'],
      ],
    },
    {
      title: 'the current 19-column header with `metadata`',
      // formats.md §3.5, current header. Source: code-index file id 66975738796 (`head -2 out.csv` of a real run).
      csv: `${HEADER_19}\nhttp_reqs,1783489997,1.000000,,,,true,,GET,https://test.k6.io,HTTP/2.0,default,,302,,tls1.3,https://test.k6.io,,\n`,
      samples: [
        {
          metric: 'http_reqs',
          timeMs: 1783489997000,
          value: 1,
          tags: {
            expected_response: 'true',
            method: 'GET',
            name: 'https://test.k6.io',
            proto: 'HTTP/2.0',
            scenario: 'default',
            status: '302',
            tls_version: 'tls1.3',
            url: 'https://test.k6.io',
          },
        },
      ],
      declared: [['http_reqs', 'counter', 'default']],
    },
    {
      title: '`--system-tags check,error` (7 columns), extra tags and metadata',
      // grafana/k6:internal/output/csv/output_test.go TestRun (extra tags there sorted by the test).
      csv: [
        'metric_name,timestamp,metric_value,check,error,extra_tags,metadata',
        'my_metric,1562324643,1.000000,val1,val3,url=val2,y=1',
        'my_metric,1562324644,1.000000,val1,val3,name=val4&url=val2,',
      ].join('\n'),
      samples: [
        { metric: 'my_metric', timeMs: 1562324643000, value: 1, tags: { check: 'val1', error: 'val3', url: 'val2' } },
        { metric: 'my_metric', timeMs: 1562324644000, value: 1, tags: { check: 'val1', error: 'val3', name: 'val4', url: 'val2' } },
      ],
      declared: [['my_metric', 'unknown', 'default']],
    },
    {
      title: 'columns in another order and no extra_tags (mapped by name)',
      csv: 'status,metric_value,metric_name,timestamp\n200,3.500000,http_req_waiting,1641298536\n',
      samples: [{ metric: 'http_req_waiting', timeMs: 1641298536000, value: 3.5, tags: { status: '200' } }],
      declared: [['http_req_waiting', 'trend', 'time']],
    },
  ])('reads $title', async ({ csv, samples, declared }) => {
    const { file, sink, report } = await load(csv);
    expect(sink.samples).toEqual(samples);
    expect(sink.declared).toEqual(declared);
    expect(report).toEqual({ path: file, format: 'k6-csv', lines: samples.length, skipped: 0, problems: [], problems_total: 0 });
  });

  it('reads a header-only file (k6 stopped before its first flush) as zero lines', async () => {
    const { file, sink, report } = await load(`${HEADER_19}\n`);
    expect(sink.samples).toEqual([]);
    expect(report).toEqual({ path: file, format: 'k6-csv', lines: 0, skipped: 0, problems: [], problems_total: 0 });
  });
});

// --- timestamps ------------------------------------------------------------------------------------

describe('loadK6Csv: timestamps in every timeFormat', () => {
  it.each([
    // One whole second, 2022-01-04T12:15:36Z, in all six formats.
    { format: 'unix', cell: '1641298536', timeMs: 1641298536000 },
    { format: 'unix_milli', cell: '1641298536000', timeMs: 1641298536000 },
    { format: 'unix_micro', cell: '1641298536000000', timeMs: 1641298536000 },
    { format: 'unix_nano', cell: '1641298536000000000', timeMs: 1641298536000 },
    { format: 'rfc3339', cell: '2022-01-04T12:15:36Z', timeMs: 1641298536000 },
    { format: 'rfc3339 (local zone)', cell: '2022-01-04T13:15:36+01:00', timeMs: 1641298536000 },
    { format: 'rfc3339_nano (Go trims trailing zeros)', cell: '2022-01-04T07:15:36-05:00', timeMs: 1641298536000 },
    // The same instant plus 123.456 ms, in the formats that carry fractions.
    { format: 'unix_milli', cell: '1641298536123', timeMs: 1641298536123 },
    { format: 'unix_micro', cell: '1641298536123456', timeMs: 1641298536123.456 },
    { format: 'unix_nano', cell: '1641298536123456000', timeMs: 1641298536123.456 },
    { format: 'rfc3339_nano', cell: '2022-01-04T12:15:36.123456Z', timeMs: 1641298536123.456 },
    { format: 'rfc3339_nano (offset)', cell: '2022-01-04T14:15:36.123456+02:00', timeMs: 1641298536123.456 },
    // Nanoseconds are rounded to the µs, not lost to Date's ms.
    { format: 'unix_nano', cell: '1641298536123456789', timeMs: 1641298536123.457 },
    { format: 'rfc3339_nano', cell: '2022-01-04T12:15:36.123456789Z', timeMs: 1641298536123.457 },
    // k6's own test values (grafana/k6:internal/output/csv/output_test.go TestSampleToRow).
    { format: 'unix_nano (k6 test: +25 ns)', cell: '1562324644000000025', timeMs: 1562324644000 },
    { format: 'unix_micro (k6 test)', cell: '1562324644000002', timeMs: 1562324644000.002 },
    { format: 'unix_milli (k6 test)', cell: '1562324644006', timeMs: 1562324644006 },
    // 7 fractional digits and +08:00, as Windows k6 0.26 wrote (formats.md §3.1, grafana/k6#1345).
    { format: 'rfc3339_nano (7 digits)', cell: '2020-03-06T16:47:36.7835623+08:00', timeMs: 1583484456783.562 },
    // 9-digit seconds (before 2001-09-09) are still seconds.
    { format: 'unix (9 digits)', cell: '999999999', timeMs: 999999999000 },
  ])('$format `$cell` → $timeMs', async ({ cell, timeMs }) => {
    const { sink, report } = await load(`metric_name,timestamp,metric_value,extra_tags\nvus,${cell},1.000000,\n`);
    expect(report.problems).toEqual([]);
    expect(sink.samples).toEqual([{ metric: 'vus', timeMs, value: 1, tags: {} }]);
    expect(parseK6CsvTime(cell)).toBe(timeMs);
  });

  it.each([
    { cell: '' },
    { cell: '1641298536.5' },
    { cell: '-1641298536' },
    { cell: '164129853612345678901' },
    { cell: '2022-13-04T12:15:36Z' },
    { cell: '2022-02-29T12:15:36Z' },
    { cell: '2022-01-04 12:15:36Z' },
    { cell: '2022-01-04T12:15:36' },
    { cell: '2022-01-04T12:15:36.1234567890Z' },
  ])('rejects timestamp `$cell`', ({ cell }) => {
    expect(parseK6CsvTime(cell)).toBeNaN();
  });
});

// --- cells: tags, quoting, line endings ------------------------------------------------------------

describe('loadK6Csv: tags and quoted fields', () => {
  it('parses extra_tags, ignores metadata and gives equal tag sets one key', async () => {
    const { sink } = await load(
      [
        HEADER_19,
        row19('my_trend', '1641298536', '1.500000', { extra: 'b=2&a=1', metadata: 'vu=3&iter=7' }),
        row19('my_trend', '1641298536', '2.500000', { extra: 'a=1&b=2' }),
        row19('my_trend', '1641298536', '3.500000', { extra: 'q=x=y&flag' }),
        row19('my_trend', '1641298536', '4.500000'),
      ].join('\n'),
    );
    expect(sink.samples).toEqual([
      { metric: 'my_trend', timeMs: 1641298536000, value: 1.5, tags: { scenario: 'default', a: '1', b: '2' } },
      { metric: 'my_trend', timeMs: 1641298536000, value: 2.5, tags: { scenario: 'default', a: '1', b: '2' } },
      // No escaping in k6's extra_tags: the first `=` splits; a bare name is an empty tag.
      { metric: 'my_trend', timeMs: 1641298536000, value: 3.5, tags: { scenario: 'default', q: 'x=y', flag: '' } },
      { metric: 'my_trend', timeMs: 1641298536000, value: 4.5, tags: { scenario: 'default' } },
    ]);
    expect(sink.keys[0]).toBe(sink.keys[1]);
    expect(new Set(sink.keys).size).toBe(3);
    expect(sink.keys[3]).toBe('[["scenario","default"]]');
    expect(Object.isFrozen(sink.samples[0]!.tags)).toBe(true);
    // A custom metric is declared once, as unknown.
    expect(sink.declared).toEqual([['my_trend', 'unknown', 'default']]);
  });

  it('keeps a tag named `__proto__` as a tag', async () => {
    const { sink } = await load(`metric_name,timestamp,metric_value,extra_tags\nvus,1641298536,1.000000,__proto__=x&a=1\n`);
    const tags = sink.samples[0]!.tags;
    expect(Object.hasOwn(tags, '__proto__')).toBe(true);
    expect(Object.entries(tags)).toEqual([['__proto__', 'x'], ['a', '1']]);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
  });

  it.each([
    { eol: 'LF', eolText: '\n' },
    { eol: 'CRLF', eolText: '\r\n' },
  ])('reads Go-quoted commas, quotes and line breaks ($eol)', async ({ eolText }) => {
    const csv = [
      HEADER_19,
      row19('http_reqs', '1641298536', '1.000000', { url: '"https://example.test/search?q=a,b&page=2"' }),
      row19('checks', '1641298536', '0.000000', { check: '"body has ""ok"", or not"' }),
      // An error message with a line break: one record over two lines.
      row19('http_req_failed', '1641298536', '1.000000', { error: `"dial tcp: refused${eolText}retrying"` }),
      row19('vus', '1641298537', '4.000000'),
      '',
    ].join(eolText);
    const { sink, report } = await load(csv);
    expect(sink.samples).toEqual([
      { metric: 'http_reqs', timeMs: 1641298536000, value: 1, tags: { scenario: 'default', url: 'https://example.test/search?q=a,b&page=2' } },
      { metric: 'checks', timeMs: 1641298536000, value: 0, tags: { scenario: 'default', check: 'body has "ok", or not' } },
      { metric: 'http_req_failed', timeMs: 1641298536000, value: 1, tags: { scenario: 'default', error: `dial tcp: refused${eolText}retrying` } },
      { metric: 'vus', timeMs: 1641298537000, value: 4, tags: { scenario: 'default' } },
    ]);
    expect(report.lines).toBe(4);
  });

  it('reads the same rows from a gzip file (detected by its bytes, whatever the name)', async () => {
    const csv = `${HEADER_19}\n${row19('vus', '1641298536', '3.000000')}\n`;
    const file = write(gzipSync(csv), 'gzipped.csv');
    const sink = new RecordingSink();
    const report = await loadK6Csv(file, sink);
    expect(sink.samples).toEqual([{ metric: 'vus', timeMs: 1641298536000, value: 3, tags: { scenario: 'default' } }]);
    expect(report.problems_total).toBe(0);
  });
});

// --- bad rows --------------------------------------------------------------------------------------

describe('loadK6Csv: bad rows are counted with their line and skipped', () => {
  const lines = (eol: string) =>
    [
      HEADER_19, // 1
      row19('vus', '1641298536', '1.000000'), // 2
      'vus,1641298536,1.000000', // 3: too few fields
      row19('vus', '1641298536', 'abc'), // 4: bad value
      row19('http_req_failed', '1641298536', '1.000000', { error: `"EOF${eol}while reading"` }), // 5-6
      row19('vus', '2022-02-30T00:00:00Z', '1.000000'), // 7: bad timestamp
      row19('', '1641298536', '1.000000'), // 8: no metric name
      '', // 9: blank, ignored
      row19('vus', '1641298537', '2.000000'), // 10
      `${row19('vus', '1641298537', '2.000000')},extra`, // 11: too many fields
      row19('vus', '1641298537', ''), // 12: empty value
    ].join(eol);
  const problems = (file: string) => [
    { line: 3, message: `k6 csv: row with \`3\` fields at ${file}:3: expected 19 fields as in the header` },
    { line: 4, message: `k6 csv: metric_value \`abc\` at ${file}:4: expected a number` },
    { line: 7, message: `k6 csv: timestamp \`2022-02-30T00:00:00Z\` at ${file}:7: expected Unix seconds, ms, µs or ns, or an RFC 3339 time` },
    { line: 8, message: `k6 csv: metric_name \`\` at ${file}:8: expected a metric name` },
    { line: 11, message: `k6 csv: row with \`20\` fields at ${file}:11: expected 19 fields as in the header` },
    { line: 12, message: `k6 csv: metric_value \`\` at ${file}:12: expected a number` },
  ];

  it.each([
    { eol: 'LF', eolText: '\n' },
    { eol: 'CRLF', eolText: '\r\n' },
  ])('reports lines 3, 4, 7, 8, 11, 12 and loads the rest ($eol)', async ({ eolText }) => {
    const { file, sink, report } = await load(lines(eolText));
    expect(report).toEqual({ path: file, format: 'k6-csv', lines: 9, skipped: 6, problems: problems(file), problems_total: 6 });
    expect(sink.samples.map((s) => [s.metric, s.timeMs, s.value])).toEqual([
      ['vus', 1641298536000, 1],
      ['http_req_failed', 1641298536000, 1],
      ['vus', 1641298537000, 2],
    ]);
  });

  it('keeps the first `keepProblems` problems and counts all', async () => {
    const { file, report } = await load(lines('\n'), { keepProblems: 2 });
    expect(report.problems).toEqual(problems(file).slice(0, 2));
    expect(report.problems_total).toBe(6);
    expect(report.skipped).toBe(6);
  });

  it('reports a quoted field that is never closed (a plain file cut inside quotes)', async () => {
    const { file, sink, report } = await load(`${HEADER_19}\n${row19('vus', '1641298536', '1.000000')}\nchecks,1641298536,1.000000,"status is`);
    expect(sink.samples).toHaveLength(1);
    expect(report).toEqual({
      path: file,
      format: 'k6-csv',
      lines: 2,
      skipped: 1,
      problems: [{ line: 3, message: `k6 csv: quoted field opened at ${file}:3 is never closed: expected a closing \`"\` before the end of the file` }],
      problems_total: 1,
    });
  });

  it('keeps everything before the cut of a truncated gzip stream and says where it ended', async () => {
    // Distinct values per row so the stream does not compress to a few bytes.
    const rows = Array.from({ length: 4000 }, (_, i) => row19('http_req_duration', String(1641298536 + (i >> 4)), (i * 1.37).toFixed(6), { url: `https://a.test/${i * 7919}` }));
    const gzip = gzipSync(`${HEADER_19}\n${rows.join('\n')}\n`);
    const cut = gzip.subarray(0, Math.floor(gzip.length / 2));
    // What a reader can get from the cut stream: its complete lines (header included).
    const complete = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString().split('\n').length - 1;
    expect(complete).toBeGreaterThan(100);
    const { file, sink, report } = await load(cut);
    expect(sink.samples).toHaveLength(complete - 1);
    expect(sink.samples.at(-1)).toEqual({
      metric: 'http_req_duration',
      timeMs: (1641298536 + ((complete - 2) >> 4)) * 1000,
      value: Number(((complete - 2) * 1.37).toFixed(6)),
      tags: { scenario: 'default', url: `https://a.test/${(complete - 2) * 7919}` },
    });
    expect(report).toEqual({
      path: file,
      format: 'k6-csv',
      lines: complete - 1,
      skipped: 0,
      problems: [{ line: null, message: `k6 csv: gzip stream ended early after ${complete} lines at ${file}: expected a complete gzip file; the lines before were kept` }],
      problems_total: 1,
    });
  });
});

// --- files that are not k6 CSV ---------------------------------------------------------------------

describe('loadK6Csv: unusable files', () => {
  it.each([
    { title: 'an empty file', content: '' },
    { title: 'blank lines only', content: '\n\r\n\n' },
    { title: 'an empty gzip stream', content: gzipSync('') },
  ])('rejects $title as no-data', async ({ content }) => {
    const { file, error } = await loadError(content);
    expect(error.code).toBe('no-data');
    expect(error.message).toBe(`k6 csv: \`${file}\` is empty: expected a k6 CSV header with the columns \`metric_name\`, \`timestamp\` and \`metric_value\` (in any order, then tag columns)`);
  });

  it.each([
    {
      title: 'k6 NDJSON',
      // formats.md §3.2 (code-index file id 66600874666).
      content: '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}\n',
      excerpt: '{"type":"Metric","data":{"name":"http_re…',
      note: 'the file looks like JSON: k6 `--out json` output or a summary, not `--out csv`',
    },
    {
      title: 'a Locust stats CSV',
      // formats.md §6 header.
      content: 'Type,Name,Request Count,Failure Count,Median Response Time\nGET,/,10,0,12\n',
      excerpt: 'Type,Name,Request Count,Failure Count,Me…',
      note: undefined,
    },
    {
      title: 'gzip NDJSON with a .csv.gz name',
      content: gzipSync('{"metric":"vus","type":"Point","data":{"time":"2025-06-02T18:44:55Z","value":1,"tags":null}}\n'),
      excerpt: '{"metric":"vus","type":"Point","data":{"…',
      note: 'the file looks like JSON: k6 `--out json` output or a summary, not `--out csv`',
    },
    {
      title: 'a header without metric_value',
      content: 'metric_name,timestamp,value\r\nvus,1641298536,1\r\n',
      excerpt: 'metric_name,timestamp,value',
      note: undefined,
      // Which of the three is missing, when some are there.
      missing: '; missing `metric_value`',
    },
  ])('rejects $title as unknown-format, quoting line 1', async ({ content, excerpt, note, missing = '' }) => {
    const { file, error } = await loadError(content, `wrong-${++fileCount}.csv.gz`);
    expect(error.code).toBe('unknown-format');
    expect(error.message).toBe(`k6 csv: \`${excerpt}\` at ${file}:1: expected a k6 CSV header with the columns \`metric_name\`, \`timestamp\` and \`metric_value\` (in any order, then tag columns)${missing}`);
    expect(error.note).toBe(note);
  });

  it.each([
    {
      title: 'a gzip stream cut inside its header',
      content: () => gzipSync(`${HEADER_19}\n`).subarray(0, 12),
      code: 'no-data',
      message: (file: string) => `k6 csv: gzip stream ended early at ${file}: expected at least a complete header line`,
    },
    {
      title: 'a gzip stream with a wrong CRC',
      content: () => {
        const gzip = gzipSync(`${HEADER_19}\n${row19('vus', '1641298536', '1.000000')}\n`);
        gzip[gzip.length - 6]! ^= 0xff; // the CRC-32 of the trailer
        return gzip;
      },
      code: 'unreadable',
      message: (file: string) => `k6 csv: gzip data broken at ${file}: incorrect data check`,
    },
  ])('rejects $title', async ({ content, code, message }) => {
    const { file, error } = await loadError(content());
    expect(error.code).toBe(code);
    expect(error.message).toBe(message(file));
  });

  it('passes an error of the sink through unchanged', async () => {
    const file = write(`${HEADER_19}\n${row19('vus', '1641298536', '1.000000')}\n`);
    const failing: SampleSink = {
      declareMetric: () => undefined,
      sample: () => {
        throw new RangeError('sink is full');
      },
    };
    await expect(loadK6Csv(file, failing)).rejects.toThrow(new RangeError('sink is full'));
  });

  it('rejects a missing file as unreadable', async () => {
    const file = join(dir, 'missing.csv');
    await expect(loadK6Csv(file, new RecordingSink())).rejects.toThrow(`input: cannot read \`${file}\`: ENOENT`);
  });
});

// --- the scanner: quoting, line endings, layouts, chunk boundaries ---------------------------------

describe('loadK6Csv: the scanner', () => {
  const HEADER_5 = 'metric_name,timestamp,metric_value,status,extra_tags';
  const T = 1641298536000;

  it.each([
    {
      title: 'a quoted extra_tags cell with a comma',
      csv: `${HEADER_5}\nvus,1641298536,1.000000,200,"note=a, b&x=1"\n`,
      samples: [{ metric: 'vus', timeMs: T, value: 1, tags: { status: '200', note: 'a, b', x: '1' } }],
    },
    {
      title: 'a doubled quote inside quotes',
      csv: `${HEADER_5}\nchecks,1641298536,1.000000,,"check=say ""hi"""\n`,
      samples: [{ metric: 'checks', timeMs: T, value: 1, tags: { check: 'say "hi"' } }],
    },
    {
      title: 'quoted numbers and a quoted empty cell (an absent tag)',
      csv: `${HEADER_5}\nvus,"1641298536","2.500000","",a=1\n`,
      samples: [{ metric: 'vus', timeMs: T, value: 2.5, tags: { a: '1' } }],
    },
    {
      // csv-parse `relax_quotes`, kept: k6 never writes these, a corrupted cell stays one cell.
      title: 'a quote inside an unquoted cell, and text after a closing quote, as characters',
      csv: `${HEADER_5}\nvus,1641298536,1.000000,200,a=b"c\nvus,1641298536,2.000000,"200"x,a=1\n`,
      samples: [
        { metric: 'vus', timeMs: T, value: 1, tags: { status: '200', a: 'b"c' } },
        { metric: 'vus', timeMs: T, value: 2, tags: { status: '"200"x', a: '1' } },
      ],
    },
    {
      title: 'a CRLF file with a BOM, a blank CRLF line, a quoted last cell and no final line break',
      csv: `\uFEFF${HEADER_5}\r\nvus,1641298536,1.000000,200,a=1\r\n\r\nvus,1641298537,2.000000,"200","a=1"`,
      samples: [
        { metric: 'vus', timeMs: T, value: 1, tags: { status: '200', a: '1' } },
        { metric: 'vus', timeMs: T + 1000, value: 2, tags: { status: '200', a: '1' } },
      ],
    },
    {
      // csv-parse kept the `\r` in the last cell here (its line break was fixed by the first line).
      title: 'a file mixing LF and CRLF line breaks',
      csv: `${HEADER_5}\nvus,1641298536,1.000000,200,a=1\r\nvus,1641298537,2.000000,200,"a=1"\r\n`,
      samples: [
        { metric: 'vus', timeMs: T, value: 1, tags: { status: '200', a: '1' } },
        { metric: 'vus', timeMs: T + 1000, value: 2, tags: { status: '200', a: '1' } },
      ],
    },
    {
      title: 'a lone `\\r` inside a cell (not a line break)',
      csv: `${HEADER_5}\nvus,1641298536,1.000000,200,a=1\rb\n`,
      samples: [{ metric: 'vus', timeMs: T, value: 1, tags: { status: '200', a: '1\rb' } }],
    },
    {
      title: 'UTF-8 in unquoted and quoted cells and in a metric name',
      csv: `${HEADER_5}\nchecks,1641298536,1.000000,,check=статус ✓\nchecks,1641298536,0.000000,,"check=статус, ✓"\nлатентность,1641298536,3.000000,,\n`,
      samples: [
        { metric: 'checks', timeMs: T, value: 1, tags: { check: 'статус ✓' } },
        { metric: 'checks', timeMs: T, value: 0, tags: { check: 'статус, ✓' } },
        { metric: 'латентность', timeMs: T, value: 3, tags: {} },
      ],
    },
    {
      title: 'the tag columns before the metric (columns by name)',
      csv: 'status,extra_tags,metric_name,timestamp,metric_value\n200,a=1,vus,1641298536,1.000000\n,,vus,1641298537,2.000000\n',
      samples: [
        { metric: 'vus', timeMs: T, value: 1, tags: { status: '200', a: '1' } },
        { metric: 'vus', timeMs: T + 1000, value: 2, tags: {} },
      ],
    },
    {
      title: 'a tag column apart from extra_tags',
      csv: 'metric_name,status,timestamp,metric_value,extra_tags\nvus,200,1641298536,1.000000,a=1\nvus,500,1641298536,2.000000,a=1\n',
      samples: [
        { metric: 'vus', timeMs: T, value: 1, tags: { status: '200', a: '1' } },
        { metric: 'vus', timeMs: T, value: 2, tags: { status: '500', a: '1' } },
      ],
    },
    {
      // The digit-by-digit path stops at 15 digits; longer ones and other forms go to Number.
      title: 'decimals of every form',
      csv: `${HEADER_5}\n${['1234567890123.456789', '0.000001', '-0.500000', '+3', '.5', '7.', '1e3', '2.5E-3', '000000000000000012.5'].map((v) => `vus,1641298536,${v},,`).join('\n')}\n`,
      samples: [1234567890123.456789, 0.000001, -0.5, 3, 0.5, 7, 1000, 0.0025, 12.5].map((value) => ({ metric: 'vus', timeMs: T, value, tags: {} })),
    },
  ])('reads $title', async ({ csv, samples }) => {
    const { file, sink, report } = await load(csv);
    expect(sink.samples).toEqual(samples);
    expect(report).toEqual({ path: file, format: 'k6-csv', lines: samples.length, skipped: 0, problems: [], problems_total: 0 });
  });

  it.each([
    {
      title: 'a row with too few fields',
      rows: ['vus,1641298536,1.000000,200'],
      problem: (file: string) => ({ line: 2, message: `k6 csv: row with \`4\` fields at ${file}:2: expected 5 fields as in the header` }),
    },
    {
      title: 'a quoted row with too few fields',
      rows: ['vus,"1641298536",1.000000'],
      problem: (file: string) => ({ line: 2, message: `k6 csv: row with \`3\` fields at ${file}:2: expected 5 fields as in the header` }),
    },
    {
      title: 'a row with a comma too many in its tags',
      rows: ['vus,1641298536,1.000000,200,a=1,b=2'],
      problem: (file: string) => ({ line: 2, message: `k6 csv: row with \`6\` fields at ${file}:2: expected 5 fields as in the header` }),
    },
    {
      title: 'a hexadecimal value (Number would take it)',
      rows: ['vus,1641298536,0x10,200,'],
      problem: (file: string) => ({ line: 2, message: `k6 csv: metric_value \`0x10\` at ${file}:2: expected a number` }),
    },
    {
      title: 'a bad value in a quoted row',
      rows: ['vus,1641298536," 1",200,'],
      problem: (file: string) => ({ line: 2, message: `k6 csv: metric_value \` 1\` at ${file}:2: expected a number` }),
    },
  ])('reports $title with its line and keeps the rows around it', async ({ rows, problem }) => {
    const { file, sink, report } = await load([HEADER_5, ...rows, 'vus,1641298537,2.000000,200,a=1', ''].join('\n'));
    expect(sink.samples).toEqual([{ metric: 'vus', timeMs: T + 1000, value: 2, tags: { status: '200', a: '1' } }]);
    expect(report).toEqual({ path: file, format: 'k6-csv', lines: 2, skipped: 1, problems: [problem(file)], problems_total: 1 });
  });

  it('gives a tag set one key whether its cells are quoted or not, and in any extra_tags order', async () => {
    const { sink } = await load(
      [HEADER_5, 'vus,1641298536,1.000000,200,a=1&b=2', 'vus,1641298536,2.000000,"200","a=1&b=2"', 'vus,"1641298536",3.000000,200,b=2&a=1', 'vus,1641298536,4.000000,200,a=1'].join('\n'),
    );
    expect(sink.keys).toEqual([...Array<string>(3).fill('[["a","1"],["b","2"],["status","200"]]'), '[["a","1"],["status","200"]]']);
  });

  it('counts the lines of a quoted line break for the rows after it', async () => {
    const { file, report } = await load([HEADER_5, 'vus,1641298536,1.000000,200,"a=x', 'y', 'z"', 'vus,1641298536,bad,200,', 'vus,"1641298536",bad,200,'].join('\r\n'));
    expect(report.problems).toEqual([
      { line: 5, message: `k6 csv: metric_value \`bad\` at ${file}:5: expected a number` },
      { line: 6, message: `k6 csv: metric_value \`bad\` at ${file}:6: expected a number` },
    ]);
    expect(report.lines).toBe(3);
  });

  it.each([
    { title: 'an unquoted row', open: '' },
    { title: 'a quote that is never closed', open: '"' },
  ])('stops at a row longer than 1 MiB ($title) and keeps the rows before', async ({ open }) => {
    const long = `vus,1641298536,1.000000,200,${open}${'x'.repeat(1 << 20)}`;
    const { file, sink, report } = await load([HEADER_5, 'vus,1641298536,1.000000,200,a=1', long, 'vus,1641298537,2.000000,200,a=1', ''].join('\n'));
    expect(sink.samples).toEqual([{ metric: 'vus', timeMs: T, value: 1, tags: { status: '200', a: '1' } }]);
    expect(report).toEqual({
      path: file,
      format: 'k6-csv',
      lines: 2,
      skipped: 1,
      problems: [{ line: 3, message: `k6 csv: row longer than 1048576 bytes at ${file}:3: expected a k6 CSV row; reading stopped there` }],
      problems_total: 1,
    });
  });

  // Rows of every length, some quoted over two lines, so that rows, quoted cells, `\r\n` pairs and
  // UTF-8 sequences fall on the 64 KiB chunk boundaries of a plain file and zlib's of a gzip one.
  const rows = Array.from({ length: 6000 }, (_, i) => {
    const url = `https://a.test/${'é'.repeat(i % 7)}${'p'.repeat(i % 53)}`;
    const quoted = i % 5 === 0;
    const extra = quoted ? `"q=line ${i}\r\nnext, ""${i}""&u=${url}"` : `q=${i}&u=${url}`;
    return {
      text: `http_req_duration,${1641298536 + (i >> 8)},${(i * 0.37).toFixed(6)},${i % 3 === 0 ? '500' : '200'},${extra}`,
      sample: {
        metric: 'http_req_duration',
        timeMs: (1641298536 + (i >> 8)) * 1000,
        value: Number((i * 0.37).toFixed(6)),
        tags: { status: i % 3 === 0 ? '500' : '200', q: quoted ? `line ${i}\r\nnext, "${i}"` : String(i), u: url },
      },
    };
  });
  const chunked = `${HEADER_5}\r\n${rows.map((r) => r.text).join('\r\n')}\r\n`;

  it.each([
    { title: 'a plain file', content: () => chunked },
    { title: 'a gzip file', content: () => gzipSync(chunked) },
  ])('reads rows across chunk boundaries in $title', async ({ content }) => {
    const { sink, report } = await load(content());
    expect(report.problems).toEqual([]);
    expect(report.lines).toBe(rows.length);
    expect(sink.samples).toEqual(rows.map((r) => r.sample));
  });
});

// --- against the csv-parse loader it replaced ------------------------------------------------------

describe('loadK6Csv: the same as the csv-parse loader on real k6 output', () => {
  // results-samples/k6-csv/README.md: real k6 v2.2.0 runs (one request per iteration, 4 answered 500);
  // the counts below were read from the files with `zcat | grep -c`.
  it.each([
    { name: 'k6-plain.csv.gz', records: 1572, requests: 120, note: undefined },
    { name: 'k6-quoted.csv.gz', records: 1585, requests: 121, note: 'a "quoted", tag\nover two lines' },
  ])('$name gives the same samples, report and aggregates', async ({ name, records, requests, note }) => {
    const file = join(repoRoot, 'results-samples', 'k6-csv', name);
    const [fresh, old] = [new RecordingSink(), new RecordingSink()];
    const report = await loadK6Csv(file, fresh);
    expect(report).toEqual(await loadK6CsvBaseline(file, old));
    expect(report).toEqual({ path: file, format: 'k6-csv', lines: records, skipped: 0, problems: [], problems_total: 0 });
    expect(fresh.samples).toEqual(old.samples);
    expect(fresh.keys).toEqual(old.keys);
    expect(fresh.declared).toEqual(old.declared);
    expect(fresh.samples.filter((s) => s.metric === 'http_reqs')).toHaveLength(requests);
    expect(fresh.samples.filter((s) => s.tags.status === '500')).toHaveLength(36);
    if (note !== undefined) expect(fresh.samples.every((s) => s.tags.note === note)).toBe(true);

    const [freshAggregate, oldAggregate] = [new Aggregator(), new Aggregator()];
    await loadK6Csv(file, freshAggregate);
    await loadK6CsvBaseline(file, oldAggregate);
    expect(freshAggregate.groups().length).toBeGreaterThan(10);
    expect(freshAggregate.groups()).toEqual(oldAggregate.groups());
  });

  it('gives the same samples as the csv-parse loader on the benchmark\'s generated data', async () => {
    const file = join(dir, 'generated.csv');
    const made = generateCsv(file, 400_000);
    const [fresh, old] = [new RecordingSink(), new RecordingSink()];
    const report = await loadK6Csv(file, fresh);
    expect(report).toEqual(await loadK6CsvBaseline(file, old));
    expect(report.problems_total).toBe(0);
    expect(fresh.samples.filter((s) => s.metric === 'http_reqs')).toHaveLength(made.requests);
    expect(fresh.samples).toEqual(old.samples);
    expect(fresh.keys).toEqual(old.keys);
  });
});
