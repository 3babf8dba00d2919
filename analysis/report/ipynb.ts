/**
 * report.ipynb: the report as a Jupyter notebook (nbformat 4.5) for JupyterLab, VS Code or any other
 * notebook viewer. The Markdown is report.md's: the report's mdast pieces (mdast.ts `reportPieces`:
 * the title, each text, list, table and findings cell, each part of a section) serialised as
 * report.md serialises them, one Markdown cell each. Each chart is a code cell whose output is
 * already there: the Vega-Lite spec (JupyterLab and VS Code draw `application/vnd.vegalite.v5+json`),
 * the SVG of charts/<id>.svg for viewers that only show images, and the title as text. The code is a
 * comment naming the chart, so there is nothing to run and no kernel to start (running such a cell
 * would clear the chart it shows).
 *
 * Written the way Jupyter writes notebooks (nbformat's JSON writer: keys sorted, an indent of one
 * space, text as lists of lines), so the same report gives the same bytes and a notebook saved again
 * in Jupyter changes little.
 */
import { AnalysisError } from '../errors.ts';
import { markdownOf } from './markdown.ts';
import { reportPieces } from './mdast.ts';
import type { ChartSpec, Report } from './section.ts';

export interface NotebookOptions {
  /** Chart id → its SVG (`chartSvg`, or what `writeCharts` returns), for every chart of the report. */
  readonly svgs: ReadonlyMap<string, string>;
}

/**
 * The MIME type of a Vega-Lite spec that JupyterLab (@jupyterlab/vega5-extension) and VS Code draw.
 * The analyses' specs name Vega-Lite 6 but use nothing it added (layers, concatenation, `xOffset`,
 * log scales, rules and bars are all Vega-Lite 5's; the demo's and a comparison's specs compile with
 * vega-lite 5.23 without a warning), so in the notebook they name the v5 schema, as the MIME type does.
 */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';
export const VEGA_LITE_V5_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

type MimeBundle = Readonly<Record<string, unknown>>;

export interface MarkdownCell {
  readonly id: string;
  readonly cell_type: 'markdown';
  readonly metadata: Readonly<Record<string, never>>;
  readonly source: readonly string[];
}

export interface CodeCell {
  readonly id: string;
  readonly cell_type: 'code';
  readonly metadata: Readonly<Record<string, never>>;
  readonly source: readonly string[];
  readonly execution_count: null;
  readonly outputs: readonly { readonly output_type: 'display_data'; readonly data: MimeBundle; readonly metadata: Readonly<Record<string, never>> }[];
}

export interface Notebook {
  readonly nbformat: 4;
  readonly nbformat_minor: 5;
  /** No kernelspec: the notebook opens without a kernel. */
  readonly metadata: { readonly language_info: { readonly name: string } };
  readonly cells: readonly (MarkdownCell | CodeCell)[];
}

export function renderNotebook(report: Report, options: NotebookOptions): string {
  return `${JSON.stringify(sortedKeys(reportNotebook(report, options)), null, 1)}\n`;
}

/** The notebook as an object (what renderNotebook serialises). */
export function reportNotebook(report: Report, options: NotebookOptions): Notebook {
  const cells: (MarkdownCell | CodeCell)[] = [];
  // Ids by position: nbformat 4.5 wants one on every cell, unique, and the same report the same ids.
  const id = (): string => `cell-${cells.length + 1}`;
  // report.md marks a list right after another list with the other bullet, so the two stay two
  // lists (mdast-util-to-markdown); the cells use the bullet report.md does, so their text is its
  // text. A chart is a paragraph there (a link), which ends the run of lists.
  let lastBullet: '*' | '-' | null = null;
  for (const piece of reportPieces(report)) {
    if (piece.kind === 'chart') {
      cells.push(chartCell(piece.chart, id(), options.svgs));
      lastBullet = null;
      continue;
    }
    // A piece holds at most one list, and last (mdast.ts).
    const bullet: '*' | '-' = lastBullet === '*' ? '-' : '*';
    cells.push({ id: id(), cell_type: 'markdown', metadata: {}, source: lines(markdownOf({ type: 'root', children: piece.nodes }, { bullet }).replace(/\n$/, '')) });
    lastBullet = piece.nodes[piece.nodes.length - 1]?.type === 'list' ? bullet : null;
  }
  return { nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: 'python' } }, cells };
}

function chartCell(chart: ChartSpec, id: string, svgs: ReadonlyMap<string, string>): CodeCell {
  const svg = svgs.get(chart.id);
  if (svg === undefined) {
    throw new AnalysisError('usage', `ipynb: no SVG for chart \`${chart.id}\`: expected \`svgs\` to hold one for every chart of the report`, {
      note: 'writeCharts(report, outDir) returns them; chartSvg(chart.spec) renders one',
    });
  }
  const title = chart.title.replace(/\s+/g, ' ');
  return {
    id,
    cell_type: 'code',
    metadata: {},
    source: [`# chart: ${chart.id} — ${title}`],
    execution_count: null,
    outputs: [{ output_type: 'display_data', data: { [VEGA_LITE_MIME]: { ...chart.spec, $schema: VEGA_LITE_V5_SCHEMA }, 'image/svg+xml': lines(svg), 'text/plain': lines(title) }, metadata: {} }],
  };
}

/** Text as nbformat writes it: lines, each with its `\n` but the last (Python's `splitlines(True)`). */
function lines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

/** A copy with every object's keys in order, as nbformat's writer (`sort_keys=True`) has them. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Readonly<Record<string, unknown>>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, sortedKeys(object[key])]),
  );
}
