/**
 * The example scripts (examples/) as a user runs them: a child process on results-samples/demo, exit
 * 0, the files written, the notebook valid against nbformat's schema, and report.md's key text; exit
 * 1 with the usage line on bad arguments.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../scripts/lib/cli.ts';
import { notebookBlocks, notebookCharts, notebookProblems, reportMdBlocks, type NotebookJson } from './helpers/nbformat.ts';

const execFileAsync = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-examples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const demo = path.join('results-samples', 'demo');
const FILES = ['report.md', 'report.html', 'report.ipynb', 'analysis.json', 'junit.xml'];

async function example(script: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join('examples', script), ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What both examples print on success: a line of their own, then the files, relative to where they ran. */
const wrote = (out: string): string => `wrote ${FILES.map((file) => path.relative(repoRoot, path.join(out, file))).join('\n      ')}\n`;

function expectWritten(out: string): { md: string; notebook: NotebookJson } {
  for (const file of FILES) expect(existsSync(path.join(out, file)), file).toBe(true);
  const md = readFileSync(path.join(out, 'report.md'), 'utf8');
  const notebook = JSON.parse(readFileSync(path.join(out, 'report.ipynb'), 'utf8')) as NotebookJson;
  expect(notebookProblems(notebook)).toEqual([]);
  expect(notebookBlocks(notebook)).toEqual(reportMdBlocks(md));
  return { md, notebook };
}

describe('examples/custom-slo-report.ts', () => {
  it('judges every level of the demo by our bounds, and the Capacity section by the same', async () => {
    const out = path.join(work, 'slo');
    const result = await example('custom-slo-report.ts', demo, '--out', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`custom-slo-report: 7 of 8 levels meet p95 < 200 ms and errors < 0.5%\n${wrote(out)}`);
    const { md, notebook } = expectWritten(out);
    expect(md.startsWith('# Our SLO, level by level\n\nOur SLO, per level on its steady state: p95 < 200 ms and errors < 0.5%. 7 of 8 levels meet it.\n\n')).toBe(true);
    for (const line of [
      '| Sweep                    | Run        | Offered /s | Achieved /s | p95 ms | Errors | p95 < 200 ms | errors < 0.5% | Our SLO |',
      '| demo-sample · 1 replica  | r1-tps-250 |        250 |       246.8 |    165 |  0.00% | pass         | pass          | pass    |',
      '| demo-sample · 1 replica  | r1-tps-350 |        350 |       249.1 |   8112 |  0.00% | fail         | pass          | fail    |',
      '| demo-sample · 2 replicas | r2-tps-350 |        350 |         350 |   21.7 |  0.00% | pass         | pass          | pass    |',
      'Chart: [p95 per level against our bound of 200 ms](charts/team-slo-p95.svg) (Vega-Lite: charts/team-slo-p95.vl.json)',
      '* **fail** r1-tps-350: breaks our SLO: p95 8112 ms, errors 0.00%',
      'demo-sample · 1 replica holds 250 req/s under p95 < 200 ms, errors < 0.5%; at 350 req/s p95 is 8112 ms, it achieved only 249.1 req/s (71.17% of offered), k6 dropped 808 iterations.',
    ]) {
      expect(md).toContain(`\n${line}\n`);
    }
    expect(notebookCharts(notebook)[0]).toMatchObject({ id: 'team-slo-p95', title: 'p95 per level against our bound of 200 ms', mimeTypes: ['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain'] });
    const json = JSON.parse(readFileSync(path.join(out, 'analysis.json'), 'utf8'));
    expect(json.capacity[0].slo).toMatchObject({ p95_ms: 200, error_rate: 0.005, source: 'flags' });
  });

  it.each([[[demo]], [[demo, '--out', 'x', '--bogus']]])('%j: exit 1 with the usage line', async (args) => {
    expect(await example('custom-slo-report.ts', ...args)).toEqual({ code: 1, stdout: '', stderr: 'usage: node --import tsx examples/custom-slo-report.ts <sweep, run or file>... --out DIR\n' });
  });

  it('a path that does not exist: exit 1 with the library message', async () => {
    expect(await example('custom-slo-report.ts', 'nope', '--out', path.join(work, 'nope'))).toEqual({ code: 1, stdout: '', stderr: 'analyze: `nope` does not exist\n' });
  });
});

describe('examples/endpoint-comparison.ts', () => {
  it('lines up the endpoints of 1 replica and 2 replicas at 250 req/s, then the comparison', async () => {
    const out = path.join(work, 'endpoints');
    const result = await example('endpoint-comparison.ts', path.join(demo, 'r1-tps-250'), path.join(demo, 'r2-tps-250'), '--out', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`endpoint-comparison: 3 endpoint rows over 1 matched pair of runs\n${wrote(out)}`);
    const { md, notebook } = expectWritten(out);
    for (const line of [
      '**Baseline** r1-tps-250: its endpoints.',
      '| r1-tps-250 | POST /predict |     2001 | 81.08% |   88.7 |    163 |    266 |  0.00% |',
      '**Candidate** r2-tps-250: its endpoints.',
      '| r2-tps-250 | POST /predict |     2005 | 80.20% |   5.90 |   13.3 |   18.6 |  0.00% |',
      '| Runs                    | Endpoint      | p95 ms r1-tps-250 | p95 ms r2-tps-250 | Change |',
      '| r1-tps-250 → r2-tps-250 | GET /health   |               210 |              6.26 |   -97% |',
      '| r1-tps-250 → r2-tps-250 | POST /predict |               163 |              13.3 |   -92% |',
      '## Comparison: r2-tps-250 against r1-tps-250',
      '* **info** r2-tps-250 is better than r1-tps-250: p95 at 250 req/s: 165 ms → 12.6 ms (-92%, 95% CI -142% to -56%, p < 0.0001)',
    ]) {
      expect(md).toContain(`\n${line}\n`);
    }
    expect(notebookCharts(notebook).map((chart) => chart.id)).toEqual(['endpoints-p95', 'comparison-r2-tps-250-deltas']);
    const json = JSON.parse(readFileSync(path.join(out, 'analysis.json'), 'utf8'));
    expect(json.runs.map((run: { label: string }) => run.label)).toEqual(['r1-tps-250', 'r2-tps-250']);
    expect(json.comparisons.find((c: { metric: string }) => c.metric === 'p95_ms')).toMatchObject({ baseline: 'r1-tps-250', candidate: 'r2-tps-250', verdict: 'better' });
  });

  it.each([[[demo, '--out', 'x']], [[demo, demo]]])('%j: exit 1 with the usage line', async (args) => {
    expect(await example('endpoint-comparison.ts', ...args)).toEqual({ code: 1, stdout: '', stderr: 'usage: node --import tsx examples/endpoint-comparison.ts <baseline> <candidate> --out DIR\n' });
  });
});
