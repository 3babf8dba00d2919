/**
 * `npm run analyze -- <paths...> [--out DIR]`: reads runs, writes DIR/analysis.json and DIR/report.md.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { flagHelp, parseFlags } from '../scripts/lib/flags.ts';
import { analyze, type Analysis } from './analyze.ts';
import { AnalysisError } from './errors.ts';
import { parseDuration } from '../lib/config.ts';
import { toAnalysisJson } from './report/analysis-json.ts';
import { renderMarkdown } from './report/markdown.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE_OR_INPUT = 1;
/** With `--gate`: a finding of severity `fail` (failed thresholds, a level that errored). */
export const EXIT_GATE_FAILED = 3;

const FLAGS = {
  out: { type: 'string', value: 'DIR', help: 'where to write analysis.json and report.md\n(default: <folder>/report for one folder, else ./report)' },
  bucket: { type: 'string', value: 'D', help: 'time bucket of the per-second series, a duration such as 1s or 10s (default 1s)' },
  gate: { type: 'boolean', help: `exit ${EXIT_GATE_FAILED} when a finding has severity fail (failed thresholds, an errored level)` },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const HELP = `Usage: npm run analyze -- <paths...> [options]

Reads k6 runs and writes a report. A path is a sweep folder (with manifest.json), a level folder,
a folder of files, or a file: k6 --out json output (.json, .ndjson, .gz), k6 --out csv output,
a k6 summary (handleSummary data, --summary-export, k6-capacity summary.json), or a kubectl capture.
Files of one run (a k6 output and its summary.json, runner outputs) are merged by their run_id.

Options:
${flagHelp(FLAGS, { width: 16 })}
Exit codes: ${EXIT_OK} done; ${EXIT_USAGE_OR_INPUT} bad usage or unusable input (the message names the file and line);
${EXIT_GATE_FAILED} --gate and a finding of severity fail.
`;

export interface CliResult {
  readonly exitCode: number;
  readonly outDir: string | null;
}

export async function runCli(argv: readonly string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }): Promise<CliResult> {
  let parsed;
  try {
    parsed = parseFlags(argv, FLAGS, {
      command: 'analyze',
      note: '`npm run analyze -- --help` lists the options',
      positionals: true,
      error: (message, note) => new AnalysisError('usage', message, { note }),
    });
  } catch (error) {
    const { message, note } = error as AnalysisError;
    io.stderr(`${message}\n${note === undefined ? '' : `Note: ${note}\n`}`);
    return { exitCode: EXIT_USAGE_OR_INPUT, outDir: null };
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return { exitCode: EXIT_OK, outDir: null };
  }
  try {
    if (positionals.length === 0) throw new AnalysisError('usage', 'analyze: no input: expected one or more files or folders', { note: 'npm run analyze -- runs/<sweep>' });
    let bucketMs = 1000;
    if (values.bucket !== undefined) {
      const bucket = parseDuration(values.bucket);
      if (bucket === undefined || bucket.seconds <= 0) throw new AnalysisError('usage', `analyze: \`--bucket\` is \`${values.bucket}\`: expected a duration such as \`1s\` or \`10s\``);
      bucketMs = bucket.seconds * 1000;
    }
    // Paths stay as the user typed them (messages and reports show them), resolved only when the
    // caller's folder is not this process's.
    const paths = positionals.map((p) => (io.cwd === process.cwd() || path.isAbsolute(p) ? p : path.resolve(io.cwd, p)));
    const analysis = await analyze(paths, { bucketMs });
    const outDir = path.resolve(io.cwd, values.out ?? defaultOut(paths, io.cwd));
    const toolVersion = version();
    const now = new Date();
    const relativePath = (file: string): string => path.relative(outDir, path.resolve(file)) || '.';
    const json = toAnalysisJson(analysis, { toolVersion, now });
    // Paths relative to the report, so a run directory can be moved or archived with its report.
    const portable = {
      ...json,
      inputs: json.inputs.map((input) => ({
        ...input,
        path: relativePath(input.path),
        problems: input.problems.map((problem) => ({ ...problem, message: problem.message.split(input.path).join(relativePath(input.path)) })),
        ...(input.skipped_reason === undefined ? {} : { skipped_reason: input.skipped_reason.split(input.path).join(relativePath(input.path)) }),
      })),
      runs: json.runs.map((run) => ({ ...run, files: run.files.map(relativePath) })),
      findings: json.findings.map((finding) => ({ ...finding, id: finding.id.replace(/^(input-problems:|input-skipped:)(.*)$/, (_m, kind: string, file: string) => kind + relativePath(file)) })),
    };
    mkdirSync(outDir, { recursive: true });
    writeAtomically(path.join(outDir, 'analysis.json'), `${JSON.stringify(portable, null, 2)}\n`);
    writeAtomically(path.join(outDir, 'report.md'), renderMarkdown(analysis, { toolVersion, now, relativePath }));
    io.stdout(summaryText(analysis, path.relative(io.cwd, outDir) || '.'));
    const gateFailed = values.gate === true && analysis.findings.some((finding) => finding.severity === 'fail');
    return { exitCode: gateFailed ? EXIT_GATE_FAILED : EXIT_OK, outDir };
  } catch (error) {
    if (error instanceof AnalysisError) {
      io.stderr(`${error.message}\n${error.note === undefined ? '' : `Note: ${error.note}\n`}`);
      return { exitCode: EXIT_USAGE_OR_INPUT, outDir: null };
    }
    throw error;
  }
}

/**
 * Where the report goes without `--out`: `<folder>/report` for one folder, and for files beside each
 * other (`k6.json.gz summary.json`) their folder's `report/`; else `./report`.
 */
export function defaultOut(paths: readonly string[], cwd: string): string {
  const homes = new Set(paths.map((p) => {
    const full = path.resolve(cwd, p);
    return existsSync(full) && statSync(full).isDirectory() ? full : path.dirname(full);
  }));
  const [only] = homes;
  return homes.size === 1 && only !== undefined ? path.join(only, 'report') : path.join(cwd, 'report');
}

function writeAtomically(file: string, content: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** What the terminal shows: one line per run and the findings that need attention. */
function summaryText(analysis: Analysis, outDir: string): string {
  const lines = [`analyze: ${analysis.results.length} run(s) from ${analysis.inputs.length} input(s)`];
  for (const { run, numbers } of analysis.results) {
    const p95 = numbers.latency_ms.p95;
    lines.push(
      `  ${run.label.padEnd(24)} ${numbers.rps === null ? '     —' : `${numbers.rps.toFixed(1).padStart(8)}/s`}  p95 ${p95 === null ? '—' : `${p95.toFixed(2)} ms`}  errors ${numbers.error_rate === null ? '—' : `${(numbers.error_rate * 100).toFixed(2)}%`}  ${run.status}`,
    );
  }
  for (const finding of analysis.findings.filter((f) => f.severity !== 'info')) lines.push(`  ${finding.severity.toUpperCase()} ${finding.title}`);
  lines.push(`report: ${path.join(outDir, 'report.md')}`, `data:   ${path.join(outDir, 'analysis.json')}`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  // `npm run` starts scripts in the package folder; paths are meant from where the user typed them.
  if (process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
  const result = await runCli(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
  });
  process.exitCode = result.exitCode;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  });
}
