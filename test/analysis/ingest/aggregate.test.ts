/**
 * The aggregator: adaptive time resolution (exact coarsening, the same resolution whatever the order
 * the data came in), merges across resolutions, the transfer form for worker threads (checked on a
 * real k6 output split in two), and the tag-set limit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Aggregator, coarserBucketMs, groupTotals, OTHER_NAME, type AggregatorTransfer, type SeriesGroup } from '../../../analysis/ingest/aggregate.ts';
import { loadK6Ndjson } from '../../../analysis/ingest/k6-ndjson.ts';
import type { Tags } from '../../../analysis/ingest/sink.ts';
import { mulberry32 } from '../../../analysis/stats/random.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aggregate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 19, 8, 0, 0);

/** Feeds `samples` ([metric, ms, value, tags]) into `aggregator`, with the tag text as its key, as loaders do. */
function feed(aggregator: Aggregator, samples: readonly (readonly [string, number, number, Tags])[]): Aggregator {
  for (const [metric, timeMs, value, tags] of samples) aggregator.sample(metric, timeMs, value, JSON.stringify(tags), () => tags);
  return aggregator;
}

/** Everything a group holds, in a comparable form (sums rounded: their float rounding depends on order). */
function snapshot(aggregator: Aggregator): unknown {
  const r = (v: number): number => Math.round(v * 1e6) / 1e6;
  return {
    bucketMs: aggregator.bucketMs,
    // In a stable order: the order groups were first seen in depends on the order of the samples.
    groups: [...aggregator.groups()].sort((a, b) => (a.metric + a.tagsKey < b.metric + b.tagsKey ? -1 : 1)).map((g: SeriesGroup) => ({
      metric: g.metric,
      tags: g.tags,
      type: g.type,
      other: g.other,
      folded: [...g.foldedKeys].sort(),
      firstMs: g.firstMs,
      lastMs: g.lastMs,
      buckets: [...g.buckets]
        .sort(([a], [b]) => a - b)
        .map(([bucket, s]) => [bucket, s.count, r(s.sum), s.min, s.max, s.nonzero, s.last, s.lastTimeMs, s.hist === null ? null : [s.hist.count, s.hist.buckets()]]),
      histogram: g.histogram === null ? null : [g.histogram.count, g.histogram.min, g.histogram.max, r(g.histogram.sum), g.histogram.buckets()],
      total: g.total === null ? null : { ...g.total, sum: r(g.total.sum) },
    })),
  };
}

// One hour of http_req_duration and http_reqs at 10/s from two endpoints, log-normal-ish, seeded.
function hourOfSamples(): [string, number, number, Tags][] {
  const random = mulberry32(3);
  const out: [string, number, number, Tags][] = [];
  for (let ms = 0; ms < 3_600_000; ms += 100) {
    const tags = { name: random() < 0.8 ? '/predict' : '/health', run_id: 'r1' };
    out.push(['http_req_duration', T0 + ms, Math.exp(2 + random()), tags], ['http_reqs', T0 + ms, 1, tags]);
  }
  return out;
}

describe('adaptive time resolution', () => {
  it('steps through whole multiples: 1 s → 2 s → 10 s → 30 s → 60 s → 120 s → 600 s', () => {
    const steps = [1000];
    while (steps.length < 7) steps.push(coarserBucketMs(steps[steps.length - 1] as number));
    expect(steps).toEqual([1000, 2000, 10_000, 30_000, 60_000, 120_000, 600_000]);
    // A bucket the ladder does not know moves to the next step it divides, else doubles.
    expect([coarserBucketMs(3000), coarserBucketMs(7000)]).toEqual([30_000, 14_000]);
  });

  it('coarsens a run past the budget, exactly as if it had been read at the coarser resolution', () => {
    const samples = hourOfSamples();
    const adaptive = feed(new Aggregator(), samples);
    // 3600 one-second buckets pass the budget of 2000; 1800 two-second ones fit.
    expect(adaptive.bucketMs).toBe(2000);
    expect(Math.max(...adaptive.groups().map((g) => g.buckets.size))).toBe(1800);
    expect(snapshot(adaptive)).toEqual(snapshot(feed(new Aggregator({ bucketMs: 2000 }), samples)));
  });

  it('reaches the same resolution and buckets whatever the order of the samples', () => {
    const samples = hourOfSamples();
    const random = mulberry32(11);
    const shuffled = samples.map((s) => [random(), s] as const).sort((a, b) => a[0] - b[0]).map(([, s]) => s);
    const budget = { bucketBudget: 100 };
    const inOrder = feed(new Aggregator(budget), samples);
    expect(inOrder.bucketMs).toBe(60_000);
    expect(snapshot(feed(new Aggregator(budget), shuffled))).toEqual(snapshot(inOrder));
  });

  it('keeps all groups together under the total budget (each group\'s first bucket not counted)', () => {
    // 30 groups of 100 s each: 3000 buckets, 2970 beyond the first of each; 2 s buckets make 1470.
    const samples: [string, number, number, Tags][] = [];
    for (let g = 0; g < 30; g++) for (let s = 0; s < 100; s++) samples.push(['http_reqs', T0 + s * 1000, 1, { name: `/e${g}` }]);
    expect(feed(new Aggregator({ totalBucketBudget: 2000 }), samples).bucketMs).toBe(2000);
    expect(feed(new Aggregator({ totalBucketBudget: 2970 }), samples).bucketMs).toBe(1000);
  });

  it('coarsens to a lower total budget when asked (a run\'s share of an analysis of many runs)', () => {
    const samples = hourOfSamples();
    const a = feed(new Aggregator(), samples);
    // 4 groups of 1800 two-second buckets: 7196 beyond their first; 360 ten-second ones make 1436.
    a.limitTotal(2000);
    expect([a.bucketMs, a.totalBucketBudget]).toEqual([10_000, 2000]);
    expect(snapshot(a)).toEqual(snapshot(feed(new Aggregator({ bucketMs: 10_000 }), samples)));
    expect(() => a.limitTotal(0)).toThrow('aggregate: total bucket budget `0` is not valid: expected at least 1');
  });

  it('merges aggregators of different resolutions at the coarser one, exactly', () => {
    const samples = hourOfSamples();
    const first = feed(new Aggregator(), samples.filter(([, ms]) => ms < T0 + 600_000));
    const rest = feed(new Aggregator(), samples.filter(([, ms]) => ms >= T0 + 600_000));
    expect([first.bucketMs, rest.bucketMs]).toEqual([1000, 2000]);
    const merged = new Aggregator();
    merged.merge(first);
    merged.merge(rest);
    expect(snapshot(merged)).toEqual(snapshot(feed(new Aggregator(), samples)));
    // The parts are left as they were.
    expect(first.bucketMs).toBe(1000);
  });

  it('refuses a resolution that is not a whole multiple, naming both', () => {
    const a = feed(new Aggregator(), [['http_reqs', T0, 1, {}]]);
    expect(() => a.coarsenTo(1500)).toThrow('aggregate: cannot coarsen 1000 ms buckets to `1500` ms: expected a whole multiple');
    expect(() => new Aggregator({ bucketMs: 0 })).toThrow('aggregate: bucket `0` ms is not valid: expected a whole number of ms > 0');
  });

  it('keeps per-bucket histograms (α = 0.5%) only for trends looked at over time, and a whole-run one (α = 0.1%) for every trend', () => {
    const a = feed(new Aggregator(), [
      ['http_req_duration', T0, 12, {}],
      ['http_req_waiting', T0, 11, {}],
      ['http_req_waiting', T0 + 5000, 13, {}],
      ['my_trend', T0, 3, {}],
      ['http_reqs', T0, 1, {}],
    ]);
    const of = (metric: string) => a.groups().find((g) => g.metric === metric) as SeriesGroup;
    const bucket = (metric: string) => [...of(metric).buckets.values()][0];
    expect([bucket('http_req_duration')?.hist?.alpha, bucket('my_trend')?.hist?.alpha, bucket('http_reqs')?.hist]).toEqual([0.005, 0.005, null]);
    expect([of('http_req_duration').histogram?.alpha, of('http_req_waiting').histogram?.alpha, of('http_reqs').histogram]).toEqual([0.001, 0.001, null]);
    // The phases of a request keep no time buckets: their whole-run numbers only.
    const waiting = of('http_req_waiting');
    expect([waiting.timed, waiting.buckets.size, waiting.firstMs - T0, waiting.lastMs - T0]).toEqual([false, 0, 0, 5000]);
    expect(groupTotals(waiting)).toEqual({ count: 2, sum: 24, min: 11, max: 13, nonzero: 2, last: 13, lastTimeMs: T0 + 5000, hist: null });
    expect(groupTotals(of('http_reqs'))).toEqual({ count: 1, sum: 1, min: 1, max: 1, nonzero: 1, last: 1, lastTimeMs: T0, hist: null });
  });
});

describe('transfer (worker threads)', () => {
  // A real k6 output (results-samples/demo, README there: k6 v2.2.0, 2026-12-01), cut in two at a line.
  const real = 'results-samples/demo/r2-tps-350/k6.json.gz';

  it('a real k6 output split in two, each half aggregated, transferred and merged, equals the whole', async () => {
    const lines = gunzipSync(readFileSync(real)).toString('utf8').split('\n');
    const cut = Math.floor(lines.length / 2);
    const whole = path.join(dir, 'whole.json');
    const halves = [path.join(dir, 'a.json'), path.join(dir, 'b.json')];
    writeFileSync(whole, lines.join('\n'));
    writeFileSync(halves[0] as string, lines.slice(0, cut).join('\n'));
    writeFileSync(halves[1] as string, lines.slice(cut).join('\n'));
    // A small budget, so that the halves (about 7 s each) and the whole (15 s) end at different resolutions.
    const options = { bucketBudget: 5 };
    const expected = new Aggregator(options);
    await loadK6Ndjson(whole, expected);
    const merged = new Aggregator(options);
    const parts: number[] = [];
    for (const half of halves) {
      const part = new Aggregator(options);
      await loadK6Ndjson(half, part);
      parts.push(part.bucketMs);
      // What a worker posts: a structured clone of the transfer form.
      const data = structuredClone(part.toTransfer());
      expect(snapshot(Aggregator.fromTransfer(data))).toEqual(snapshot(part));
      merged.merge(Aggregator.fromTransfer(data));
    }
    expect(parts).toEqual([2000, 2000]);
    expect(expected.bucketMs).toBe(10_000);
    expect(snapshot(merged)).toEqual(snapshot(expected));
    expect(merged.groups().length).toBeGreaterThan(20);
  });

  it('is plain data: objects, strings, numbers and Float64Arrays only', () => {
    const a = feed(new Aggregator({ maxTagSets: 1 }), [
      ['http_req_duration', T0, 12, { name: '/a' }],
      ['http_req_duration', T0 + 1500, 14, { name: '/b' }],
    ]);
    const data: AggregatorTransfer = a.toTransfer();
    const kinds = new Set<string>();
    const walk = (v: unknown): void => {
      if (v instanceof Float64Array) kinds.add('Float64Array');
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
        Object.values(v).forEach(walk);
      } else kinds.add(typeof v);
    };
    walk(data);
    expect([...kinds].sort()).toEqual(['Float64Array', 'boolean', 'number', 'string']);
    expect(data.groups.map((g) => [g.metric, g.tags, g.other, g.foldedKeys, g.stats.length])).toEqual([
      ['http_req_duration', { name: '/a' }, false, [], 9],
      ['http_req_duration', { name: OTHER_NAME }, true, ['{"name":"/b"}'], 9],
    ]);
    expect(() => Aggregator.fromTransfer({ ...data, version: 2 } as unknown as AggregatorTransfer)).toThrow('aggregate: transfer version `2` is not known: expected 1');
  });
});

describe('tag-set limit', () => {
  const users = (n: number, perUser: number): [string, number, number, Tags][] =>
    Array.from({ length: n * perUser }, (_, i) => ['http_reqs', T0 + i * 10, 1, { name: `http://127.0.0.1:8080/users/${i % n}`, method: 'GET', run_id: 'r1', status: '200' }] as [string, number, number, Tags]);

  it('folds tag sets past the limit into one "other" group per metric, keeping the run\'s own tags', () => {
    const a = feed(new Aggregator({ maxTagSets: 3 }), users(10, 4));
    const groups = a.groups();
    expect(groups.map((g) => [g.tags.name, g.other, [...g.buckets.values()].reduce((n, s) => n + s.count, 0)])).toEqual([
      ['http://127.0.0.1:8080/users/0', false, 4],
      ['http://127.0.0.1:8080/users/1', false, 4],
      ['http://127.0.0.1:8080/users/2', false, 4],
      [OTHER_NAME, true, 28],
    ]);
    expect(groups[3]?.tags).toEqual({ run_id: 'r1', name: OTHER_NAME });
    expect(a.folded()).toEqual([{ metric: 'http_reqs', tagSets: 7, atLeast: false, samples: 28 }]);
  });

  it('merges the "other" groups of two aggregators, counting each folded tag set once', () => {
    const samples = users(10, 4);
    const a = feed(new Aggregator({ maxTagSets: 3 }), samples.slice(0, 20));
    const b = feed(new Aggregator({ maxTagSets: 3 }), samples.slice(20));
    a.merge(b);
    expect(snapshot(a)).toEqual(snapshot(feed(new Aggregator({ maxTagSets: 3 }), samples)));
    expect(a.folded()).toEqual([{ metric: 'http_reqs', tagSets: 7, atLeast: false, samples: 28 }]);
  });

  it('counts the samples folded into a group without time buckets (a phase of a request)', () => {
    const samples = users(6, 2).map(([, ms, , tags]) => ['http_req_waiting', ms, 4, tags] as [string, number, number, Tags]);
    const a = feed(new Aggregator({ maxTagSets: 2 }), samples);
    expect(a.folded()).toEqual([{ metric: 'http_req_waiting', tagSets: 4, atLeast: false, samples: 8 }]);
  });

  it('counts nothing folded under the limit', () => {
    expect(feed(new Aggregator(), users(10, 2)).folded()).toEqual([]);
  });
});
