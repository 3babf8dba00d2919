/**
 * The WebAssembly line scanner (analysis/ingest/wasm/ndjson-scan.ts) gives what the JS reader gives:
 * the same samples (metric, time, value — `-0` included —, tag key and tags), line counts and
 * problems with their line numbers, and the same aggregates, on the real k6 outputs of the repository
 * (gzip) and on crafted lines for every way a line leaves the fast path, cut into chunks at every
 * byte of a line.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aggregator } from '../../../analysis/ingest/aggregate.ts';
import { loadK6Ndjson } from '../../../analysis/ingest/k6-ndjson.ts';
import { NdjsonReader } from '../../../analysis/ingest/ndjson-reader.ts';
import { ndjsonScanner } from '../../../analysis/ingest/ndjson-scanner-build.ts';
import { ProblemLog } from '../../../analysis/ingest/problems.ts';
import type { MetricContains, MetricType, SampleSink, Tags } from '../../../analysis/ingest/sink.ts';
import { mulberry32 } from '../../../analysis/stats/random.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ndjson-scanner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let scanner: WebAssembly.Module;
beforeAll(async () => {
  const module = await ndjsonScanner();
  if (module === undefined) throw new Error('ndjson scanner: not built (see the warning above)');
  scanner = module;
});

describe('the scanner build', () => {
  it('is one module per process, cached in node_modules/.cache/k6-capacity/ndjson-scan', () => {
    expect(ndjsonScanner()).toBe(ndjsonScanner());
    const cache = path.join(import.meta.dirname, '../../../node_modules/.cache/k6-capacity/ndjson-scan');
    expect(readdirSync(cache).filter((f) => /^ndjson-scan-[0-9a-f]{16}\.wasm$/.test(f)).length).toBeGreaterThan(0);
  });
});

// --- two readers of the same bytes --------------------------------------------------------------

interface Recorded {
  readonly metric: string;
  readonly timeMs: number;
  readonly value: number;
  readonly key: string;
  readonly tags: Tags;
}

/** Keeps every sample as it came; declares and reports unknown metrics as the Aggregator does. */
class Recorder implements SampleSink {
  readonly samples: Recorded[] = [];
  readonly declared: [string, MetricType, MetricContains][] = [];
  onUnknownMetric: ((metric: string) => void) | undefined;
  private readonly seen = new Set<string>();
  declareMetric(name: string, type: MetricType, contains: MetricContains): void {
    this.declared.push([name, type, contains]);
    this.seen.add(name);
  }
  sample(metric: string, timeMs: number, value: number, key: string, tags: () => Tags): void {
    if (!this.seen.has(metric)) {
      this.seen.add(metric);
      this.onUnknownMetric?.(metric);
    }
    this.samples.push({ metric, timeMs, value, key, tags: tags() });
  }
}

/** Every group of an aggregator in a form `toEqual` compares (read in one order: sums exact). */
function view(aggregator: Aggregator) {
  return aggregator.groups().map((g) => ({
    metric: g.metric,
    key: g.tagsKey,
    tags: g.tags,
    type: g.type,
    other: g.other,
    folded: [...g.foldedKeys],
    firstMs: g.firstMs,
    lastMs: g.lastMs,
    buckets: [...g.buckets].map(([index, s]) => [index, s.count, s.sum, s.min, s.max, s.nonzero, s.last, s.lastTimeMs, s.hist?.quantile(0.95) ?? null, s.hist?.buckets() ?? null]),
    total: g.total,
    histogram: g.histogram === null ? null : [g.histogram.count, g.histogram.sum, g.histogram.min, g.histogram.max, g.histogram.buckets(), g.histogram.quantile(0.5), g.histogram.quantile(0.99)],
  }));
}

/** Reads `bytes` pushed in pieces cut at `cuts`, with or without the scanner, into a sink of each kind. */
function read(bytes: Buffer, withScanner: boolean, cuts: readonly number[] = []) {
  const run = <S extends SampleSink>(sink: S) => {
    const problems = new ProblemLog('in.json', 1000);
    const reader = new NdjsonReader(sink, problems, { scanner: withScanner ? scanner : undefined });
    sink.onUnknownMetric = (metric) => problems.add(reader.lines, `unknown \`${metric}\` at line ${reader.lines}`);
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      reader.push(bytes.subarray(at, cut));
      at = cut;
    }
    reader.end();
    return { sink, counts: { lines: reader.lines, used: reader.used, skipped: reader.skipped }, problems: { first: problems.first, count: problems.count } };
  };
  const recorded = run(new Recorder());
  const aggregated = run(new Aggregator({ maxTagSets: 50 }));
  return {
    samples: recorded.sink.samples,
    declared: recorded.sink.declared,
    counts: recorded.counts,
    problems: recorded.problems,
    aggregated: { groups: view(aggregated.sink), counts: aggregated.counts, problems: aggregated.problems },
  };
}

/** Expects the scanner to give exactly what the JS reader gives on `bytes`; returns the JS reader's. */
function expectSame(bytes: Buffer, cuts: readonly number[] = []) {
  const js = read(bytes, false);
  const wasm = read(bytes, true, cuts);
  expect(wasm).toEqual(js);
  return js;
}

// --- crafted lines -------------------------------------------------------------------------------

const TAGS = '{"expected_response":"true","group":"","method":"GET","name":"http://x/health","status":"200"}';

function point(parts: { metric?: string; time?: string; value?: string; tags?: string; after?: string | undefined } = {}): string {
  const { metric = '"http_req_duration"', time = '2026-07-01T02:45:10.321870603Z', value = '47.794952', tags = TAGS, after = '' } = parts;
  return `{"metric":${metric},"type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}${after}}}`;
}

const NAMES = ['"http_reqs"', '""', '"a\\"b"', '"a\\\\b"', '"a\\u0041"', '"größe"', '"a b"', '"vus_max"', 'null', '1'];

const VALUES = [
  '1', '0', '-0', '-0.0', '0.0', '47.794952', '-12.5', '-1', '123456789012345', '999999999999999', '1234567890123456',
  '12345678901234567', '0.30000000000000004', '0.1', '0.2', '1.7976931348623157', '2.2250738585072014', '1e5', '1E5',
  '1.5e-7', '1e400', '-1e-400', '1e22', '0.0000000000000000000001', '0.00000000000000000000001', '0.000000000000000000000123',
  '5.', '.5', '-.5', '+5', ' 5', '5 ', '0x1F', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '', '-', '.', '-.', '00012',
  '-00.50', '1_000', '1e', '--1', '1.2.3', 'true', 'null', '"1"', '[1]', '12345678901234.5', '1234567890.12345',
  '0.000001', '3.14159265358979', '314159265358979.3',
  // 16 significant digits where mantissa / 10^k is not the correctly rounded value (searched for)
  '951788516505064.1', '92692247.86390649', '964373.7148221593', '95510596098098.262',
];

const TIMES = [
  '2026-07-01T02:45:10Z', '2026-07-01T02:45:10.3Z', '2026-07-01T02:45:10.32Z', '2026-07-01T02:45:10.321Z',
  '2026-07-01T02:45:10.3218Z', '2026-07-01T02:45:10.32187Z', '2026-07-01T02:45:10.321870Z', '2026-07-01T02:45:10.3218706Z',
  '2026-07-01T02:45:10.32187060Z', '2026-07-01T02:45:10.321870603Z', '2026-07-01T02:45:10.3218706039Z', '2026-07-01T02:45:10.999999999Z',
  '2026-07-01T02:45:10.9999995Z', '2026-07-01T02:45:10.0000005Z', '2026-07-01T02:45:10.0000015Z', '2026-07-01T02:45:10.Z',
  '2026-07-01T02:45:10,5Z', '2026-07-01T02:45:10.5', '2026-07-01T02:45:10.5z', '2026-07-01T02:45:10.5Z ',
  '2026-07-01T02:45:10.5+02:00', '2026-07-01T02:45:10.5-05:30', '2026-07-01T02:45:10+23:59', '2026-07-01T02:45:10+24:00',
  '2026-07-01T02:45:10-00:00', '2026-07-01T02:45:10+0200', '2026-07-01T02:45:10+02:60', '2026-07-01T02:45:10.5+02:00Z',
  '2024-02-29T00:00:00Z', '2026-02-29T00:00:00Z', '2026-02-30T12:00:00Z', '2026-02-31T00:00:00Z', '2026-04-31T00:00:00Z',
  '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-32T00:00:00Z', '2026-01-01T24:00:00Z',
  '2026-01-01T24:00:01Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z',
  '1969-12-31T23:59:59.5Z', '2026-07-01 02:45:10Z', '2026-07-01t02:45:10Z', '2026-7-01T02:45:10Z', 'yesterday', '',
  '2026-07-01T02:45:1\\u0030Z', '2026-07-01T02:45:10.5\\u005a',
];

const TAG_OBJECTS = [
  'null', '{}', '{"a":"1"}', '{"a":1}', '{"a":null}', '{"a":{"b":"c"}}', '{"a":["x"]}', '{ "a" : "1" }', '{"a":"1"} ',
  '{"a":"x}y"}', '{"a":"say \\"hi\\"}"}', '{"a":"\\\\"}', '{"a":"\\\\\\"}"}', '{"a":"größe {ok}"}', '{"a":"\\u00fc"}',
  '{"a":"1","a":"2"}', '[]', '"str"', '1', 'nul', 'nullx', '{"a":"1"', '{}}', '{"b":"2","a":"1"}', '{"a":"1",}', 'true',
];

const METADATA = [
  ',"metadata":{"vu":"3","iter":"17"}', ',"metadata":{"vu":"4","iter":"18"}', ',"metadata":{}', ',"metadata":null',
  ',"metadata":xx', ',"metadata":', ',"metadata":{"a":"}}"}', ',"metadata":{},"extra":1', ',"extra":1', ',"metadata" :{}',
];

/** Every crafted line: each field's variants in the common layout, and lines of other layouts. */
function craftedLines(): string[] {
  const lines: string[] = [];
  for (const metric of NAMES) lines.push(point({ metric }));
  for (const value of VALUES) lines.push(point({ value }), point({ metric: '"vus"', value, tags: 'null' }));
  for (const time of TIMES) lines.push(point({ time }), point({ time, metric: '"iterations"' }));
  for (const tags of TAG_OBJECTS) {
    lines.push(point({ tags }));
    for (const after of METADATA) lines.push(point({ tags, after }));
  }
  // The same tags with and without metadata, one after another (the scanner's shortcuts).
  for (let i = 0; i < 4; i++) for (const after of ['', METADATA[0], METADATA[1], METADATA[2], '']) lines.push(point({ tags: TAGS, after, value: `${i}` }));
  lines.push(
    // other layouts and broken lines
    '{"type":"Metric","data":{"name":"my_trend","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"my_trend"}',
    point({ metric: '"my_trend"', value: '3.5' }),
    point({ metric: '"undeclared"', value: '2' }),
    '{"type":"Point","data":{"time":"2026-07-01T02:45:10.5Z","value":2.25,"tags":{"a":"1"}},"metric":"http_reqs"}',
    '{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":1,"tags":{"tag1":"val1"},"metadata":{"meta1":"foo"}},"metric":"my_metric1"}',
    '{"metric": "http_reqs", "type": "Point", "data": {"time": "2026-07-01T02:45:10Z", "value": 1, "tags": {}}}',
    '{"metric":"http_reqs","type":"Point","data":{"time":"2026-07-01T02:45:10Z","value":1}}',
    '{"metric":"http_reqs","type":"Point","data":{"time":"2026-07-01T02:45:10Z","value":1,"tags":{}},"extra":1}',
    '{"metric":"http_reqs","type":"Pointy","data":{"time":"2026-07-01T02:45:10Z","value":1,"tags":{}}}',
    '{"metric":"http_reqs","type":"Point","data":{"time":"2026-07-01T02:45:10Z","value":1,"tags":{}}}  ',
    '{"metric":"http_reqs","type":"Point","data":{"time":"2026-07-01T02:45:10Z","value":1,"tags":{}}}}',
    '{"metric":"',
    '{"type":"Foo"}',
    'not json at all',
    '[1,2]',
    '',
    '   ',
    '\r',
    '{"type":"Metric","data":{"name":"h","type":"histogram","contains":"time"},"metric":"h"}',
  );
  return lines;
}

describe('crafted lines', () => {
  it('every line alone: the same sample or the same problem', () => {
    for (const line of craftedLines()) expectSame(Buffer.from(`${point()}\n${line}\n${point({ value: '2' })}\n`, 'utf8'));
  });

  it('all of them in one file, and with CRLF line ends', () => {
    const lines = craftedLines();
    const lf = expectSame(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
    // Each way out of the fast path was taken, and the fast path too.
    expect(lf.counts.skipped).toBeGreaterThan(100);
    expect(lf.counts.used).toBeGreaterThan(300);
    expect(lf.problems.first.map((p) => p.message)).toContainEqual(expect.stringMatching(/^k6 ndjson: time `2026-13-01T00:00:00Z` is not RFC 3339 at line \d+$/));
    expectSame(Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8'));
  });

  it('bytes that are not UTF-8 in tag values and names', () => {
    const bad = Buffer.concat([Buffer.from(point({ tags: '{"a":"x' })), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}}\n')]);
    const name = Buffer.concat([Buffer.from('{"metric":"m'), Buffer.from([0xe9]), Buffer.from(point().slice(29)), Buffer.from('\n')]);
    expectSame(Buffer.concat([bad, name, bad]));
  });

  it('a cut-off last line, a whole last line without its newline, and a file of blank lines', () => {
    const whole = `${point()}\n${point({ value: '2' })}`;
    const js = expectSame(Buffer.from(`${whole}\n${point().slice(0, 120)}`));
    expect(js.problems.first).toContainEqual({ line: 3, message: 'k6 ndjson: the last line is cut off (k6 stopped while writing it?) at line 3' });
    expect(expectSame(Buffer.from(whole)).counts).toEqual({ lines: 2, used: 2, skipped: 0 });
    expect(expectSame(Buffer.from(`${whole}\r`)).counts).toEqual({ lines: 2, used: 2, skipped: 0 });
    expect(expectSame(Buffer.from(`${whole}\n\r`)).counts).toEqual({ lines: 3, used: 2, skipped: 0 });
    expect(expectSame(Buffer.from('\n\n\r\n')).counts).toEqual({ lines: 3, used: 0, skipped: 0 });
  });
});

// --- chunks ---------------------------------------------------------------------------------------

describe('lines across chunks', () => {
  const text = Buffer.from(
    [point(), point({ value: '1e5', after: METADATA[0] }), `${point({ time: '2026-07-01T02:45:11.5+02:00', value: '-0' })}\r`, 'not json', point({ tags: 'null' }), ''].join('\n'),
    'utf8',
  );

  it('cut at every byte', () => {
    for (let cut = 0; cut <= text.length; cut++) expectSame(text, [cut]);
  });

  it('cut twice at every pair of bytes a few apart, and into pieces of every size up to 40 bytes', () => {
    for (let cut = 0; cut + 7 <= text.length; cut += 3) expectSame(text, [cut, cut + 7]);
    for (let size = 1; size <= 40; size++) expectSame(text, Array.from({ length: Math.floor(text.length / size) }, (_, i) => (i + 1) * size));
  });

  it('lines longer than the scanner’s input area, and than a chunk', () => {
    const long = point({ tags: `{"a":"${'x'.repeat(3 << 20)}"}` });
    const bytes = Buffer.from(`${point()}\n${long}\n${long}\n${point()}\n`);
    expectSame(bytes);
    expectSame(bytes, Array.from({ length: 60 }, (_, i) => i * 131_072 + 5));
  });

  it('the same blocks through startBlock as a worker reads them: line numbers restart, caches stay', () => {
    const lines = craftedLines();
    const blocks = [lines.slice(0, 200), lines.slice(200, 400), lines.slice(400)].map((b) => Buffer.from(`${b.join('\n')}\n`));
    const run = (withScanner: boolean) => {
      const aggregator = new Aggregator();
      const reader = new NdjsonReader(aggregator, new ProblemLog('f'), { scanner: withScanner ? scanner : undefined });
      return blocks.map((block) => {
        const problems = new ProblemLog('f', 1000);
        reader.startBlock(problems);
        reader.push(block);
        return { lines: reader.lines, problems: problems.first, groups: view(aggregator).length };
      });
    };
    expect(run(true)).toEqual(run(false));
    const reader = new NdjsonReader(new Aggregator(), new ProblemLog('f'), { scanner });
    reader.push(Buffer.from(point().slice(0, 50)));
    expect(() => reader.startBlock(new ProblemLog('f'))).toThrow('k6 ndjson: a block must end with a whole line before the next one starts');
  });
});

// --- many tag sets, random data ---------------------------------------------------------------------

describe('tables', () => {
  it('thousands of tag sets and metrics (tables grow; tag sets past the limit fold into "other")', () => {
    const random = mulberry32(7);
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const id = Math.floor(random() * 6000);
      const metric = `"m${Math.floor(random() * 300)}"`;
      const value = (random() * 1000).toFixed(Math.floor(random() * 8));
      const ns = String(Math.floor(random() * 1e9)).padStart(9, '0').replace(/0+$/, '');
      lines.push(point({ metric, value, time: `2026-07-01T02:${String(10 + Math.floor(i / 1000)).padStart(2, '0')}:1${i % 10}${ns === '' ? '' : `.${ns}`}Z`, tags: `{"name":"/item/${id}","status":"200"}` }));
    }
    expectSame(Buffer.from(`${lines.join('\n')}\n`));
  });
});

// --- real k6 output ---------------------------------------------------------------------------------

const samplesDir = path.join(import.meta.dirname, '../../../results-samples');

/** The k6 NDJSON outputs in results-samples/ (gzip). */
function realOutputs(): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^k6\.json(\.gz)?$/.test(entry.name)) out.push(full);
    }
  };
  if (existsSync(samplesDir)) walk(samplesDir);
  return out.sort();
}

describe('real k6 output', () => {
  it('finds the outputs', () => {
    expect(realOutputs().length).toBeGreaterThanOrEqual(8);
  });

  it.each(realOutputs().map((file) => [path.relative(samplesDir, file), file]))('%s: the same aggregates and report, gzip and plain', async (_name, file) => {
    const load = async (input: string, wasm: boolean, workers = 1) => {
      const aggregator = new Aggregator();
      const report = await loadK6Ndjson(input, aggregator, { wasm, workers, blockBytes: 1 << 16 });
      return { report, groups: view(aggregator) };
    };
    const js = await load(file, false);
    expect(await load(file, true)).toEqual(js);
    const plain = path.join(dir, `${path.basename(path.dirname(file))}.json`);
    writeFileSync(plain, gunzipSync(readFileSync(file)));
    const plainJs = await load(plain, false);
    expect(await load(plain, true)).toEqual(plainJs);
    expect(plainJs.groups).toEqual(js.groups);
  });

  it('a real output with broken lines, threaded with the scanner against one thread without it', async () => {
    const lines = gunzipSync(readFileSync(realOutputs()[0] as string)).toString('utf8').trimEnd().split('\n');
    for (const [at, line] of [[100, 'not json'], [5000, point({ value: '1e400' })], [9000, point({ time: '2026-02-30T00:00:00Z' })], [12000, point({ metric: '"a\\"b"' })]] as const) lines.splice(at, 0, line);
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const rounded = (aggregator: Aggregator) =>
      view(aggregator)
        .map((g) => ({ ...g, buckets: g.buckets.map((b) => b.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v))).sort((a, b) => (a[0] as number) - (b[0] as number)), total: null, histogram: g.histogram?.slice(4) }))
        .sort((a, b) => (a.metric + a.key < b.metric + b.key ? -1 : 1));
    const one = new Aggregator();
    const sequential = await loadK6Ndjson(file, one, { wasm: false });
    const two = new Aggregator();
    const threaded = await loadK6Ndjson(file, two, { wasm: true, workers: 2, blockBytes: 1 << 16 });
    expect(threaded).toEqual(sequential);
    // The cut line and the escaped name (read by JSON.parse, and unknown); 1e400 and 02-30 are read.
    expect(sequential.problems.map((p) => p.line)).toEqual([101, 12001]);
    expect(rounded(two)).toEqual(rounded(one));
  });
});
