/**
 * `npm run analyze` as a user meets it: files written, exit codes, one-line errors naming the file
 * and line, and the bad-input suite (every broken input still analysed, its problems reported).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_GATE_FAILED, runCli } from '../../analysis/cli.ts';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { DECLARATIONS, pointLine, requestLines } from '../helpers/k6-lines.ts';
import { T0, writeSweep } from '../helpers/sweep-fixture.ts';

const execFileAsync = promisify(execFile);
const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-cli-'));
const before = process.cwd();
// As a user would: run from the folder that holds the runs, with relative paths.
beforeAll(() => process.chdir(root));
afterAll(() => {
  process.chdir(before);
  rmSync(root, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const result = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: process.cwd() });
  return { ...result, stdout, stderr };
}

const sampleLines = (run: string, n: number, start = T0): string[] => {
  const lines = [...DECLARATIONS];
  for (let i = 0; i < n; i++) lines.push(...requestLines({ timeMs: start + i * 100, durationMs: 5 + i, tags: { run_id: run, level: '10' } }));
  return lines;
};

describe('analyze', () => {
  it('writes report.md and analysis.json into <sweep>/report by default and prints where', async () => {
    writeSweep(path.join(root, 'sweep'));
    const result = await cli('sweep');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(existsSync(path.join(root, 'sweep', 'report', 'report.md'))).toBe(true);
    const json = JSON.parse(readFileSync(path.join(root, 'sweep', 'report', 'analysis.json'), 'utf8'));
    expect(json.schemaVersion).toBe(2);
    for (const file of ['report.html', 'report.ipynb', 'junit.xml', 'charts/sweep-latency-vs-rate.vl.json', 'charts/sweep-latency-vs-rate.svg']) {
      expect(existsSync(path.join(root, 'sweep', 'report', file)), file).toBe(true);
    }
    // Paths in analysis.json are relative to the report: the run directory can move.
    expect(json.inputs[0].path).toBe('../tps-10/k6.json');
    expect(JSON.stringify(json)).not.toContain(root);
    expect(result.stdout.split('\n').slice(-6)).toEqual([
      'report: sweep/report/report.html',
      '        sweep/report/report.md',
      '        sweep/report/report.ipynb',
      'data:   sweep/report/analysis.json',
      'junit:  sweep/report/junit.xml',
      '',
    ]);
    expect(result.stdout).toContain('  FAIL tps-20: 2 thresholds failed');
    // The lines per run are whole-run numbers, and say so before the verdicts that use steady windows.
    expect(result.stdout.split('\n')[0]).toBe("analyze: 3 run(s), whole-run numbers (the verdicts below judge each run's steady window)");
  });

  it('--fail-on exits 3 and lists what failed; a kind that did not fail passes', async () => {
    const failed = await cli('sweep', '--out', 'gated', '--fail-on', 'thresholds-failed');
    expect(failed.exitCode).toBe(EXIT_GATE_FAILED);
    expect(failed.stdout).toContain('  GATE thresholds-failed: tps-20: `http_req_duration` `p(95)<120` — failed (k6 judged it on the whole run)\n');
    const passed = await cli('sweep', '--out', 'gated', '--fail-on', 'regression,knee');
    expect(passed.exitCode).toBe(0);
    expect(passed.stdout).not.toContain('GATE');
  });

  it('--out chooses the folder; --gate exits 3 when a finding fails', async () => {
    const result = await cli('sweep', '--out', 'elsewhere', '--gate');
    expect(result.exitCode).toBe(EXIT_GATE_FAILED);
    expect(existsSync(path.join(root, 'elsewhere', 'analysis.json'))).toBe(true);
  });

  it('--help prints usage and exits 0', async () => {
    const result = await cli('--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run analyze -- <paths\.\.\.> \[options\]/);
  });

  it.each([
    [[], 'analyze: no input: expected one or more files or folders\nNote: npm run analyze -- runs/<sweep>\n'],
    [['--frobnicate', 'x'], 'analyze: unknown option `--frobnicate`\nNote: `npm run analyze -- --help` lists the options\n'],
    [['sweep', '--bucket', '-5s'], 'analyze: `--bucket` is `-5s`: expected a duration such as `1s` or `10s`\n'],
    [['sweep', '--out'], 'analyze: `--out` needs a value\nNote: `npm run analyze -- --help` lists the options\n'],
    [['sweep', '--bucket', 'soon'], 'analyze: `--bucket` is `soon`: expected a duration such as `1s` or `10s`\n'],
    [['missing.json'], 'analyze: `missing.json` does not exist\n'],
    [
      ['sweep', '--fail-on', 'slo,regresion'],
      'analyze: `--fail-on` names `regresion`: expected finding kinds such as `slo`, `regression`, `thresholds-failed`\n' +
        'Note: the kinds: level-status, no-data, thresholds-failed, loadgen-limited, out-of-vus, rate-below-target, missing-resource-data, partial-resource-data, input-skipped, input-problems, tag-sets-folded, capacity, slo, capacity-inconclusive, knee, saturation, endpoint-slo, regression, improvement, not-comparable, capacity-change, tier, memory-headroom, cpu-throttled, scaling-regression, rightsizing, hpa-saturated, hpa-flapping, hpa-condition, hpa-scale-up-latency, soak-drift, memory-leak, oom-kill, restarts, breaking-point, not-recovered, disruption, replacement-not-ready\n',
    ],
    [['sweep', '--slo-p95-ms', '0'], 'analyze: `--slo-p95-ms` is `0`: expected a number > 0\n'],
    [['sweep', '--slo-error-rate', '1.5'], 'analyze: `--slo-error-rate` is `1.5`: expected a number from 0 to 1\n'],
    [['sweep', '--warmup', 'soon'], 'analyze: `--warmup` is `soon`: expected a duration such as `5s` or `0s`\n'],
    [['sweep', '--threads', '0'], 'analyze: `--threads` is `0`: expected a whole number from 1 to 16\n'],
    [['sweep', '--threads', 'many'], 'analyze: `--threads` is `many`: expected a whole number from 1 to 16\n'],
  ])('bad usage %j exits 1 with one line (and a note)', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(message);
  });
});

// --- the bad-input suite ---------------------------------------------------------------------------

describe('bad input', () => {
  const analyzeFile = async (name: string, content: string | Buffer) => {
    const dir = path.join(root, 'bad', name.replace(/\W/g, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, name), content);
    const result = await cli(path.relative(root, path.join(dir, name)), '--out', path.relative(root, path.join(dir, 'report')));
    const read = (file: string): string => readFileSync(path.join(dir, 'report', file), 'utf8');
    return { result, json: () => JSON.parse(read('analysis.json')), md: () => read('report.md') };
  };

  it('a truncated last line (k6 killed): analysed, the cut line reported', async () => {
    const lines = sampleLines('cut', 10).join('\n');
    const { result, json, md } = await analyzeFile('k6.json', lines.slice(0, lines.length - 20));
    expect(result.exitCode).toBe(0);
    expect(json().runs[0].requests).toBe(10);
    expect(json().inputs[0]).toMatchObject({
      skipped: 1,
      problems: [{ line: 46, message: 'k6 ndjson: the last line is cut off (k6 stopped while writing it?) at line 46' }],
    });
    expect(md()).toContain('* `../k6.json` line 46: k6 ndjson: the last line is cut off (k6 stopped while writing it?) at line 46');
  });

  it('malformed lines in the middle: counted with their line numbers, the rest analysed', async () => {
    const lines = sampleLines('mid', 10);
    lines.splice(8, 0, '{"metric":"http_reqs","type":"Point","data":{"time":"2026-11-24T10:00:00Z","value":', 'garbage');
    const { json, md } = await analyzeFile('k6.json', lines.join('\n'));
    expect(json().runs[0].requests).toBe(10);
    expect(json().inputs[0].skipped).toBe(2);
    expect(json().inputs[0].problems.map((p: { line: number }) => p.line)).toEqual([9, 10]);
    expect(json().findings).toContainEqual(
      expect.objectContaining({ id: 'input-problems:../k6.json', kind: 'input-problems', severity: 'warn', title: '../k6.json: 2 problems, 2 lines skipped' }),
    );
    expect(md()).toContain('* `../k6.json` line 9: ');
  });

  it('a truncated gzip stream: the data up to the cut analysed, the cut reported', async () => {
    const zipped = gzipSync(`${sampleLines('gz', 3000).join('\n')}\n`);
    const { result, json } = await analyzeFile('k6.json.gz', zipped.subarray(0, Math.floor(zipped.length / 2)));
    expect(result.exitCode).toBe(0);
    const input = json().inputs[0];
    expect(json().runs[0].requests).toBeGreaterThan(100);
    expect(json().runs[0].requests).toBeLessThan(3000);
    expect(input.problems[input.problems.length - 1]).toEqual({
      line: null,
      message: `k6 ndjson: the gzip stream of \`../k6.json.gz\` ends early, after line ${input.lines}: the data up to there is used`,
    });
  });

  it('CRLF line endings read like LF', async () => {
    const { json } = await analyzeFile('k6.json', sampleLines('crlf', 5).join('\r\n'));
    expect(json().runs[0]).toMatchObject({ requests: 5 });
    expect(json().inputs[0].problems_total).toBe(0);
  });

  it('unknown metrics: kept, and reported once', async () => {
    const lines = [...sampleLines('custom', 3), pointLine('my_queue_depth', T0 + 50, 7, { run_id: 'custom' })];
    const { json } = await analyzeFile('k6.json', lines.join('\n'));
    expect(json().inputs[0].problems).toEqual([
      { line: 19, message: 'k6 ndjson: metric `my_queue_depth` has no Metric line and is not a k6 built-in: its samples are kept with an unknown type at line 19' },
    ]);
    expect(json().runs[0].requests).toBe(3);
  });

  it('kubectl error text in a snapshot: reported as missing resource data, with kubectl\'s words', async () => {
    const dir = path.join(root, 'bad', 'metrics-missing');
    mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
    writeFileSync(path.join(dir, 'k6.json'), sampleLines('mm', 5).join('\n'));
    // formats.md §1.7 (metrics-server#1282): what kubectl top prints without metrics-server
    writeFileSync(path.join(dir, 'snapshots', 'top-pods-20261124T100000Z.txt'), 'error: Metrics API not available\n');
    const result = await cli(path.relative(root, dir));
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(readFileSync(path.join(dir, 'report', 'analysis.json'), 'utf8'));
    expect(json.findings).toContainEqual({
      id: 'missing-resource-data:mm',
      kind: 'missing-resource-data',
      severity: 'warn',
      title: 'metrics-missing: no resource data',
      detail: '1 capture but no pod CPU or memory in them: kubectl: `error: Metrics API not available`: nothing from this command',
      run: 'mm',
    });
  });

  it.each([
    ['an empty file', 'k6.json', '', 'analyze: `bad/k6-json/k6.json` is empty\n'],
    [
      'a file of some other format',
      'notes.txt',
      'Dear diary, today the load test went fine.\n',
      'analyze: `bad/notes-txt/notes.txt` is not a k6 output, summary or kubectl capture (line 1)\n' +
        'Note: accepted: k6 --out json (NDJSON, .gz), k6 --out csv, k6 summaries, k6-capacity summary.json and manifest.json, kubectl captures\n',
    ],
    [
      'NDJSON where no line is k6 data',
      'other.ndjson',
      '{"type":"Log","msg":"hello"}\n{"type":"Log","msg":"bye"}\n',
      'k6 ndjson: expected `type` Point or Metric, got `Log` at bad/other-ndjson/other.ndjson:1\n' +
        'Note: expected k6 `--out json` output: one JSON object per line with `type` Point or Metric\n',
    ],
  ])('%s: exit 1, one line naming the file (and line), no stack trace', async (_what, name, content, message) => {
    const { result } = await analyzeFile(name, content);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(message);
  });

  it('through npm run analyze: the same one-line error and exit code 1', async () => {
    const file = path.join(root, 'bad', 'k6-json', 'k6.json');
    const failed = await execFileAsync('npm', ['run', '--silent', 'analyze', '--', file], { cwd: repoRoot }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining(`analyze: \`${file}\` is empty\n`) });
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });
});
