/**
 * `npm run compare -- <baseline> <candidate> [more…] [--out DIR]`: each argument a sweep, a run or a
 * file, as for analyze; every candidate is compared with the baseline, level by level, with a
 * significance test (analysis/analyses/compare.ts). Writes the same files as analyze.
 */
import path from 'node:path';
import { flagHelp } from '../scripts/lib/flags.ts';
import { capacityAnalysis, slug } from './analyses/capacity.ts';
import { horizontalAnalysis } from './analyses/horizontal.ts';
import { verticalAnalysis } from './analyses/vertical.ts';
import { comparisonSection, DEFAULT_ALPHA, DEFAULT_MIN_EFFECT, type CompareOptions, type Side } from './analyses/compare.ts';
import { analysisContext } from './analyses/context.ts';
import { overviewItems } from './analyses/overview.ts';
import { findingsAnalysis } from './analyses/run-findings.ts';
import { methodAnalysis } from './analyses/method.ts';
import { analyze, mergeAnalyses } from './analyze.ts';
import { summaryText, type CliIo, type CliResult } from './cli.ts';
import { EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE_OR_INPUT, REPORT_FLAGS, gateFailures, reportOptions, runCommand, toolVersion } from './command.ts';
import { AnalysisError } from './errors.ts';
import { parseDuration, parseNumber } from '../lib/config.ts';
import { ANALYSIS_SCHEMA_VERSION, PERCENTILE_METHOD, toAnalysisJson, type AnalysisJson } from './report/analysis-json.ts';
import { findingsOf, type Cell, type Report, type Section } from './report/section.ts';
import { code, plain as plainOf, t } from './report/text.ts';
import { writeReport } from './report/write.ts';

const FLAGS = {
  out: { type: 'string', value: 'DIR', help: 'where to write the report (default: compare-<baseline>-vs-<candidate>\nbeside the baseline)' },
  alpha: { type: 'string', value: 'X', help: `significance level of the tests (default ${DEFAULT_ALPHA})` },
  'min-effect': {
    type: 'string',
    value: 'X',
    help: `smallest relative change that counts, 0..1, for every metric but the error rate\n(default ${DEFAULT_MIN_EFFECT.p50_ms} for p50 and the rate, ${DEFAULT_MIN_EFFECT.p95_ms} for p95, ${DEFAULT_MIN_EFFECT.p99_ms} for p99)`,
  },
  window: { type: 'string', value: 'D', help: 'length of the windows the steady state is cut into (default: the shortest\nof 1, 2, 5, 10, 15, 30, 60 s with at least 20 requests)' },
  ...REPORT_FLAGS,
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const HELP = `Usage: npm run compare -- <baseline> <candidate> [more…] [options]

Compares each candidate with the baseline (Compose vs Kubernetes, cluster A vs B, before vs after a
change): runs matched by level (and replica count), and for each level p50, p95, p99, achieved rate and
error rate with the change, a 95% confidence interval, a Mann–Whitney U test over per-window samples
and a verdict: better, worse, no-change or not-comparable. Each argument is a sweep folder, a run
folder or a file, as for analyze. Writes report.md, report.html, report.ipynb, analysis.json, junit.xml,
charts/.

Options:
${flagHelp(FLAGS, { width: 24 })}
Exit codes: ${EXIT_OK} done; ${EXIT_USAGE_OR_INPUT} bad usage or unusable input; ${EXIT_GATE_FAILED} a gate failed, e.g. --fail-on regression
and a verdict worse (the failures are listed).
`;

export function runCompare(argv: readonly string[], io: CliIo): Promise<CliResult> {
  return runCommand('compare', argv, io, { flags: FLAGS, help: HELP }, async (values, positionals) => {
    if (positionals.length < 2) {
      throw new AnalysisError('usage', `compare: \`${positionals.join(' ')}\` is ${positionals.length} input: expected a baseline and at least one candidate`, {
        note: 'npm run compare -- runs/before runs/after',
      });
    }
    const { options, gates } = reportOptions('compare', values);
    const compare: CompareOptions = {
      ...(values.alpha === undefined ? {} : { alpha: fraction('--alpha', values.alpha, true) }),
      ...(values['min-effect'] === undefined ? {} : { minEffect: fraction('--min-effect', values['min-effect'], false) }),
      windowMs: values.window === undefined ? undefined : windowMs(values.window),
    };
    const paths = positionals.map((p) => (io.cwd === process.cwd() || path.isAbsolute(p) ? p : path.resolve(io.cwd, p)));
    const names = labels(positionals);
    // A file name however the sides are named (`a/demo`, `demo (2)`): compare-a-demo-vs-b-demo.
    const outDir = path.resolve(io.cwd, values.out ?? path.join(path.dirname(path.resolve(io.cwd, paths[0] as string)), `compare-${slug(names[0] as string)}-vs-${slug(names[1] as string)}`));
    const shown = (file: string): string => path.relative(outDir, path.resolve(file)) || '.';
    const sides: Side[] = [];
    for (const [i, given] of paths.entries()) {
      const analysis = await analyze([given]);
      sides.push({ label: names[i] as string, context: analysisContext(analysis, { ...options, path: shown }) });
    }
    const version = toolVersion();
    const now = new Date();
    const [baseline, ...candidates] = sides as [Side, ...Side[]];
    const comparisons = candidates.map((candidate) => comparisonSection(baseline, candidate, compare));
    // The sides judged together: tiers of one service (targets small / medium / large) or replica
    // counts, each side its own sweep, make the scaling reports.
    const together = analysisContext(mergeAnalyses(sides.map((side) => side.context.analysis)), { ...options, path: shown });
    const scaling = [verticalAnalysis, horizontalAnalysis].map((analysis) => analysis.run(together)).filter((section): section is Section => section !== null);
    const report = compareReport(sides, [...comparisons, ...scaling], version, now, paths.map(shown));
    const json = { ...compareJson(sides, report, comparisons, paths.map(shown), version, now), ...scalingJson(together, scaling, version, now) };
    const written = await writeReport(outDir, report, json, { toolVersion: version, now });
    const failures = gateFailures(report, gates);
    io.stdout(summaryText(report, sides.flatMap((side) => side.context.analysis.results.map((r) => ({ ...r, run: { ...r.run, label: `${side.label}/${r.run.label}` } }))), written.files, io.cwd, failures).replace(/^analyze:/, 'compare:'));
    return { exitCode: failures.length > 0 ? EXIT_GATE_FAILED : EXIT_OK, outDir };
  });
}

function fraction(flag: string, raw: string, exclusive: boolean): number {
  const parsed = parseNumber(raw);
  if (parsed === undefined || parsed >= 1 || (exclusive ? parsed <= 0 : parsed < 0)) {
    throw new AnalysisError('usage', `compare: \`${flag}\` is \`${raw}\`: expected a number ${exclusive ? 'between 0 and 1' : 'from 0 to below 1'}`);
  }
  return parsed;
}

function windowMs(raw: string): number {
  const duration = parseDuration(raw);
  if (duration === undefined || duration.seconds <= 0) throw new AnalysisError('usage', `compare: \`--window\` is \`${raw}\`: expected a duration such as \`1s\` or \`10s\``);
  return duration.seconds * 1000;
}

/**
 * Each side named by its last path segment, made unique with its parent where two are alike, and
 * numbered where even that is alike (a folder compared with itself: `demo`, `demo (2)`).
 */
function labels(given: readonly string[]): string[] {
  const base = given.map((p) => path.basename(path.resolve(p)).replace(/\.(json|ndjson|csv)(\.gz)?$|\.gz$/, ''));
  const resolved = given.map((p) => path.resolve(p));
  const named = base.map((name, i) =>
    base.some((other, j) => j !== i && other === name && resolved[j] !== resolved[i]) ? `${path.basename(path.dirname(resolved[i] as string))}/${name}` : name,
  );
  return named.map((name, i) => {
    const before = named.slice(0, i).filter((other) => other === name).length;
    return before === 0 ? name : `${name} (${before + 1})`;
  });
}

function compareReport(sides: readonly Side[], comparisons: readonly Section[], toolVersion: string, now: Date, paths: readonly string[]): Report {
  const cells: Cell[] = [
    { kind: 'text', text: t`${sides.length} sides; generated ${now.toISOString()} by k6-capacity ${toolVersion}.` },
    {
      kind: 'list',
      // The role is this project's markup (bold); the label and path are data.
      items: sides.map((side, i) => t`${[i === 0 ? '**Baseline**' : '**Candidate**']} ${side.label}: ${code(paths[i] as string)}, ${side.context.analysis.runs.length} ${side.context.analysis.runs.length === 1 ? 'run' : 'runs'}`),
    },
    ...comparisons.map((section): Cell => ({ kind: 'section', section })),
  ];
  for (const side of sides) {
    cells.push({ kind: 'text', text: t`${[sides.indexOf(side) === 0 ? '**Baseline**' : '**Candidate**']} ${side.label}:` }, { kind: 'list', items: overviewItems(side.context) });
    for (const analysis of [capacityAnalysis, findingsAnalysis]) {
      const section = analysis.run(side.context);
      if (section !== null) cells.push({ kind: 'section', section: sideSection(section, side.label) });
    }
  }
  const method = methodAnalysis.run(sides[0]?.context as Side['context']);
  if (method !== null) cells.push({ kind: 'section', section: method });
  return { title: 'k6-capacity comparison', cells };
}

/**
 * A section of one side: its id, title, charts and findings name the side, so sides whose sweeps and
 * runs have the same ids (a folder compared with itself, copies of one) keep their own charts
 * (`charts/<side>-<id>.svg`) and findings.
 */
function sideSection(section: Section, label: string): Section {
  return {
    ...section,
    id: `${section.id}:${label}`,
    title: `${section.title} — ${label}`,
    charts: section.charts.map((chart) => ({ ...chart, id: `${slug(label)}-${chart.id}`, title: `${chart.title} — ${label}` })),
    findings: section.findings.map((finding) => ({ ...finding, id: `${finding.id}:${label}` })),
  };
}

/** `scaling` of analysis.json for the sections made from the sides together. */
function scalingJson(context: Side['context'], sections: readonly Section[], toolVersion: string, now: Date): { scaling?: unknown } {
  if (sections.length === 0) return {};
  const json = toAnalysisJson(context, { title: '', cells: sections.map((section): Cell => ({ kind: 'section', section })) }, { toolVersion, now }) as { scaling?: unknown };
  return json.scaling === undefined ? {} : { scaling: json.scaling };
}

/** analysis.json of a comparison: every side's runs and capacity, and the comparisons with their samples. */
function compareJson(sides: readonly Side[], report: Report, comparisons: readonly Section[], paths: readonly string[], toolVersion: string, now: Date): AnalysisJson {
  const perSide = sides.map((side) => {
    const capacity = capacityAnalysis.run(side.context);
    return { side, json: toAnalysisJson(side.context, { title: '', cells: capacity === null ? [] : [{ kind: 'section', section: capacity }] }, { toolVersion, now }) };
  });
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    generated_at: now.toISOString(),
    tool: { name: 'k6-capacity', version: toolVersion },
    percentile_method: PERCENTILE_METHOD,
    sides: perSide.map(({ side }, i) => ({ label: side.label, role: i === 0 ? 'baseline' : 'candidate', path: paths[i] })),
    inputs: perSide.flatMap(({ json }) => json.inputs),
    runs: perSide.flatMap(({ side, json }) => json.runs.map((run) => ({ ...run, side: side.label }))),
    findings: findingsOf(report).map((f) => ({ ...f, title: plainOf(f.title), detail: plainOf(f.detail) })),
    sweeps: perSide.flatMap(({ side, json }) => json.sweeps.map((sweep) => ({ ...sweep, side: side.label }))),
    capacity: perSide.flatMap(({ side, json }) => ((json.capacity as unknown[] | undefined) ?? []).map((c) => ({ ...(c as object), side: side.label }))),
    comparisons: comparisons.flatMap((section) => section.data as unknown[]),
  };
}

export async function main(): Promise<void> {
  if (process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
  const result = await runCompare(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), cwd: process.cwd() });
  process.exitCode = result.exitCode;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  });
}
