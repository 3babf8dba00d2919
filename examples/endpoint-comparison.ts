/**
 * A custom comparison from the library (analysis/index.ts): two run folders, endpoint by endpoint.
 * The endpoints table of each side (the context's arquero `endpoints` table: per run per endpoint,
 * steady state); the p95 of each endpoint side by side for the runs the comparison matched, as a
 * table and a grouped bar chart; then the built-in comparison section (`comparisonSection`: each
 * metric tested, with its verdict). Writes report.md, report.html, report.ipynb, analysis.json,
 * junit.xml and charts/ into `--out`.
 *
 *   node --import tsx examples/endpoint-comparison.ts results-samples/demo/r1-tps-250 results-samples/demo/r2-tps-250 --out runs/endpoints
 *
 * Each side is a sweep, a run or a file, as for `npm run analyze`; runs are matched as the
 * comparison matches them (by level and replica count; one run a side is a match as it is).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { from, type ColumnTable } from 'arquero';
import {
  AnalysisError,
  analysisContext,
  analyze,
  compareSides,
  comparisonSection,
  mergeAnalyses,
  t,
  writeReport,
  type Cell,
  type ChartSpec,
  type Report,
  type Side,
  type TableSpec,
} from '../analysis/index.ts';

const USAGE = 'usage: node --import tsx examples/endpoint-comparison.ts <baseline> <candidate> --out DIR';

type Role = 'baseline' | 'candidate';

/** An endpoint as the tables below show it: the method and k6's `name` tag. */
interface EndpointRow {
  readonly method: string | null;
  readonly name: string;
}

/** The runs the comparison matched, one row each: what the endpoints of both sides are lined up by. */
function matchedPairs(baseline: Side, candidate: Side): { pair: string; baseline_run: string; candidate_run: string }[] {
  const label = (side: Side, run: string): string => side.context.analysis.runs.find((r) => r.id === run)?.label ?? run;
  const pairs = new Map<string, { pair: string; baseline_run: string; candidate_run: string }>();
  for (const c of compareSides(baseline, candidate).comparisons) {
    pairs.set(`${c.baseline_run}\n${c.candidate_run}`, { pair: `${label(baseline, c.baseline_run)} → ${label(candidate, c.candidate_run)}`, baseline_run: c.baseline_run, candidate_run: c.candidate_run });
  }
  return [...pairs.values()];
}

/** One side's endpoints of the matched runs, long: pair, endpoint, role, side, p95_ms. */
function sideEndpoints(side: Side, role: Role, pairs: ReturnType<typeof matchedPairs>): ColumnTable {
  return side.context.endpoints
    .join(from(pairs.map((p) => ({ run: role === 'baseline' ? p.baseline_run : p.candidate_run, pair: p.pair }))), 'run')
    .params({ role, side: side.label })
    .derive({
      endpoint: (d: EndpointRow) => (d.method === null ? d.name : d.method + ' ' + d.name),
      role: (_d: unknown, $: { role: Role }) => $.role,
      side: (_d: unknown, $: { side: string }) => $.side,
    })
    .select('pair', 'endpoint', 'role', 'side', 'p95_ms');
}

/** Every endpoint of a side's runs, as the table of that side. */
function endpointsTable(side: Side, role: Role): TableSpec {
  const labels = side.context.runs.select('run', 'label');
  const rows = side.context.endpoints
    .join(labels, 'run')
    .derive({ endpoint: (d: EndpointRow) => (d.method === null ? d.name : d.method + ' ' + d.name) })
    .orderby('label', 'endpoint')
    .objects() as { label: string; endpoint: string; requests: number; share: number; error_rate: number | null; p50_ms: number | null; p95_ms: number | null; p99_ms: number | null }[];
  return {
    id: `endpoints-${role}`,
    columns: [
      { key: 'label', label: 'Run' },
      { key: 'endpoint', label: 'Endpoint' },
      { key: 'requests', label: 'Requests', unit: 'count', align: 'right' },
      { key: 'share', label: 'Share', unit: 'share', align: 'right' },
      { key: 'p50_ms', label: 'p50 ms', unit: 'ms', align: 'right' },
      { key: 'p95_ms', label: 'p95 ms', unit: 'ms', align: 'right' },
      { key: 'p99_ms', label: 'p99 ms', unit: 'ms', align: 'right' },
      { key: 'error_rate', label: 'Errors', unit: 'share', align: 'right' },
    ],
    rows: rows.map((r) => ({ ...r })),
  };
}

async function endpointComparison(given: readonly [string, string], outDir: string) {
  const shown = (file: string): string => path.relative(outDir, path.resolve(file)) || '.';
  // Sides named by their folders; the same folder twice is still two sides.
  const names = given.map((p) => path.basename(path.resolve(p)));
  const labels = names[0] === names[1] ? [names[0] as string, `${names[1] as string} (2)`] : names;
  const sides: Side[] = [];
  for (const [i, p] of given.entries()) sides.push({ label: labels[i] as string, context: analysisContext(await analyze([p]), { path: shown }) });
  const [baseline, candidate] = sides as [Side, Side];

  const pairs = matchedPairs(baseline, candidate);
  const long = sideEndpoints(baseline, 'baseline', pairs).concat(sideEndpoints(candidate, 'candidate', pairs)).orderby('pair', 'endpoint');
  const wide = long
    .groupby('pair', 'endpoint')
    .pivot('role', 'p95_ms')
    .orderby('pair', 'endpoint')
    .objects() as { pair: string; endpoint: string; baseline?: number | null; candidate?: number | null }[];
  const p95Table: TableSpec = {
    id: 'endpoints-p95',
    columns: [
      { key: 'pair', label: 'Runs' },
      { key: 'endpoint', label: 'Endpoint' },
      { key: 'baseline', label: `p95 ms ${baseline.label}`, unit: 'ms', align: 'right' },
      { key: 'candidate', label: `p95 ms ${candidate.label}`, unit: 'ms', align: 'right' },
      { key: 'change', label: 'Change', unit: 'delta', align: 'right' },
    ],
    rows: wide.map((r) => {
      const b = r.baseline ?? null;
      const c = r.candidate ?? null;
      return { pair: r.pair, endpoint: r.endpoint, baseline: b, candidate: c, change: b === null || c === null || b === 0 ? null : c / b - 1 };
    }),
  };
  const chart: ChartSpec = {
    id: 'endpoints-p95',
    title: `p95 per endpoint: ${baseline.label} and ${candidate.label}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: long.objects().filter((r) => (r as { p95_ms: number | null }).p95_ms !== null) },
      mark: { type: 'bar' },
      width: 240,
      height: 220,
      encoding: {
        column: { field: 'pair', type: 'nominal', title: null },
        x: { field: 'endpoint', type: 'nominal', title: null },
        xOffset: { field: 'side', type: 'nominal', sort: [baseline.label, candidate.label] },
        y: { field: 'p95_ms', type: 'quantitative', title: 'p95 (ms)' },
        color: { field: 'side', type: 'nominal', title: null, sort: [baseline.label, candidate.label] },
      },
    },
  };

  const cells: Cell[] = [
    { kind: 'text', text: t`${candidate.label} against ${baseline.label}, endpoint by endpoint; each run's steady state (its warm-up left out).` },
    { kind: 'text', text: t`${['**Baseline**']} ${baseline.label}: its endpoints.` },
    { kind: 'table', table: endpointsTable(baseline, 'baseline') },
    { kind: 'text', text: t`${['**Candidate**']} ${candidate.label}: its endpoints.` },
    { kind: 'table', table: endpointsTable(candidate, 'candidate') },
    { kind: 'text', text: t`p95 per endpoint of the runs the comparison matched (not tested here; the comparison below tests each run's p95 as a whole).` },
    { kind: 'table', table: p95Table },
    { kind: 'chart', chart },
    { kind: 'section', section: comparisonSection(baseline, candidate) },
  ];
  const report: Report = { title: `Endpoints: ${candidate.label} against ${baseline.label}`, cells };
  // analysis.json gets both sides' runs (and the comparison's data under `comparisons`).
  const together = analysisContext(mergeAnalyses(sides.map((side) => side.context.analysis)), { path: shown });
  const written = await writeReport(outDir, report, together, { toolVersion: 'examples/endpoint-comparison' });
  return { written, pairs: pairs.length, endpoints: wide.length };
}

// --- the command line -----------------------------------------------------------------------------

function parse(argv: readonly string[]): { paths: [string, string]; out: string } | null {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { out: { type: 'string' } }, allowPositionals: true, strict: true });
    const [baseline, candidate, ...rest] = positionals;
    return values.out === undefined || baseline === undefined || candidate === undefined || rest.length > 0 ? null : { paths: [baseline, candidate], out: values.out };
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
  const { written, pairs, endpoints } = await endpointComparison(args.paths, path.resolve(args.out));
  const shown = (file: string): string => path.relative(process.cwd(), file) || '.';
  const { markdown, html, notebook, json, junit } = written.files;
  process.stdout.write(`endpoint-comparison: ${endpoints} endpoint rows over ${pairs} matched ${pairs === 1 ? 'pair' : 'pairs'} of runs\n`);
  process.stdout.write(`wrote ${[markdown, html, notebook, json, junit].map(shown).join('\n      ')}\n`);
} catch (error) {
  // The library's errors say what is wrong (a path that does not exist, an input it cannot read).
  if (!(error instanceof AnalysisError)) throw error;
  process.stderr.write(`${error.message}\n${error.note === undefined ? '' : `Note: ${error.note}\n`}`);
  process.exit(1);
}
