/**
 * The committed demo run (results-samples/demo, see results-samples/README.md) is analysed like any
 * user's run. The data is fixed, so its verdicts are exact: one replica holds 250 req/s and breaks
 * at 350, two hold every level.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capacityAnalysis } from '../analysis/analyses/capacity.ts';
import { analysisContext } from '../analysis/analyses/context.ts';
import { analyze } from '../analysis/analyze.ts';
import { plain } from '../analysis/report/text.ts';
import { repoRoot } from '../scripts/lib/cli.ts';

describe('results-samples/demo', () => {
  it('is eight runs of the demo matrix, read without problems, with the replicas and k6 sampled', async () => {
    const analysis = await analyze([path.join(repoRoot, 'results-samples', 'demo')]);
    expect(analysis.results.map(({ run }) => [run.label, run.replicas, run.level])).toEqual([
      ['r1-tps-50', 1, 50],
      ['r1-tps-150', 1, 150],
      ['r1-tps-250', 1, 250],
      ['r1-tps-350', 1, 350],
      ['r2-tps-50', 2, 50],
      ['r2-tps-150', 2, 150],
      ['r2-tps-250', 2, 250],
      ['r2-tps-350', 2, 350],
    ]);
    expect(analysis.inputs.every((input) => input.problems_total === 0)).toBe(true);
    const pods = analysis.tables.resources().objects() as { run: string; pod: string }[];
    expect([...new Set(pods.filter((p) => p.run.endsWith('r2-tps-350')).map((p) => p.pod))].sort()).toEqual(['sample-replica-0', 'sample-replica-1']);
    for (const run of analysis.runs) expect(run.snapshots.some((s) => (s.loadgen ?? []).length > 0), run.label).toBe(true);
  });

  it('shows the knee of one replica and the capacity of each replica count', async () => {
    const context = analysisContext(await analyze([path.join(repoRoot, 'results-samples', 'demo')]));
    const section = capacityAnalysis.run(context);
    const data = section?.data as { sweep: string; max_sustainable: { level: number } | null; knee: { level: number } | null; points: { level: number; ok: boolean; violations: string[] }[] }[];
    expect(data.map((c) => [c.sweep, c.max_sustainable?.level, c.knee?.level])).toEqual([
      ['demo-sample/r1', 250, 250],
      ['demo-sample/r2', 350, 250],
    ]);
    expect(data[0]?.points.map((p) => [p.level, p.ok, p.violations])).toEqual([
      [50, true, []],
      [150, true, []],
      [250, true, []],
      [350, false, ['p95', 'achieved', 'dropped']],
    ]);
    expect(section?.summary.map(plain)).toEqual([
      'demo-sample · 1 replica holds 250 req/s under p95 < 500 ms, errors < 1%; at 350 req/s p95 is 8112 ms, it achieved only 249.1 req/s (71.17% of offered), k6 dropped 808 iterations.',
      'demo-sample · 2 replicas hold every level up to 350 req/s (the highest tested) under p95 < 500 ms, errors < 1%; its capacity is above that: add higher levels to find the limit.',
    ]);
  });
});
