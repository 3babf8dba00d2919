/**
 * `npm run analyze -- <paths...> [--out DIR]`: reads runs, writes DIR/report.md, report.html,
 * report.ipynb, analysis.json, junit.xml and charts/.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { flagHelp } from '../scripts/lib/flags.ts';
import { analysisContext } from './analyses/context.ts';
import { analyze } from './analyze.ts';
import { EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE_OR_INPUT, REPORT_FLAGS, gateFailures, reportOptions, runCommand, toolVersion, type CommandIo, type CommandResult } from './command.ts';
import { AnalysisError } from './errors.ts';
import { parseDuration } from '../lib/config.ts';
import { analysisReport } from './report/build.ts';
import { plain } from './report/text.ts';
import { findingsOf, sectionsOf, type Report } from './report/section.ts';
import { writeReport } from './report/write.ts';

export { EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE_OR_INPUT };

const FLAGS = {
  out: { type: 'string', value: 'DIR', help: 'where to write the report (default: <folder>/report for one folder\nor files of one folder, else ./report)' },
  bucket: { type: 'string', value: 'D', help: 'finest time bucket of the series, a duration such as 1s or 10s (default 1s;\nruns longer than 2000 buckets get coarser ones, stated in the report)' },
  'max-tag-sets': { type: 'string', value: 'N', help: 'tag sets kept per metric; further ones (URLs with ids) are folded\ninto one "(other)" group per metric (default 1000)' },
  threads: { type: 'string', value: 'N', help: 'threads that read each k6 NDJSON file of 64 MiB or more (default 1:\nthe lowest memory; more are faster where there are cores, and use\nabout 40 MB more each)' },
  ...REPORT_FLAGS,
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const HELP = `Usage: npm run analyze -- <paths...> [options]

Reads k6 runs and writes a report: report.md, report.html (self-contained, with charts), report.ipynb
(a Jupyter notebook), analysis.json, junit.xml and charts/*.vl.json. A path is a sweep folder (with
manifest.json), a level folder, a folder of files, or a file: k6 --out json output (.json, .ndjson,
.gz), k6 --out csv output, a k6 summary (handleSummary data, --summary-export, k6-capacity
summary.json), or a kubectl capture. Files of one run (a k6 output and its summary.json, runner
outputs) are merged by their run_id.

Options:
${flagHelp(FLAGS, { width: 24 })}
Exit codes: ${EXIT_OK} done; ${EXIT_USAGE_OR_INPUT} bad usage or unusable input (the message names the file and line);
${EXIT_GATE_FAILED} a gate failed (--fail-on, --gate); the failures are listed.
`;

export type CliResult = CommandResult;
export type CliIo = CommandIo;

export function runCli(argv: readonly string[], io: CliIo): Promise<CliResult> {
  return runCommand('analyze', argv, io, { flags: FLAGS, help: HELP }, async (values, positionals) => {
    if (positionals.length === 0) throw new AnalysisError('usage', 'analyze: no input: expected one or more files or folders', { note: 'npm run analyze -- runs/<sweep>' });
    let bucketMs = 1000;
    if (values.bucket !== undefined) {
      const bucket = parseDuration(values.bucket);
      if (bucket === undefined || Math.round(bucket.seconds * 1000) < 1) throw new AnalysisError('usage', `analyze: \`--bucket\` is \`${values.bucket}\`: expected a duration such as \`1s\` or \`10s\``);
      // Whole milliseconds: coarser buckets are whole multiples of it.
      bucketMs = Math.round(bucket.seconds * 1000);
    }
    let maxTagSets: number | undefined;
    if (values['max-tag-sets'] !== undefined) {
      maxTagSets = Number(values['max-tag-sets']);
      if (!Number.isInteger(maxTagSets) || maxTagSets < 1) throw new AnalysisError('usage', `analyze: \`--max-tag-sets\` is \`${values['max-tag-sets']}\`: expected a whole number ≥ 1`);
    }
    let threads: number | undefined;
    if (values.threads !== undefined) {
      threads = Number(values.threads);
      if (!Number.isInteger(threads) || threads < 1 || threads > 16) throw new AnalysisError('usage', `analyze: \`--threads\` is \`${values.threads}\`: expected a whole number from 1 to 16`);
    }
    const { options, gates } = reportOptions('analyze', values);
    // Paths stay as the user typed them (messages and reports show them), resolved only when the
    // caller's folder is not this process's.
    const paths = positionals.map((p) => (io.cwd === process.cwd() || path.isAbsolute(p) ? p : path.resolve(io.cwd, p)));
    const analysis = await analyze(paths, { bucketMs, ...(maxTagSets === undefined ? {} : { maxTagSets }), ...(threads === undefined ? {} : { threads }) });
    const outDir = path.resolve(io.cwd, values.out ?? defaultOut(paths, io.cwd));
    // Paths relative to the report, so a run directory can be moved or archived with its report.
    const context = analysisContext(analysis, { ...options, path: (file) => path.relative(outDir, path.resolve(file)) || '.' });
    const version = toolVersion();
    const now = new Date();
    const report = analysisReport(context, { toolVersion: version, now });
    const written = await writeReport(outDir, report, context, { toolVersion: version, now });
    const failures = gateFailures(report, gates);
    io.stdout(summaryText(report, context.analysis.results, written.files, io.cwd, failures));
    return { exitCode: failures.length > 0 ? EXIT_GATE_FAILED : EXIT_OK, outDir };
  });
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

/** What the terminal shows: one line per run, the capacity verdicts, what needs attention, where the files are. */
export function summaryText(
  report: Report,
  results: readonly { readonly run: { readonly label: string; readonly status: string }; readonly numbers: { rps: number | null; latency_ms: { p95: number | null }; error_rate: number | null } }[],
  files: { readonly html: string; readonly markdown: string; readonly notebook: string; readonly json: string; readonly junit: string },
  cwd: string,
  failures: readonly string[],
): string {
  // These are whole-run numbers (ramp and drain included, as k6's own summary has them); the capacity
  // verdicts below judge each run's steady window, so past a knee the two p95s can differ by far.
  const lines = [`analyze: ${results.length} run(s), whole-run numbers (the verdicts below judge each run's steady window)`];
  for (const { run, numbers } of results) {
    const p95 = numbers.latency_ms.p95;
    lines.push(
      `  ${run.label.padEnd(24)} ${numbers.rps === null ? '     —' : `${numbers.rps.toFixed(1).padStart(8)}/s`}  p95 ${p95 === null ? '—' : `${p95.toFixed(2)} ms`}  errors ${numbers.error_rate === null ? '—' : `${(numbers.error_rate * 100).toFixed(2)}%`}  ${run.status}`,
    );
  }
  for (const section of sectionsOf(report)) for (const summary of section.summary) if (section.id.startsWith('capacity') || section.id === 'comparisons') lines.push(`  ${plain(summary)}`);
  for (const finding of findingsOf(report).filter((f) => f.severity !== 'info')) lines.push(`  ${finding.severity.toUpperCase()} ${plain(finding.title)}`);
  for (const failure of failures) lines.push(`  GATE ${failure}`);
  const shown = (file: string): string => path.relative(cwd, file) || '.';
  lines.push(`report: ${shown(files.html)}`, `        ${shown(files.markdown)}`, `        ${shown(files.notebook)}`, `data:   ${shown(files.json)}`, `junit:  ${shown(files.junit)}`);
  return `${lines.join('\n')}\n`;
}

export async function main(): Promise<void> {
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
