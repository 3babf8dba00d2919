/**
 * Writes a report's files into one folder: report.md, report.html (self-contained, charts inline),
 * report.ipynb (a Jupyter notebook, charts drawn), analysis.json, junit.xml and charts/<id>.vl.json
 * (+ .svg). Each file is written whole to a temporary name and renamed, so a reader never sees half
 * a report.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AnalysisContext } from '../analyses/context.ts';
import { writeAtomically } from '../io.ts';
import { toAnalysisJson, type AnalysisJson } from './analysis-json.ts';
import { writeCharts } from './charts.ts';
import { renderHtml } from './html.ts';
import { renderNotebook } from './ipynb.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './section.ts';

export interface WrittenReport {
  readonly dir: string;
  readonly files: { readonly markdown: string; readonly html: string; readonly notebook: string; readonly json: string; readonly junit: string; readonly charts: readonly string[] };
  readonly json: AnalysisJson;
}

/**
 * `data` is what analysis.json holds: a context (one set of runs: `toAnalysisJson`) or, for a
 * report over several (a comparison), the document itself.
 */
export async function writeReport(
  outDir: string,
  report: Report,
  data: AnalysisContext | AnalysisJson,
  options: { toolVersion: string; now?: Date },
): Promise<WrittenReport> {
  mkdirSync(outDir, { recursive: true });
  const json = 'schemaVersion' in data ? data : toAnalysisJson(data, report, options);
  const charts = await writeCharts(report, outDir);
  const files = {
    markdown: path.join(outDir, 'report.md'),
    html: path.join(outDir, 'report.html'),
    notebook: path.join(outDir, 'report.ipynb'),
    json: path.join(outDir, 'analysis.json'),
    junit: path.join(outDir, 'junit.xml'),
    charts: charts.map((chart) => path.join(outDir, 'charts', `${chart.id}.vl.json`)),
  };
  writeAtomically(files.json, `${JSON.stringify(json, null, 2)}\n`);
  writeAtomically(files.markdown, renderMarkdown(report));
  writeAtomically(files.junit, renderJunit(report));
  const svgs = new Map(charts.map((chart) => [chart.id, chart.svg]));
  writeAtomically(files.html, renderHtml(report, { svgs }));
  writeAtomically(files.notebook, renderNotebook(report, { svgs }));
  return { dir: outDir, files, json };
}
