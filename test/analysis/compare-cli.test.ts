/** `npm run compare` at its edge: usage, help, messages (the comparison itself: analyses/compare.test.ts, serial/compare.test.ts). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../analysis/compare-cli.ts';
import { repoRoot } from '../../scripts/lib/cli.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-compare-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function compare(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const result = await runCompare(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: process.cwd() });
  return { ...result, stdout, stderr };
}

describe('npm run compare', () => {
  it.each([
    [['runs/a'], 'compare: `runs/a` is 1 input: expected a baseline and at least one candidate\nNote: npm run compare -- runs/before runs/after\n'],
    [['a', 'b', '--alpha', '2'], 'compare: `--alpha` is `2`: expected a number between 0 and 1\n'],
    [['a', 'b', '--min-effect', '-0.1'], 'compare: `--min-effect` is `-0.1`: expected a number from 0 to below 1\n'],
    [['a', 'b', '--window', '0s'], 'compare: `--window` is `0s`: expected a duration such as `1s` or `10s`\n'],
    [['a', 'b', '--bogus'], 'compare: unknown option `--bogus`\nNote: `npm run compare -- --help` lists the options\n'],
    [['nope-a', 'nope-b'], 'analyze: `nope-a` does not exist\n'],
  ])('%j: exit 1 with one line', async (argv, message) => {
    const result = await compare(...argv);
    expect(result).toMatchObject({ exitCode: 1, stdout: '', stderr: message });
  });

  it('--help prints usage, the thresholds and the exit codes', async () => {
    const result = await compare('--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run compare -- <baseline> <candidate> \[more…\] \[options\]\n/);
    expect(result.stdout).toContain('(default 0.1 for p50 and the rate, 0.25 for p95, 0.35 for p99)');
    expect(result.stdout).toContain('3 a gate failed, e.g. --fail-on regression');
  });

  it('compares a folder with itself: the sides are `demo` and `demo (2)`, each with its own charts and findings', async () => {
    const demo = path.join(repoRoot, 'results-samples', 'demo');
    const out = path.join(work, 'self');
    const result = await compare(demo, demo, '--out', out);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('  demo (2)/r1-tps-50 ');
    expect(result.stdout).toContain('  No significant change: none of the 40 tested metrics changed by at least its practical threshold');
    const json = JSON.parse(readFileSync(path.join(out, 'analysis.json'), 'utf8'));
    expect(json.sides.map((side: { label: string }) => side.label)).toEqual(['demo', 'demo (2)']);
    expect(json.findings.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining(['slo:demo-sample/r1:demo', 'slo:demo-sample/r1:demo (2)']));
    for (const chart of ['comparison-demo-2-deltas', 'demo-demo-sample-r1-latency-vs-rate', 'demo-2-demo-sample-r1-latency-vs-rate']) {
      expect(existsSync(path.join(out, 'charts', `${chart}.svg`)), chart).toBe(true);
    }
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('\n## Capacity — demo\n');
    expect(md).toContain('\n## Capacity — demo (2)\n');
    expect(md).toContain('Chart: [Latency vs offered rate — demo-sample · 1 replica — demo (2)](charts/demo-2-demo-sample-r1-latency-vs-rate.svg)');
  });
});
