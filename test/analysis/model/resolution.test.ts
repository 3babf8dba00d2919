/**
 * A run long enough to get coarser time buckets than 1 s, through everything downstream: the series
 * (rates per second, `bucket_s`), the steady window and its warm-up, comparison windows (whole
 * buckets), the HPA's offered rate, the Method note; and a run with more tag sets than the limit,
 * through its finding.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisContext } from '../../../analysis/analyses/context.ts';
import { windowFor } from '../../../analysis/analyses/compare.ts';
import { loadSeries } from '../../../analysis/analyses/hpa.ts';
import { methodAnalysis } from '../../../analysis/analyses/method.ts';
import { analyze, type Analysis } from '../../../analysis/analyze.ts';
import { steadyNumbers, windowSamples } from '../../../analysis/model/steady.ts';
import { plain } from '../../../analysis/report/text.ts';
import { DECLARATIONS, requestLines } from '../../helpers/k6-lines.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'resolution-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 2026-11-19 08:00:00 UTC: a whole number of 2 s (and 10 s) buckets since the epoch.
const T0 = Date.UTC(2026, 10, 19, 8, 0, 0);
const SECONDS = 2400;

describe('a 40-minute run at 2 req/s', () => {
  let analysis: Analysis;
  beforeAll(async () => {
    const lines = [...DECLARATIONS];
    // Two requests a second, at .25 s and .75 s of each second: 2400 one-second buckets pass the
    // budget of 2000, so the run gets 2 s buckets, 4 requests each.
    for (let s = 0; s < SECONDS; s++) {
      for (const offset of [250, 750]) lines.push(...requestLines({ timeMs: T0 + s * 1000 + offset, durationMs: 10 + (s % 7), tags: { run_id: 'long', scenario: 'constant', level: '2' } }));
    }
    const file = path.join(dir, 'long.json');
    writeFileSync(file, `${lines.join('\n')}\n`);
    analysis = await analyze([file]);
  });
  const run = () => analysis.runs[0] as Analysis['runs'][number];

  it('has 2 s buckets, and its series gives rates per second with the bucket in `bucket_s`', () => {
    expect(run().aggregator?.bucketMs).toBe(2000);
    const rows = analysis.tables.series().objects() as { t: number; requests: number; rps: number; bucket_s: number }[];
    expect(rows.length).toBe(1200);
    expect(rows.slice(0, 3).map((r) => [r.t, r.requests, r.rps, r.bucket_s])).toEqual([
      [0, 4, 2, 2],
      [2, 4, 2, 2],
      [4, 4, 2, 2],
    ]);
  });

  it('cuts the steady window in whole 2 s buckets: 60 s of warm-up, the last bucket left out', () => {
    const steady = steadyNumbers(run());
    // The warm-up is 10% of 2399.5 s, at most 60 s: 30 buckets; 1200 − 30 − 1 = 1169 buckets remain.
    expect([steady?.warmup_s, steady?.duration_s, steady?.requests, steady?.rps, steady?.from_ms]).toEqual([60, 2338, 4676, 2, T0 + 60_000]);
  });

  it('makes comparison windows of whole buckets: 5 s asked gives 6 s', () => {
    const windows = windowSamples(run(), { windowMs: 5000 });
    // 1169 buckets in windows of 3: 389 windows of 12 requests over 6 s.
    expect(windows.length).toBe(389);
    expect(windows.slice(0, 2).map((w) => [w.from_ms - T0, w.requests, w.rps])).toEqual([
      [60_000, 12, 2],
      [66_000, 12, 2],
    ]);
    // The automatic choice takes only multiples of the bucket: 10 s where 1 s buckets allow 5 s.
    expect([windowFor(50, 600), windowFor(50, 600, 2), windowFor(50, 600, 120)]).toEqual([5000, 10_000, 120_000]);
  });

  it('gives the HPA analysis the offered rate per second, not per bucket', () => {
    const load = loadSeries(analysisContext(analysis));
    expect(load.slice(0, 2).map((p) => [p.timeMs - T0, p.offeredRate, p.rps])).toEqual([
      [0, 2, 2],
      [2000, 2, 2],
    ]);
  });

  it('says in the Method section which run has coarser buckets', () => {
    const notes = methodAnalysis.run(analysisContext(analysis))?.notes.map(plain) ?? [];
    expect(notes[1]).toBe(
      'Time buckets are 1 s, except: long.json 2 s. A run keeps at most 2000 buckets per metric and tag set, and the runs of an analysis 100000 together (an equal share each, at least 2000), so a longer run gets coarser ones (2 s, 10 s, 30 s, 60 s …, merged exactly); its series, windows and warm-up are whole buckets, and rates stay per second.',
    );
  });
});

describe('a run with a URL per user id', () => {
  it('folds the tag sets past the limit into "(other)" and says so in a finding, naming the `name` tag', async () => {
    const lines = [...DECLARATIONS];
    for (let i = 0; i < 40; i++) lines.push(...requestLines({ timeMs: T0 + i * 100, durationMs: 5, tags: { run_id: 'ids', name: `http://127.0.0.1:8080/users/${i % 8}`, url: `http://127.0.0.1:8080/users/${i % 8}` } }));
    const file = path.join(dir, 'ids.json');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await analyze([file], { maxTagSets: 3 });
    const found = result.findings.find((f) => f.id === 'tag-sets-folded:ids');
    expect([found?.severity, plain(found?.title ?? []), plain(found?.detail ?? [])]).toEqual([
      'warn',
      'ids.json: too many tag sets, 4 metrics folded into "(other)"',
      "past 3 tag sets per metric (`--max-tag-sets N`), further ones were folded into one group per metric with `name` `(other)`: `http_reqs`, `http_req_duration`, `http_req_failed`, `iterations`: 5 tag sets (25 samples each). Their samples still count in the run's totals and percentiles, but not per endpoint. URLs with ids make one tag set per id: use k6's `name` tag (URL grouping: `http.url` template literals, or `tags: { name: '/users/{id}' }` on the request)",
    ]);
    // Nothing is lost: every request still counts.
    expect(result.results[0]?.numbers.requests).toBe(40);
    expect((await analyze([file])).findings.some((f) => f.kind === 'tag-sets-folded')).toBe(false);
  });
});
