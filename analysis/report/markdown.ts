/**
 * `report.md`: built as an mdast tree and serialised with mdast-util-to-markdown (GFM tables), so
 * the structure is tested as data and the text is escaped correctly.
 */
import type { Content, List, ListItem, PhrasingContent, Root, Table, TableRow } from 'mdast';
import { gfmTableToMarkdown } from 'mdast-util-gfm-table';
import { toMarkdown } from 'mdast-util-to-markdown';
import type { Analysis } from '../analyze.ts';
import type { Finding } from '../findings.ts';
import { loadgenNumbers, type RunNumbers } from '../model/run.ts';
import type { Run } from '../model/run.ts';
import { PERCENTILE_METHOD } from './analysis-json.ts';

export interface MarkdownOptions {
  readonly toolVersion: string;
  readonly now?: Date;
  /** Paths are shown relative to this folder (the report's), so a report can move with its run. */
  readonly relativePath?: (file: string) => string;
  /** Problems listed per input (all are counted). */
  readonly problemsPerInput?: number;
}

const text = (value: string): PhrasingContent => ({ type: 'text', value });
const code = (value: string): PhrasingContent => ({ type: 'inlineCode', value });
const strong = (value: string): PhrasingContent => ({ type: 'strong', children: [text(value)] });
const paragraph = (...children: PhrasingContent[]): Content => ({ type: 'paragraph', children });
const heading = (depth: 1 | 2 | 3, value: string): Content => ({ type: 'heading', depth, children: [text(value)] });

function table(header: readonly string[], rows: readonly (readonly (string | PhrasingContent[])[])[], align: Table['align']): Table {
  const row = (cells: readonly (string | PhrasingContent[])[]): TableRow => ({
    type: 'tableRow',
    children: cells.map((cell) => ({ type: 'tableCell', children: typeof cell === 'string' ? [text(cell)] : cell })),
  });
  return { type: 'table', align, children: [row(header), ...rows.map(row)] };
}

function list(items: readonly PhrasingContent[][]): List {
  return {
    type: 'list',
    ordered: false,
    spread: false,
    children: items.map((children): ListItem => ({ type: 'listItem', spread: false, children: [{ type: 'paragraph', children }] })),
  };
}

/** The report as an mdast tree. */
export function reportTree(analysis: Analysis, options: MarkdownOptions): Root {
  const { toolVersion, now = new Date(), relativePath = (file: string) => file, problemsPerInput = 5 } = options;
  const children: Content[] = [heading(1, 'k6-capacity report')];
  const runs = analysis.results;
  children.push(
    paragraph(
      text(
        `${runs.length} run${runs.length === 1 ? '' : 's'} from ${analysis.inputs.length} input${analysis.inputs.length === 1 ? '' : 's'}; ` +
          `generated ${now.toISOString()} by k6-capacity ${toolVersion}.`,
      ),
    ),
  );

  children.push(list(headerItems(analysis)));

  children.push(heading(2, 'Runs'));
  if (runs.length === 0) children.push(paragraph(text('No runs: the inputs hold no k6 output or summary.')));
  else children.push(runsTable(runs));

  children.push(heading(2, 'Findings'));
  if (analysis.findings.length === 0) children.push(paragraph(text('No findings.')));
  else children.push(list(sortFindings(analysis.findings).map(findingItem)));

  const resources = resourceRows(runs);
  if (resources.length > 0) {
    children.push(heading(2, 'Resources'));
    children.push(
      paragraph(
        text('CPU and memory per pod (or replica process), and of k6 itself where the sweep sampled it, from the captures taken while each run sent load (captures before and after are left out); means are over captures.'),
      ),
    );
    children.push(table(['Run', 'Pod', 'Captures', 'CPU mean (m)', 'CPU max (m)', 'Memory max (MiB)'], resources, ['left', 'left', 'right', 'right', 'right', 'right']));
  }

  children.push(heading(2, 'Inputs'));
  children.push(
    table(
      ['File', 'Format', 'Lines', 'Skipped', 'Problems'],
      analysis.inputs.map((input) => [[code(relativePath(input.path))], input.format, String(input.lines), String(input.skipped), String(input.problems_total)]),
      ['left', 'left', 'right', 'right', 'right'],
    ),
  );
  const problems = analysis.inputs.filter((input) => input.problems_total > 0);
  for (const input of problems) {
    children.push(paragraph(strong(`Problems in ${relativePath(input.path)}`), text(` (${input.problems_total})`)));
    const shown = input.problems
      .slice(0, problemsPerInput)
      // Messages name their file as it was read; shown relative to the report like the table.
      .map((problem): PhrasingContent[] => [
        ...(problem.line === null ? [] : [text(`line ${problem.line}: `)]),
        ...rich(problem.message.split(input.path).join(relativePath(input.path))),
      ]);
    if (input.problems_total > shown.length) shown.push([text(`… and ${input.problems_total - shown.length} more (all in analysis.json)`)]);
    children.push(list(shown));
  }

  children.push(heading(2, 'Method'));
  children.push(
    list([
      rich(`Latency is \`http_req_duration\` over all requests of a run; ${PERCENTILE_METHOD}.`),
      rich("Achieved rate = requests ÷ duration, where the duration is k6's test run duration when a summary is present, else the span of the samples."),
      rich('Error rate = `http_req_failed` samples equal to 1 ÷ requests. Dropped = `dropped_iterations`: iterations k6 could not start on time.'),
    ]),
  );
  return { type: 'root', children };
}

/** What was run, against what, with what, on what: one line each, "not recorded" where unknown. */
function headerItems(analysis: Analysis): PhrasingContent[][] {
  const manifests = analysis.manifests.map((m) => m.manifest);
  const distinct = (values: readonly (string | null | undefined)[]): string[] => [...new Set(values.filter((v): v is string => v !== null && v !== undefined && v !== ''))];
  const join = (values: readonly string[], missing: string): PhrasingContent[] =>
    values.length === 0 ? [text(missing)] : values.flatMap((value, i) => [...(i > 0 ? [text(', ')] : []), code(value)]);
  const runs = analysis.results.map(({ run }) => run);
  const items: PhrasingContent[][] = [];
  items.push([
    strong('Sweep'),
    text(': '),
    ...(manifests.length === 0
      ? [text('none (runs from files without a manifest.json)')]
      : manifests.flatMap((m, i) => [...(i > 0 ? [text(', ')] : []), code(m.id), text(` (${m.plan?.mode ?? 'sweep'}, ${m.levels.length} level${m.levels.length === 1 ? '' : 's'}, created ${m.created_at})`)])),
  ]);
  const targets = distinct([...manifests.map((m) => `${m.target.name} (${m.target.kind})`), ...(manifests.length === 0 ? runs.map((r) => r.target) : [])]);
  items.push([strong('Target'), text(': '), ...join(targets, 'not recorded')]);
  items.push([strong('Scenario'), text(': '), ...join(distinct(runs.map((r) => r.scenario)), 'not recorded')]);
  const k6Versions = distinct([...manifests.map((m) => m.k6_version), ...runs.map((r) => r.summary?.k6Version)]).map((v) => `v${v}`);
  items.push([strong('k6'), text(': '), ...join(k6Versions, 'version not recorded (no manifest.json, and k6 summaries do not carry it)')]);
  const hosts = distinct(
    manifests.map((m) => (m.host === undefined ? null : `${m.host.cores} cores, ${(m.host.memory_bytes / 2 ** 30).toFixed(1)} GiB${m.host.cpu_model === null ? '' : `, ${m.host.cpu_model}`}, ${m.host.platform}`)),
  );
  items.push([strong('Load generator host'), text(': '), ...(hosts.length === 0 ? [text('not recorded (the manifest predates it, or there is none)')] : hosts.map((h, i) => text(`${i > 0 ? '; ' : ''}${h}`)))]);
  return items;
}

export function renderMarkdown(analysis: Analysis, options: MarkdownOptions): string {
  return toMarkdown(reportTree(analysis, options), { extensions: [gfmTableToMarkdown()] });
}

function runsTable(results: readonly { run: Run; numbers: RunNumbers }[]): Table {
  const withReplicas = results.some(({ run }) => run.replicas !== null);
  const header = ['Run', ...(withReplicas ? ['Replicas'] : []), 'Scenario', 'Target /s', 'Achieved /s', 'p50 ms', 'p95 ms', 'p99 ms', 'Errors', 'Dropped', 'Status'];
  const rows = results.map(({ run, numbers }) => [
    run.label,
    ...(withReplicas ? [run.replicas === null ? '—' : String(run.replicas)] : []),
    run.scenario ?? '—',
    run.level === null ? (run.levels.length > 0 ? `${run.levels[0]}–${run.levels[run.levels.length - 1]}` : '—') : formatRate(run.level),
    numbers.rps === null ? '—' : formatRate(numbers.rps),
    ms(numbers.latency_ms.p50),
    ms(numbers.latency_ms.p95),
    ms(numbers.latency_ms.p99),
    numbers.error_rate === null ? '—' : `${(numbers.error_rate * 100).toFixed(2)}%`,
    numbers.source === 'none' ? '—' : String(numbers.dropped_iterations),
    run.status,
  ]);
  return table(header, rows, ['left', ...(withReplicas ? (['right'] as const) : []), 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left']);
}

/** Text whose backticked parts become inline code (finding details and messages are written so). */
function rich(value: string): PhrasingContent[] {
  return value
    .split(/(`[^`]*`)/)
    .filter((part) => part !== '')
    .map((part) => (part.startsWith('`') && part.endsWith('`') && part.length >= 2 ? code(part.slice(1, -1)) : text(part)));
}

function findingItem(finding: Finding): PhrasingContent[] {
  const detail = rich(finding.detail);
  return [strong(finding.severity), ...rich(` ${finding.title}`), ...(detail.length > 0 ? [text(': '), ...detail] : [])];
}

const SEVERITY_ORDER = { fail: 0, warn: 1, info: 2 } as const;

function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

function resourceRows(results: readonly { run: Run; numbers: RunNumbers }[]): string[][] {
  const rows: string[][] = [];
  for (const { run, numbers } of results) {
    const byPod = new Map<string, { cpu: number[]; memory: number[] }>();
    const from = numbers.start === null ? Number.NEGATIVE_INFINITY : Date.parse(numbers.start);
    // The last capture during the load may come a moment after the last sample.
    const to = numbers.end === null ? Number.POSITIVE_INFINITY : Date.parse(numbers.end) + 1000;
    for (const snapshot of run.snapshots) {
      if (snapshot.capturedAtMs === null || snapshot.capturedAtMs < from || snapshot.capturedAtMs > to) continue;
      for (const pod of snapshot.pods) {
        const key = pod.namespace === null ? pod.pod : `${pod.namespace}/${pod.pod}`;
        const entry = byPod.get(key) ?? { cpu: [], memory: [] };
        if (pod.cpuMillicores !== null) entry.cpu.push(pod.cpuMillicores);
        if (pod.memoryBytes !== null) entry.memory.push(pod.memoryBytes);
        byPod.set(key, entry);
      }
    }
    for (const [pod, { cpu, memory }] of [...byPod].sort(([a], [b]) => a.localeCompare(b))) {
      rows.push([
        run.label,
        pod,
        String(Math.max(cpu.length, memory.length)),
        cpu.length === 0 ? '—' : (cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(0),
        cpu.length === 0 ? '—' : Math.max(...cpu).toFixed(0),
        memory.length === 0 ? '—' : (Math.max(...memory) / 1048576).toFixed(1),
      ]);
    }
    const loadgen = loadgenNumbers(run);
    if (loadgen.samples > 0) {
      rows.push([
        run.label,
        'k6 (load generator)',
        String(loadgen.samples),
        loadgen.cpu_mean_millicores === null ? '—' : loadgen.cpu_mean_millicores.toFixed(0),
        loadgen.cpu_max_millicores === null ? '—' : loadgen.cpu_max_millicores.toFixed(0),
        loadgen.memory_max_bytes === null ? '—' : (loadgen.memory_max_bytes / 1048576).toFixed(1),
      ]);
    }
  }
  return rows;
}

function ms(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function formatRate(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
