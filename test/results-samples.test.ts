/**
 * The committed demo run (results-samples/demo, see its README) is analysed like any user's run.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis/analyze.ts';
import { repoRoot } from '../scripts/lib/cli.ts';

describe('results-samples/demo', () => {
  it('analyses to six held levels with resource data for every replica', async () => {
    const analysis = await analyze([path.join(repoRoot, 'results-samples', 'demo')]);
    expect(analysis.results.map(({ run }) => [run.label, run.replicas, run.level, run.status])).toEqual([
      ['r1-tps-50', 1, 50, 'ok'],
      ['r1-tps-200', 1, 200, 'ok'],
      ['r1-tps-400', 1, 400, 'ok'],
      ['r2-tps-50', 2, 50, 'ok'],
      ['r2-tps-200', 2, 200, 'ok'],
      ['r2-tps-400', 2, 400, 'ok'],
    ]);
    for (const { run, numbers } of analysis.results) {
      expect(numbers.source).toBe('raw');
      // 15 s at the level: what the schedule offered, within 1%.
      expect(Math.abs(numbers.requests - (run.level as number) * 15) / ((run.level as number) * 15)).toBeLessThan(0.01);
      expect(numbers.dropped_iterations).toBe(0);
      expect(numbers.failed_requests).toBe(0);
    }
    expect(analysis.inputs.every((input) => input.problems_total === 0)).toBe(true);
    const pods = analysis.tables.resources().objects() as { run: string; pod: string }[];
    expect([...new Set(pods.filter((p) => p.run.endsWith('r2-tps-400')).map((p) => p.pod))].sort()).toEqual(['sample-replica-0', 'sample-replica-1']);
    expect([...new Set(pods.filter((p) => p.run.endsWith('r1-tps-400')).map((p) => p.pod))]).toEqual(['sample-replica-0']);
  });
});
