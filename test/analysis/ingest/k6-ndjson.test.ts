/**
 * The k6 NDJSON loader on the shapes k6 writes (formats.md §3.1–3.2, k6-facts §2) and on broken input.
 * A recording sink keeps every sample, so values, times and tags are asserted exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../analysis/errors.ts';
import { Aggregator } from '../../../analysis/ingest/aggregate.ts';
import { loadK6Ndjson } from '../../../analysis/ingest/k6-ndjson.ts';
import type { MetricContains, MetricType, SampleSink, Tags } from '../../../analysis/ingest/sink.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-ndjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

function file(content: string | Buffer, name = `in-${++fileCount}.json`): string {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
}

interface Recorded {
  metric: string;
  timeMs: number;
  value: number;
  tags: Tags;
}

class Recorder implements SampleSink {
  samples: Recorded[] = [];
  declared: [string, MetricType, MetricContains][] = [];
  onUnknownMetric: ((metric: string) => void) | undefined;
  private seen = new Set<string>();
  declareMetric(name: string, type: MetricType, contains: MetricContains): void {
    this.declared.push([name, type, contains]);
    this.seen.add(name);
  }
  sample(metric: string, timeMs: number, value: number, _key: string, tags: () => Tags): void {
    if (!this.seen.has(metric) && !['vus', 'vus_max', 'http_reqs', 'http_req_duration'].includes(metric)) {
      this.seen.add(metric);
      this.onUnknownMetric?.(metric);
    }
    this.samples.push({ metric, timeMs, value, tags: tags() });
  }
}

async function load(content: string | Buffer) {
  const sink = new Recorder();
  const report = await loadK6Ndjson(file(content), sink);
  return { sink, report };
}

// --- the shapes k6 writes ------------------------------------------------------------------------

describe('k6 NDJSON shapes', () => {
  it.each([
    [
      // formats.md §3.1, grafana/k6#1345: old key order, tags null, 7 fraction digits, +08:00
      'old key order, `tags: null`, +08:00',
      '{"type":"Point","data":{"time":"2020-03-06T16:47:36.7835623+08:00","value":1,"tags":null},"metric":"vus"}',
      { metric: 'vus', timeMs: Date.UTC(2020, 2, 6, 8, 47, 36) + 783.562, value: 1, tags: {} },
    ],
    [
      // formats.md §3.2 (k6 run 2025-06-02): current key order, +02:00, 7 fraction digits
      'current key order, +02:00',
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2025-06-02T18:44:55.8795741+02:00","value":57.0746,"tags":{"expected_response":"true","group":"","method":"POST","myTag":"authorize","name":"https://3.79.196.112/realms/sample-app/protocol/openid-connect/token","proto":"HTTP/2.0","scenario":"default","status":"200","tls_version":"tls1.3","url":"https://3.79.196.112/realms/sample-app/protocol/openid-connect/token"}}}',
      {
        metric: 'http_req_duration',
        timeMs: Date.UTC(2025, 5, 2, 16, 44, 55) + 879.574,
        value: 57.0746,
        tags: {
          expected_response: 'true', group: '', method: 'POST', myTag: 'authorize',
          name: 'https://3.79.196.112/realms/sample-app/protocol/openid-connect/token', proto: 'HTTP/2.0',
          scenario: 'default', status: '200', tls_version: 'tls1.3',
          url: 'https://3.79.196.112/realms/sample-app/protocol/openid-connect/token',
        },
      },
    ],
    [
      // k6-facts §2 (k6's json_test.go): metadata after the tags
      'metadata object after the tags',
      '{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":1,"tags":{"tag1":"val1"},"metadata":{"meta1":"foo","meta2":"bar"}},"metric":"my_metric1"}',
      { metric: 'my_metric1', timeMs: Date.UTC(2021, 1, 24, 13, 37, 10), value: 1, tags: { tag1: 'val1' } },
    ],
    [
      'metadata in the current key order (fast path)',
      '{"metric":"http_reqs","type":"Point","data":{"time":"2026-07-01T02:45:10.321870603Z","value":1,"tags":{"status":"200"},"metadata":{"vu":"3","iter":"17"}}}',
      { metric: 'http_reqs', timeMs: Date.UTC(2026, 6, 1, 2, 45, 10) + 321.871, value: 1, tags: { status: '200' } },
    ],
    [
      'no fraction digits, negative offset, exponent value',
      '{"metric":"custom","type":"Point","data":{"time":"2026-01-01T00:00:00-05:30","value":1.5e-7,"tags":{}}}',
      { metric: 'custom', timeMs: Date.UTC(2026, 0, 1, 5, 30, 0), value: 1.5e-7, tags: {} },
    ],
    [
      'UTF-8 and escapes in tag values, braces inside a value',
      '{"metric":"checks","type":"Point","data":{"time":"2026-07-01T02:45:10Z","value":0,"tags":{"check":"größe {ok}","error":"say \\"hi\\"}"}}}',
      { metric: 'checks', timeMs: Date.UTC(2026, 6, 1, 2, 45, 10), value: 0, tags: { check: 'größe {ok}', error: 'say "hi"}' } },
    ],
  ])('%s', async (_name, line, expected) => {
    const { sink, report } = await load(`${line}\n`);
    expect(sink.samples).toEqual([expected]);
    expect(report).toMatchObject({ format: 'k6-ndjson', lines: 1, skipped: 0, problems_total: expect.any(Number) });
  });

  it('reads Metric declarations of every k6 generation (with `tainted`, without `name`, thresholds as objects)', async () => {
    const { sink } = await load(
      [
        // formats.md §3.1: the docs' old shape with `tainted` and no `name`
        '{"type":"Metric","data":{"type":"gauge","contains":"default","tainted":null,"thresholds":[],"submetrics":null},"metric":"vus"}',
        // formats.md §3.2: current shape with `name` and submetrics
        '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":[{"name":"http_req_duration{expected_response:true}","suffix":"expected_response:true","tags":{"expected_response":"true"}}]},"metric":"http_req_duration"}',
        // k6-facts §2: abortOnFail thresholds become objects
        '{"type":"Metric","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":[{"threshold":"rate<0.01","abortOnFail":true,"delayAbortEval":"10s"}],"submetrics":null},"metric":"http_req_failed"}',
      ].join('\n'),
    );
    expect(sink.declared).toEqual([
      ['vus', 'gauge', 'default'],
      ['http_req_duration', 'trend', 'time'],
      ['http_req_failed', 'rate', 'default'],
    ]);
  });

  it('gives the same sample whichever path reads the line (fast current order, JSON.parse old order)', async () => {
    const fast = '{"metric":"m","type":"Point","data":{"time":"2026-07-01T02:45:10.5Z","value":2.25,"tags":{"a":"1","b":"2"}}}';
    const slow = '{"type":"Point","data":{"time":"2026-07-01T02:45:10.5Z","value":2.25,"tags":{"a":"1","b":"2"}},"metric":"m"}';
    const { sink } = await load(`${fast}\n${slow}\n`);
    expect(sink.samples[0]).toEqual(sink.samples[1]);
  });

  it('reads gzip whatever the file is called, and CRLF line endings', async () => {
    const line = '{"metric":"vus","type":"Point","data":{"time":"2026-07-01T02:45:10Z","value":3,"tags":null}}';
    const { sink, report } = await load(gzipSync(`${line}\r\n${line}\r\n`));
    expect(sink.samples.map((s) => s.value)).toEqual([3, 3]);
    expect(report.problems_total).toBe(0);
  });
});

// --- broken input --------------------------------------------------------------------------------

const good = (i: number): string =>
  `{"metric":"http_reqs","type":"Point","data":{"time":"2026-07-01T02:45:1${i}Z","value":1,"tags":{"status":"200"}}}`;

describe('bad input', () => {
  it('a truncated last line (k6 killed): the rest is used, the cut line reported', async () => {
    const { sink, report } = await load(`${good(0)}\n${good(1)}\n${good(2).slice(0, 50)}`);
    expect(sink.samples).toHaveLength(2);
    expect(report).toEqual({
      path: expect.any(String),
      format: 'k6-ndjson',
      lines: 3,
      skipped: 1,
      problems: [{ line: 3, message: 'k6 ndjson: the last line is cut off (k6 stopped while writing it?) at line 3' }],
      problems_total: 1,
    });
  });

  it('malformed lines in the middle: each counted with its line number, the first ones listed', async () => {
    const lines = [good(0), 'not json at all', good(1), '{"type":"Foo"}', '[1,2]', '{"type":"Point","metric":"x","data":{"time":"yesterday","value":1}}', good(2)];
    const { sink, report } = await load(`${lines.join('\n')}\n`);
    expect(sink.samples).toHaveLength(3);
    expect(report.skipped).toBe(4);
    expect(report.problems.map((p) => [p.line, p.message])).toEqual([
      [2, expect.stringMatching(/^k6 ndjson: invalid JSON \(.+\) at line 2$/)],
      [4, 'k6 ndjson: expected `type` Point or Metric, got `Foo` at line 4'],
      [5, 'k6 ndjson: expected a JSON object, got `[1,2]` at line 5'],
      [6, 'k6 ndjson: time `yesterday` is not RFC 3339 at line 6'],
    ]);
  });

  it('keeps the first 20 problems and counts all of them', async () => {
    const lines = [good(0), ...Array.from({ length: 30 }, () => '{"type":"Bar"}')];
    const { report } = await load(lines.join('\n'));
    expect(report.problems).toHaveLength(20);
    expect(report.problems_total).toBe(30);
    expect(report.skipped).toBe(30);
  });

  it('a truncated gzip stream: everything before the cut is used, the cut reported', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => good(i % 10)).join('\n');
    const zipped = gzipSync(`${lines}\n`);
    const { sink, report } = await load(zipped.subarray(0, Math.floor(zipped.length * 0.6)));
    expect(sink.samples.length).toBeGreaterThan(100);
    expect(sink.samples.length).toBeLessThan(2000);
    const last = report.problems[report.problems.length - 1];
    expect(last?.line).toBeNull();
    expect(last?.message).toBe(`k6 ndjson: the gzip stream of \`${report.path}\` ends early, after line ${report.lines}: the data up to there is used`);
  });

  it('an empty file is unusable, named in the error', async () => {
    const empty = file('');
    await expect(loadK6Ndjson(empty, new Recorder())).rejects.toThrow(new AnalysisError('no-data', `k6 ndjson: \`${empty}\` is empty`));
  });

  it('a file of another format is unusable, the error names file and line', async () => {
    const csv = file('metric_name,timestamp,metric_value\nhttp_reqs,1641298536,1.000000\n', 'out.csv');
    const error = await loadK6Ndjson(csv, new Recorder()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnalysisError);
    expect((error as AnalysisError).code).toBe('unknown-format');
    expect((error as AnalysisError).message).toMatch(new RegExp(`^k6 ndjson: invalid JSON \\(.+\\) at ${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1$`));
    expect((error as AnalysisError).note).toBe('expected k6 `--out json` output: one JSON object per line with `type` Point or Metric');
  });

  it('reports a metric that is neither declared nor built in, once, with its first line', async () => {
    const line = (v: number): string => `{"metric":"my_latency","type":"Point","data":{"time":"2026-07-01T02:45:10Z","value":${v},"tags":{}}}`;
    const { sink, report } = await load(`${good(0)}\n${line(1)}\n${line(2)}\n`);
    expect(sink.samples).toHaveLength(3);
    expect(report.skipped).toBe(0);
    expect(report.problems).toEqual([
      { line: 2, message: 'k6 ndjson: metric `my_latency` has no Metric line and is not a k6 built-in: its samples are kept with an unknown type at line 2' },
    ]);
  });

  it('a Metric line of an unknown type is reported, not guessed', async () => {
    const { report } = await load('{"type":"Metric","data":{"name":"h","type":"histogram","contains":"time"},"metric":"h"}\n' + `${good(0)}\n`);
    expect(report.problems[0]?.message).toMatch(/^k6 ndjson: a Metric line needs `metric` and `data.type` \(counter\|gauge\|rate\|trend\), got `.+` at line 1$/);
  });
});

// --- into the aggregator --------------------------------------------------------------------------

describe('with the Aggregator', () => {
  it('buckets by second and groups by metric and tag set', async () => {
    const lines = [
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-07-01T02:45:10.100Z","value":10,"tags":{"status":"200"}}}',
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-07-01T02:45:10.900Z","value":30,"tags":{"status":"200"}}}',
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-07-01T02:45:11.000Z","value":20,"tags":{"status":"200"}}}',
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-07-01T02:45:11.500Z","value":99,"tags":{"status":"500"}}}',
    ];
    const aggregator = new Aggregator();
    await loadK6Ndjson(file(lines.join('\n')), aggregator);
    const groups = aggregator.groups().map((g) => ({
      tags: g.tags,
      buckets: [...g.buckets].map(([second, stats]) => [second * 1000 - Date.UTC(2026, 6, 1, 2, 45, 10), stats.count, stats.sum, stats.min, stats.max]),
    }));
    expect(groups).toEqual([
      { tags: { status: '200' }, buckets: [[0, 2, 40, 10, 30], [1000, 1, 20, 20, 20]] },
      { tags: { status: '500' }, buckets: [[1000, 1, 99, 99, 99]] },
    ]);
  });
});
