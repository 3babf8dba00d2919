/**
 * The comparison on generated runs with known distributions (seeded, so every number below is
 * reproducible): a 40% slower candidate is `worse`, two draws of one distribution are `no-change`,
 * incomparable runs are refused with their reason, and the Markdown of a comparison is exact.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareSides, comparisonSection, type Side } from '../../../analysis/analyses/compare.ts';
import { analysisContext } from '../../../analysis/analyses/context.ts';
import { analyze } from '../../../analysis/analyze.ts';
import { renderMarkdown } from '../../../analysis/report/markdown.ts';
import { holm } from '../../../analysis/stats/holm.ts';
import { mannWhitneyU } from '../../../analysis/stats/mann-whitney-u.ts';
import { gaussian, mulberry32 } from '../../../analysis/stats/random.ts';
import { DECLARATIONS, requestLines } from '../../helpers/k6-lines.ts';
import { T0 } from '../../helpers/sweep-fixture.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A run of `level` requests/s for `seconds`, latencies lognormal around `medianMs` (σ 0.25), seeded. */
async function side(name: string, options: { seed: number; medianMs: number; level?: number; seconds?: number; scenario?: string }): Promise<Side> {
  const { seed, medianMs, level = 100, seconds = 20, scenario = 'constant' } = options;
  const random = mulberry32(seed);
  const lines = [...DECLARATIONS];
  const tags = { run_id: name, level: String(level), scenario };
  for (let i = 0; i < level * seconds; i++) {
    lines.push(...requestLines({ timeMs: T0 + Math.floor((i * 1000) / level), durationMs: medianMs * Math.exp(0.25 * gaussian(random)), tags }));
  }
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'k6.json'), `${lines.join('\n')}\n`);
  return { label: name, context: analysisContext(await analyze([dir])) };
}

describe('compareSides', () => {
  it('finds a 40% slower candidate worse in p50, p95 and p99, and the rate and errors unchanged', async () => {
    const { comparisons } = compareSides(await side('base', { seed: 1, medianMs: 10 }), await side('slow', { seed: 2, medianMs: 14 }));
    expect(comparisons.map((c) => [c.metric, c.verdict])).toEqual([
      ['p50_ms', 'worse'],
      ['p95_ms', 'worse'],
      ['p99_ms', 'worse'],
      ['rps', 'no-change'],
      ['error_rate', 'no-change'],
    ]);
    const p50 = comparisons[0];
    // 20 s at 100/s: a 2 s warm-up and the last second leave 17 s; 200 requests take 2 s, 8 windows of 2 s fit.
    expect(p50).toMatchObject({ window_s: 2, level: 100, replicas: null });
    expect(p50?.baseline_samples).toHaveLength(8);
    expect(p50?.delta_pct).toBeGreaterThan(35);
    expect(p50?.delta_pct).toBeLessThan(45);
    // Anyone can re-check a verdict from analysis.json: the test over the recorded samples gives the
    // recorded p, and Holm over the recorded p-values the adjusted ones.
    for (const c of comparisons) {
      const test = mannWhitneyU(c.candidate_samples, c.baseline_samples);
      expect(c.p_value).toBe(test.p);
      expect(c.test).toBe(test.method === 'exact' ? 'mann-whitney-u-exact' : 'mann-whitney-u-normal');
    }
    expect(comparisons.map((c) => c.p_adjusted)).toEqual(holm(comparisons.map((c) => c.p_value as number)));
  });

  it('finds two draws of one distribution unchanged', async () => {
    const { comparisons } = compareSides(await side('same-1', { seed: 3, medianMs: 10 }), await side('same-2', { seed: 4, medianMs: 10 }));
    expect(comparisons.map((c) => c.verdict)).toEqual(['no-change', 'no-change', 'no-change', 'no-change', 'no-change']);
  });

  it('calls a significant change below --min-effect no change, and says why', async () => {
    const { comparisons } = compareSides(await side('fast', { seed: 5, medianMs: 10 }), await side('a-bit-slower', { seed: 6, medianMs: 10.6 }), { minEffect: 0.1 });
    const p50 = comparisons[0];
    expect(p50?.verdict).toBe('no-change');
    expect(p50?.p_adjusted).toBeLessThan(0.05);
    expect(p50?.reason).toBe('significant but below the practical threshold of 10%');
  });

  it('refuses runs of different durations or executors, with the reason', async () => {
    const long = await side('long', { seed: 7, medianMs: 10, seconds: 20 });
    const short = await side('short', { seed: 8, medianMs: 10, seconds: 12 });
    expect(compareSides(long, short).comparisons.map((c) => [c.verdict, c.reason])[0]).toEqual(['not-comparable', 'different durations: 20 s against 12 s']);
    const ramp = await side('ramp', { seed: 9, medianMs: 10, scenario: 'ramp' });
    expect(compareSides(long, ramp).comparisons[0]?.reason).toBe('different executors: scenario `constant` against `ramp`');
  });
});

describe('the comparison section', () => {
  it('renders exactly', async () => {
    const section = comparisonSection(await side('before', { seed: 1, medianMs: 10 }), await side('after', { seed: 2, medianMs: 13 }));
    expect(renderMarkdown({ title: 'Comparison', cells: [{ kind: 'section', section }] })).toBe(EXPECTED_MARKDOWN);
  });
});

// Every number follows from the seeded samples; the notes are the method, stated in each report.
const EXPECTED_MARKDOWN = [
  "# Comparison",
  "",
  "## Comparison: after against before",
  "",
  "2 worse, 0 better, 3 without significant change; worst: p50 at 100 req/s: 10.0 ms → 13.1 ms (+31%, 95% CI +26% to +35%, p = 0.0037).",
  "",
  "* **fail** after is worse than before: p50 at 100 req/s: 10.0 ms → 13.1 ms (+31%, 95% CI +26% to +35%, p = 0.0037)",
  "* **fail** after is worse than before: p95 at 100 req/s: 14.8 ms → 19.2 ms (+30%, 95% CI +24% to +32%, p = 0.0037)",
  "",
  "| Level /s | Metric        |  Baseline | Candidate | Change |       95% CI | p (Holm) | Verdict               |",
  "| -------: | :------------ | --------: | --------: | -----: | -----------: | -------: | :-------------------- |",
  "|      100 | p50           |   10.0 ms |   13.1 ms |   +31% | +26% to +35% |   0.0037 | `worse`               |",
  "|      100 | p95           |   14.8 ms |   19.2 ms |   +30% | +24% to +32% |   0.0037 | `worse`               |",
  "|      100 | p99           |   17.2 ms |   22.8 ms |   +32% | +26% to +39% |   7.8e-4 | no significant change |",
  "|      100 | achieved rate | 100 req/s | 100 req/s |   0.0% | 0.0% to 0.0% |        1 | no significant change |",
  "|      100 | error rate    |     0.00% |     0.00% |      — |            — |        1 | no significant change |",
  "",
  "Chart: [Change per level with its 95% interval — before → after](charts/comparison-after-deltas.svg) (Vega-Lite: charts/comparison-after-deltas.vl.json)",
  "",
  "* Each matched level's steady state (warm-up and the last second left out) is cut into windows (2 s: the shortest of 1, 2, 5, 10, 15, 30 or 60 s holding at least 200 requests, short enough for 8 windows; `--window D` sets it). Per window: p50, p95, p99, achieved rate, error rate.",
  "* Test: two-sided Mann–Whitney U over the windows (exact without ties and under 50 windows a side, else the normal approximation with tie and continuity correction; Mann & Whitney 1947), as benchstat does. Interval: the Hodges–Lehmann shift's distribution-free confidence interval (Moses; Bauer 1972), relative to the baseline windows' median. Change: the steady-state values, candidate ÷ baseline − 1.",
  "* Verdict `better` or `worse` only when p < 0.05 (`--alpha`) after Holm's adjustment over the 5 tests of the comparison (Holm 1979: for independent windows, the chance of any false verdict among them stays at 5%) and the change is at least the practical threshold: 10% for p50 and the rate, 25% for p95, 35% for p99 (`--min-effect` sets one for all; for the error rate 0.1% absolute); otherwise `no-change`. `not-comparable` when the executor, the duration (by more than 10%) or the per-replica resources differ.",
  "* Windows of one run are not independent draws of a deployment (background load, caches, the machine): the test says whether these two runs differ. Before calling a change real, repeat the runs.",
  "",
].join('\n');
