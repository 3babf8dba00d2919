/**
 * Charts as files: each chart's Vega-Lite spec is compiled to Vega and drawn to SVG in Node with
 * vega's headless string renderer (no browser, no canvas, no network), and written beside the report
 * as `charts/<id>.svg` and `charts/<id>.vl.json` (the spec as it is, data inline, so it opens in the
 * Vega editor). report.html puts the same SVG inline (html.ts).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { AnalysisError } from '../errors.ts';
import { writeAtomically } from '../io.ts';
import type { ChartSpec, Report } from './section.ts';

export interface ChartSvgOptions {
  /** The chart's id, for messages. */
  readonly id?: string;
  /** Where Vega-Lite's and Vega's warnings go (a field missing from the data, a dropped value); dropped by default. */
  readonly onWarning?: (message: string) => void;
}

export interface WrittenChart {
  readonly id: string;
  readonly svg: string;
  readonly spec: TopLevelSpec;
}

/**
 * The chart as an SVG document. The same spec gives the same bytes: vega numbers its clip paths and
 * gradients with module-wide counters, so renders are queued one at a time and the counters reset
 * before each. Anything the spec would load (data, images, links by URL) is refused: a report is
 * self-contained.
 */
export function chartSvg(spec: TopLevelSpec, options: ChartSvgOptions = {}): Promise<string> {
  const render = queue.then(() => renderSvg(spec, options));
  // The queue waits for each render, failed or not; the caller sees the failure.
  queue = render.then(
    () => undefined,
    () => undefined,
  );
  return render;
}

let queue: Promise<void> = Promise.resolve();

async function renderSvg(spec: TopLevelSpec, options: ChartSvgOptions): Promise<string> {
  const { id, onWarning = () => {} } = options;
  const subject = id === undefined ? 'chart' : `chart \`${id}\``;
  const errors: string[] = [];
  const logger = collectingLogger(errors, onWarning);
  let runtime: vega.Runtime;
  try {
    // On a copy: vega tags every datum it ingests (a symbol property), and the report's data is not its to change.
    runtime = vega.parse(compile(structuredClone(spec), { logger }).spec);
  } catch (error) {
    throw new AnalysisError('usage', `${subject}: invalid Vega-Lite spec: ${messageOf(error)}`, { note: 'open its charts/<id>.vl.json in the Vega editor (https://vega.github.io/editor) to see why' });
  }
  const refused: string[] = [];
  const view = new vega.View(runtime, { renderer: 'none', loader: refusingLoader(refused), logger, logLevel: vega.Warn });
  try {
    vega.resetSVGDefIds();
    const svg = await view.toSVG();
    const [url] = refused;
    if (url !== undefined) {
      throw new AnalysisError('usage', `${subject}: refers to \`${url}\`: expected its data inline (\`data: { values: [...] }\`) and no images or links by URL`, {
        note: 'report.html is self-contained and charts/<id>.vl.json opens as it is, so a chart may load nothing',
      });
    }
    const [error] = errors;
    if (error !== undefined) throw new AnalysisError('usage', `${subject}: Vega failed: ${error}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Writes `charts/<id>.vl.json` and `charts/<id>.svg` for every chart of the report (section charts
 * and chart cells, in report order), each to a temporary name first and then renamed. Every SVG is
 * rendered before anything is written, so a chart that fails leaves no files behind.
 */
export async function writeCharts(report: Report, outDir: string): Promise<WrittenChart[]> {
  const charts = chartsOf(report);
  const seen = new Set<string>();
  for (const chart of charts) {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(chart.id)) {
      throw new AnalysisError('usage', `charts: chart id \`${chart.id}\` is not a file name: expected letters, digits, \`.\`, \`_\` and \`-\`, not starting with \`.\``);
    }
    if (seen.has(chart.id)) {
      throw new AnalysisError('usage', `charts: duplicate chart id \`${chart.id}\`: expected each chart of a report to have its own id`, { note: `both would be written to charts/${chart.id}.svg` });
    }
    seen.add(chart.id);
  }
  const written: WrittenChart[] = [];
  for (const chart of charts) written.push({ id: chart.id, svg: await chartSvg(chart.spec, { id: chart.id }), spec: chart.spec });
  if (written.length === 0) return written;
  const dir = path.join(outDir, 'charts');
  await mkdir(dir, { recursive: true });
  for (const chart of written) {
    writeAtomically(path.join(dir, `${chart.id}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
    writeAtomically(path.join(dir, `${chart.id}.svg`), `${chart.svg}\n`);
  }
  return written;
}

/** Every chart of a report, in order: the sections' and the chart cells'. */
export function chartsOf(report: Report): ChartSpec[] {
  return report.cells.flatMap((cell) => (cell.kind === 'chart' ? [cell.chart] : cell.kind === 'section' ? [...cell.section.charts] : []));
}

/**
 * A loader that loads nothing. `load` rejects (vega then warns "Loading failed" and goes on with no
 * data, which is why the URL is also recorded); `sanitize` records and hands back an empty URL rather
 * than rejecting, because vega's SVG link code does not expect a rejection (an unhandled one there
 * would take the process down).
 */
function refusingLoader(refused: string[]): vega.Loader {
  const reject = (uri: string): Promise<never> => {
    refused.push(uri);
    return Promise.reject(new Error(`not loading \`${uri}\`: a report's charts load nothing`));
  };
  return {
    load: reject,
    http: reject,
    file: reject,
    sanitize: (uri) => {
      refused.push(uri);
      return Promise.resolve({ href: '' });
    },
  };
}

function collectingLogger(errors: string[], onWarning: (message: string) => void): vega.LoggerInterface {
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      errors.push(args.map(messageOf).join(' '));
      return this;
    },
    warn(...args: unknown[]) {
      if (level >= vega.Warn) onWarning(args.map(messageOf).join(' '));
      return this;
    },
    info() {
      return this;
    },
    debug() {
      return this;
    },
  };
  return logger;
}

function messageOf(value: unknown): string {
  return value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value);
}
