/**
 * The threaded NDJSON reader gives what the single-threaded one gives: the same aggregates, line
 * counts and problems (with the file's own line numbers), on real k6 output cut into many small
 * blocks, with broken lines, a metric declared in one block and used in later ones, an undeclared
 * metric, and a gzip stream cut off mid-way.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Aggregator } from '../../../analysis/ingest/aggregate.ts';
import { loadK6Ndjson } from '../../../analysis/ingest/k6-ndjson.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-ndjson-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A real k6 v2.2.0 output of the demo sweep (results-samples/demo/README.md says how it was made).
const real = gunzipSync(readFileSync(path.join(import.meta.dirname, '../../../results-samples/demo/r1-tps-150/k6.json.gz'))).toString('utf8');
const realLines = real.trimEnd().split('\n');

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Every group's buckets and whole-run percentiles, in a form `toEqual` compares. */
function view(aggregator: Aggregator) {
  return aggregator
    .groups()
    .map((g) => ({
      metric: g.metric,
      tags: g.tagsKey,
      type: g.type,
      firstMs: g.firstMs,
      lastMs: g.lastMs,
      buckets: [...g.buckets]
        .sort((a, b) => a[0] - b[0])
        .map(([index, s]) => ({
          index,
          count: s.count,
          // Float sums depend on the order they were added in: equal to 12 digits.
          sum: Number(s.sum.toPrecision(12)),
          min: s.min,
          max: s.max,
          nonzero: s.nonzero,
          last: s.last,
          p95: s.hist?.quantile(0.95) ?? null,
        })),
      p50: g.histogram?.quantile(0.5) ?? null,
      p99: g.histogram?.quantile(0.99) ?? null,
    }))
    .sort((a, b) => (a.metric + a.tags < b.metric + b.tags ? -1 : 1));
}

async function both(file: string) {
  const one = new Aggregator();
  const sequential = await loadK6Ndjson(file, one, { workers: 1 });
  const two = new Aggregator();
  // 64 KiB blocks: this 6 MB file becomes about a hundred blocks over two threads.
  const threaded = await loadK6Ndjson(file, two, { workers: 2, blockBytes: 1 << 16 });
  return { sequential, threaded, one: view(one), two: view(two) };
}

describe('threaded NDJSON reader', () => {
  it('gives the same aggregates as one thread on real k6 output', async () => {
    const { sequential, threaded, one, two } = await both(write('real.json', real));
    expect(threaded).toEqual(sequential);
    expect(sequential).toMatchObject({ lines: 23439, skipped: 0, problems_total: 0 });
    expect(two).toEqual(one);
    expect(one.reduce((n, g) => n + g.buckets.length, 0)).toBeGreaterThan(100);
  });

  it('reports broken lines, an undeclared metric and a late-used declaration at the lines of the file', async () => {
    const lines = [...realLines];
    const trend = realLines.find((l) => l.startsWith('{"metric":"http_req_duration","type":"Point"'));
    expect(trend).toBeDefined();
    // A custom trend declared near the top, its points far below (other blocks, other threads).
    lines.splice(3, 0, '{"type":"Metric","data":{"name":"queue_wait","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"queue_wait"}');
    for (const at of [9000, 15000, 21000]) lines.splice(at, 0, (trend as string).replace('"http_req_duration"', '"queue_wait"'));
    // Index i of the array is line i + 1 of the file.
    lines.splice(12000, 0, '{"metric":"http_reqs","type":"Point","data":{"time":"yesterday","value":1,"tags":null}}');
    lines.splice(18000, 0, 'not json');
    lines.splice(20000, 0, (trend as string).replace('"http_req_duration"', '"undeclared_trend"'));
    const { sequential, threaded, one, two } = await both(write('broken.json', `${lines.join('\n')}\n`));
    expect(threaded).toEqual(sequential);
    expect(sequential.problems.map((p) => p.line)).toEqual([12001, 18001, 20001]);
    expect(threaded.problems[2]?.message).toBe(
      'k6 ndjson: metric `undeclared_trend` has no Metric line and is not a k6 built-in: its samples are kept with an unknown type at line 20001',
    );
    expect(threaded.problems[0]?.message).toBe('k6 ndjson: time `yesterday` is not RFC 3339 at line 12001');
    expect(threaded).toMatchObject({ lines: 23439 + 7, skipped: 2, problems_total: 3 });
    expect(two.find((g) => g.metric === 'queue_wait')?.type).toBe('trend');
    expect(two).toEqual(one);
  });

  it('keeps everything before the cut of a truncated gzip stream, and says after which line', async () => {
    const gz = gzipSync(Buffer.from(real));
    const { sequential, threaded, one, two } = await both(write('cut.json.gz', gz.subarray(0, Math.floor(gz.length * 0.6))));
    expect(threaded).toEqual(sequential);
    expect(threaded.problems.at(-1)?.message).toMatch(/^k6 ndjson: the gzip stream of `.*cut\.json\.gz` ends early, after line \d+: the data up to there is used$/);
    expect(threaded.lines).toBeGreaterThan(10000);
    expect(two).toEqual(one);
  });
});
