/**
 * A custom report from the library (analysis/index.ts): a team's own SLO, judged per level. A table
 * of the levels with pass or fail, computed from the context's arquero `runs` table (one row per run,
 * steady-state numbers); a chart of p95 per level against the bound; a finding per level that fails;
 * and the built-in Capacity section, judged by the same bounds. Writes report.md, report.html,
 * report.ipynb, analysis.json, junit.xml and charts/ into `--out`.
 *
 *   node --import tsx examples/custom-slo-report.ts results-samples/demo --out runs/slo-report
 *
 * Copy it and change BOUNDS, the cells or the title: it is the report, as a script.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  AnalysisError,
  analysisContext,
  analyze,
  capacityAnalysis,
  finding,
  formatValue,
  t,
  value,
  writeReport,
  type AnalysisContext,
  type Cell,
  type ChartSpec,
  type Finding,
  type Report,
  type TableSpec,
} from '../analysis/index.ts';

/** Our bounds, on each level's steady state (its warm-up left out). */
const BOUNDS = { p95Ms: 200, errorRate: 0.005 } as const;

const USAGE = 'usage: node --import tsx examples/custom-slo-report.ts <sweep, run or file>... --out DIR';

/** A level against the bounds: one row of `levelsAgainst`. */
interface Level {
  readonly run: string;
  readonly label: string;
  readonly sweep: string | null;
  readonly level: number;
  readonly rps: number | null;
  readonly p95_ms: number | null;
  readonly error_rate: number | null;
  readonly p95_ok: boolean;
  readonly errors_ok: boolean;
  readonly ok: boolean;
}

/** The columns of the runs table the expressions below read (README: "The context's arquero tables"). */
interface RunsRow {
  readonly level: number | null;
  readonly steady_p95_ms: number | null;
  readonly steady_error_rate: number | null;
}

/**
 * Every run with a level, judged by `bounds`: arquero over the runs table. Arquero compiles the
 * expressions from their source, so they see no outer variable: the bounds come in as `$`.
 */
function levelsAgainst(context: AnalysisContext, bounds: typeof BOUNDS): Level[] {
  type Bounds = { readonly p95: number; readonly errors: number };
  return context.runs
    .params({ p95: bounds.p95Ms, errors: bounds.errorRate })
    .filter((d: RunsRow) => d.level !== null)
    .derive({
      p95_ok: (d: RunsRow, $: Bounds) => d.steady_p95_ms !== null && d.steady_p95_ms < $.p95,
      errors_ok: (d: RunsRow, $: Bounds) => d.steady_error_rate !== null && d.steady_error_rate < $.errors,
    })
    .derive({ ok: (d: { p95_ok: boolean; errors_ok: boolean }) => d.p95_ok && d.errors_ok })
    .orderby('sweep', 'level')
    .select({ run: 'run', label: 'label', sweep: 'sweep', level: 'level', steady_rps: 'rps', steady_p95_ms: 'p95_ms', steady_error_rate: 'error_rate', p95_ok: 'p95_ok', errors_ok: 'errors_ok', ok: 'ok' })
    .objects() as Level[];
}

function levelsTable(levels: readonly Level[], sweepLabel: (id: string | null) => string): TableSpec {
  const verdict = (ok: boolean): string => (ok ? 'pass' : 'fail');
  return {
    id: 'team-slo-levels',
    columns: [
      { key: 'sweep', label: 'Sweep' },
      { key: 'label', label: 'Run' },
      { key: 'level', label: 'Offered /s', unit: 'rate', align: 'right' },
      { key: 'rps', label: 'Achieved /s', unit: 'rate', align: 'right' },
      { key: 'p95_ms', label: 'p95 ms', unit: 'ms', align: 'right' },
      { key: 'error_rate', label: 'Errors', unit: 'share', align: 'right' },
      { key: 'p95', label: `p95 < ${formatValue(BOUNDS.p95Ms, 'ms')}` },
      { key: 'errors', label: `errors < ${formatValue(BOUNDS.errorRate, 'percent')}` },
      { key: 'verdict', label: 'Our SLO' },
    ],
    rows: levels.map((l) => ({ sweep: sweepLabel(l.sweep), label: l.label, level: l.level, rps: l.rps, p95_ms: l.p95_ms, error_rate: l.error_rate, p95: verdict(l.p95_ok), errors: verdict(l.errors_ok), verdict: verdict(l.ok) })),
  };
}

function p95Chart(levels: readonly Level[], sweepLabel: (id: string | null) => string): ChartSpec {
  return {
    id: 'team-slo-p95',
    title: `p95 per level against our bound of ${formatValue(BOUNDS.p95Ms, 'ms')}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 560,
      height: 260,
      layer: [
        {
          data: { values: levels.filter((l) => l.p95_ms !== null).map((l) => ({ sweep: sweepLabel(l.sweep), level: l.level, p95_ms: l.p95_ms })) },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'level', type: 'quantitative', title: 'offered rate (req/s)' },
            y: { field: 'p95_ms', type: 'quantitative', title: 'p95 (ms)', scale: { type: 'log' } },
            color: { field: 'sweep', type: 'nominal', title: null, legend: { labelLimit: 280 } },
          },
        },
        { data: { values: [{ bound: BOUNDS.p95Ms }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#b22222' }, encoding: { y: { field: 'bound', type: 'quantitative' } } },
      ],
    },
  };
}

async function customSloReport(paths: readonly string[], outDir: string) {
  const analysis = await analyze(paths);
  // The Capacity section judges by the same bounds; paths in the report are relative to it.
  const context = analysisContext(analysis, { slo: { p95Ms: BOUNDS.p95Ms, errorRate: BOUNDS.errorRate }, path: (file) => path.relative(outDir, path.resolve(file)) || '.' });
  const sweepLabel = (id: string | null): string => context.sweeps.find((sweep) => sweep.id === id)?.label ?? id ?? '—';
  const levels = levelsAgainst(context, BOUNDS);
  const passing = levels.filter((l) => l.ok).length;
  const failures: Finding[] = levels
    .filter((l) => !l.ok)
    .map((l) => finding('slo', `team:${l.run}`, 'fail', t`${l.label}: breaks our SLO`, t`p95 ${value(l.p95_ms, 'ms')}, errors ${value(l.error_rate, 'share')}`, l.run));
  const capacity = capacityAnalysis.run(context);
  const cells: Cell[] = [
    { kind: 'text', text: t`Our SLO, per level on its steady state: p95 < ${value(BOUNDS.p95Ms, 'ms')} and errors < ${value(BOUNDS.errorRate, 'percent')}. ${passing} of ${levels.length} levels meet it.` },
    { kind: 'table', table: levelsTable(levels, sweepLabel) },
    { kind: 'chart', chart: p95Chart(levels, sweepLabel) },
    { kind: 'findings', findings: failures },
    { kind: 'text', text: t`The Capacity section below judges the same bounds, and also wants each level held (at least 95% of the offered rate achieved, at most 1% of its iterations dropped).` },
    ...(capacity === null ? [] : [{ kind: 'section', section: capacity } as const]),
  ];
  const report: Report = { title: 'Our SLO, level by level', cells };
  const written = await writeReport(outDir, report, context, { toolVersion: 'examples/custom-slo-report' });
  return { written, passing, levels: levels.length };
}

// --- the command line -----------------------------------------------------------------------------

function parse(argv: readonly string[]): { paths: string[]; out: string } | null {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { out: { type: 'string' } }, allowPositionals: true, strict: true });
    return values.out === undefined || positionals.length === 0 ? null : { paths: positionals, out: values.out };
  } catch {
    return null;
  }
}

const args = parse(process.argv.slice(2));
if (args === null) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(1);
}
try {
  const { written, passing, levels } = await customSloReport(args.paths, path.resolve(args.out));
  const shown = (file: string): string => path.relative(process.cwd(), file) || '.';
  const { markdown, html, notebook, json, junit } = written.files;
  process.stdout.write(`custom-slo-report: ${passing} of ${levels} levels meet p95 < ${formatValue(BOUNDS.p95Ms, 'ms')} and errors < ${formatValue(BOUNDS.errorRate, 'percent')}\n`);
  process.stdout.write(`wrote ${[markdown, html, notebook, json, junit].map(shown).join('\n      ')}\n`);
} catch (error) {
  // The library's errors say what is wrong (a path that does not exist, an input it cannot read).
  if (!(error instanceof AnalysisError)) throw error;
  process.stderr.write(`${error.message}\n${error.note === undefined ? '' : `Note: ${error.note}\n`}`);
  process.exit(1);
}
