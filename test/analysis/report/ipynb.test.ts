/**
 * report.ipynb, exactly: the notebook a small report makes; report.md's text in its Markdown cells
 * (bullets included); each chart a code cell with the spec, the SVG and the title; the same bytes
 * for the same report; and the notebooks `analyze` and `compare` write for real runs, valid against
 * nbformat's own schema.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../analysis/cli.ts';
import { runCompare } from '../../../analysis/compare-cli.ts';
import { finding } from '../../../analysis/findings.ts';
import { chartsOf } from '../../../analysis/report/charts.ts';
import { renderNotebook, VEGA_LITE_MIME, VEGA_LITE_V5_SCHEMA } from '../../../analysis/report/ipynb.ts';
import { renderMarkdown } from '../../../analysis/report/markdown.ts';
import { section, type Report } from '../../../analysis/report/section.ts';
import { code, t, value } from '../../../analysis/report/text.ts';
import { repoRoot } from '../../../scripts/lib/cli.ts';
import { notebookBlocks, notebookCharts, notebookProblems, reportMdBlocks, type NotebookJson } from '../../helpers/nbformat.ts';
import { sampleReport } from './report-fixture.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-ipynb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">\n<path d="M0,10L20,0"/></svg>';
const svgsOf = (report: Report): Map<string, string> => new Map(chartsOf(report).map((chart) => [chart.id, SVG]));
const parse = (text: string): NotebookJson => JSON.parse(text) as NotebookJson;

const small: Report = deepFreeze({
  title: 'Report',
  cells: [
    { kind: 'text', text: t`2 runs; p95 ${value(12.345, 'ms')} at ${code('tps-10')}.` },
    {
      kind: 'section',
      section: section({
        id: 'capacity',
        title: 'Capacity',
        summary: [t`It **holds** ${value(40, 'rate')}.`, t`The knee is at ${value(20, 'rate')}.`],
        findings: [finding('slo', 'tps-20', 'fail', t`tps-20: breaks`, t`p95 ${value(812, 'ms')}`)],
        tables: [
          {
            id: 'levels',
            title: 'Levels',
            caption: t`Steady state.`,
            columns: [
              { key: 'run', label: 'Run' },
              { key: 'p95', label: 'p95 ms', unit: 'ms', align: 'right' },
            ],
            rows: [
              { run: 'tps-10', p95: 12.345 },
              { run: 'tps-20', p95: null },
            ],
          },
        ],
        // A title over two lines still makes a one-line comment.
        charts: [{ id: 'latency', title: 'Latency\nper level', spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { values: [{ x: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } } }],
        notes: [t`Method: R-7.`],
      }),
    },
    { kind: 'findings', findings: [] },
  ],
} satisfies Report);

const markdownCell = (id: number, ...source: string[]): string[] => [
  '  {',
  '   "cell_type": "markdown",',
  `   "id": "cell-${id}",`,
  '   "metadata": {},',
  '   "source": [',
  ...source.map((line, i) => `    ${JSON.stringify(line)}${i < source.length - 1 ? ',' : ''}`),
  '   ]',
  '  },',
];

describe('renderNotebook', () => {
  it('renders a small report exactly: one Markdown cell per piece, the chart a code cell with its output', () => {
    expect(renderNotebook(small, { svgs: new Map([['latency', SVG]]) })).toBe(
      [
        '{',
        ' "cells": [',
        ...markdownCell(1, '# Report'),
        ...markdownCell(2, '2 runs; p95 12.3 ms at `tps-10`.'),
        ...markdownCell(3, '## Capacity'),
        ...markdownCell(4, 'It **holds** 40 req/s.\n', '\n', 'The knee is at 20 req/s.'),
        ...markdownCell(5, '* **fail** tps-20: breaks: p95 812 ms'),
        ...markdownCell(6, '### Levels\n', '\n', '| Run    | p95 ms |\n', '| :----- | -----: |\n', '| tps-10 |   12.3 |\n', '| tps-20 |      — |\n', '\n', 'Steady state.'),
        '  {',
        '   "cell_type": "code",',
        '   "execution_count": null,',
        '   "id": "cell-7",',
        '   "metadata": {},',
        '   "outputs": [',
        '    {',
        '     "data": {',
        '      "application/vnd.vegalite.v5+json": {',
        '       "$schema": "https://vega.github.io/schema/vega-lite/v5.json",',
        '       "data": {',
        '        "values": [',
        '         {',
        '          "x": 1',
        '         }',
        '        ]',
        '       },',
        '       "encoding": {',
        '        "x": {',
        '         "field": "x",',
        '         "type": "quantitative"',
        '        }',
        '       },',
        '       "mark": "point"',
        '      },',
        '      "image/svg+xml": [',
        '       "<svg xmlns=\\"http://www.w3.org/2000/svg\\" width=\\"20\\" height=\\"10\\">\\n",',
        '       "<path d=\\"M0,10L20,0\\"/></svg>"',
        '      ],',
        '      "text/plain": [',
        '       "Latency per level"',
        '      ]',
        '     },',
        '     "metadata": {},',
        '     "output_type": "display_data"',
        '    }',
        '   ],',
        '   "source": [',
        '    "# chart: latency — Latency per level"',
        '   ]',
        '  },',
        ...markdownCell(8, '* Method: R-7.'),
        ...markdownCell(9, 'No findings.').slice(0, -1),
        '  }',
        ' ],',
        ' "metadata": {',
        '  "language_info": {',
        '   "name": "python"',
        '  }',
        ' },',
        ' "nbformat": 4,',
        ' "nbformat_minor": 5',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('holds report.md in its Markdown cells, and every chart, in order, with the spec (v5), the SVG and the title', () => {
    const report = deepFreeze(sampleReport());
    const notebook = parse(renderNotebook(report, { svgs: svgsOf(report) }));
    expect(notebookProblems(notebook)).toEqual([]);
    expect(notebookBlocks(notebook)).toEqual(reportMdBlocks(renderMarkdown(report)));
    const charts = chartsOf(report);
    expect(notebookCharts(notebook).map(({ id, title, mimeTypes }) => ({ id, title, mimeTypes }))).toEqual(
      charts.map((chart) => ({ id: chart.id, title: chart.title, mimeTypes: [VEGA_LITE_MIME, 'image/svg+xml', 'text/plain'] })),
    );
    notebookCharts(notebook).forEach(({ data }, i) => {
      expect(data[VEGA_LITE_MIME]).toEqual({ ...charts[i]?.spec, $schema: VEGA_LITE_V5_SCHEMA });
      expect((data['image/svg+xml'] as string[]).join('')).toBe(SVG);
    });
  });

  it('writes a list right after another with the other bullet, as report.md does, so the text is the same', () => {
    const item = finding('slo', 'a', 'warn', t`a: slow`, []);
    const report: Report = {
      title: 'Lists',
      cells: [
        { kind: 'list', items: [t`one`] },
        { kind: 'findings', findings: [item] },
        { kind: 'list', items: [t`three`] },
        { kind: 'section', section: section({ id: 's', title: 'S', findings: [item], notes: [t`a note`] }) },
        { kind: 'section', section: section({ id: 't', title: 'T', findings: [item], charts: [{ id: 'c', title: 'C', spec: { data: { values: [] }, mark: 'point' } }], notes: [t`after a chart`] }) },
      ],
    };
    const notebook = parse(renderNotebook(report, { svgs: svgsOf(report) }));
    expect(notebook.cells.map((cell) => cell.source.join(''))).toEqual([
      '# Lists',
      '* one',
      '- **warn** a: slow',
      '* three',
      '## S',
      '* **warn** a: slow',
      '- a note',
      '## T',
      '* **warn** a: slow',
      '# chart: c — C',
      '* after a chart',
    ]);
    expect(notebookBlocks(notebook)).toEqual(reportMdBlocks(renderMarkdown(report)));
  });

  it('gives the same bytes for the same report, and leaves the report as it was', () => {
    const report = deepFreeze(sampleReport());
    expect(renderNotebook(report, { svgs: svgsOf(report) })).toBe(renderNotebook(sampleReport(), { svgs: svgsOf(report) }));
  });

  it('refuses a chart without its SVG, naming it', () => {
    expect(() => renderNotebook(small, { svgs: new Map() })).toThrow(
      expect.objectContaining({
        name: 'AnalysisError',
        code: 'usage',
        message: 'ipynb: no SVG for chart `latency`: expected `svgs` to hold one for every chart of the report',
        note: 'writeCharts(report, outDir) returns them; chartSvg(chart.spec) renders one',
      }),
    );
  });
});

describe('report.ipynb of real runs', () => {
  const io = { stdout: () => {}, stderr: (s: string) => process.stderr.write(s), cwd: repoRoot };
  const demo = path.join(repoRoot, 'results-samples', 'demo');

  /** What every written notebook must be: valid, report.md's text, every chart of charts/ drawn. */
  function expectNotebookOf(dir: string): NotebookJson {
    const notebook = parse(readFileSync(path.join(dir, 'report.ipynb'), 'utf8'));
    expect(notebookProblems(notebook)).toEqual([]);
    expect(notebookBlocks(notebook)).toEqual(reportMdBlocks(readFileSync(path.join(dir, 'report.md'), 'utf8')));
    const files = readdirSync(path.join(dir, 'charts')).filter((file) => file.endsWith('.vl.json'));
    const charts = notebookCharts(notebook);
    expect(charts.map((chart) => `${chart.id}.vl.json`).sort()).toEqual(files.sort());
    for (const chart of charts) {
      expect(chart.mimeTypes).toEqual([VEGA_LITE_MIME, 'image/svg+xml', 'text/plain']);
      const spec = JSON.parse(readFileSync(path.join(dir, 'charts', `${chart.id}.vl.json`), 'utf8')) as object;
      expect(chart.data[VEGA_LITE_MIME]).toEqual({ ...spec, $schema: VEGA_LITE_V5_SCHEMA });
      expect((chart.data['image/svg+xml'] as string[]).join('')).toBe(readFileSync(path.join(dir, 'charts', `${chart.id}.svg`), 'utf8').replace(/\n$/, ''));
    }
    return notebook;
  }

  it('analyze results-samples/demo', async () => {
    const out = path.join(work, 'demo');
    expect((await runCli([demo, '--out', out], io)).exitCode).toBe(0);
    const notebook = expectNotebookOf(out);
    expect(notebookCharts(notebook).map((chart) => chart.id)).toContain('demo-sample-r1-latency-vs-rate');
  });

  it('compare results-samples/demo with itself', async () => {
    const out = path.join(work, 'compare');
    expect((await runCompare([demo, demo, '--out', out], io)).exitCode).toBe(0);
    const notebook = expectNotebookOf(out);
    expect(notebookCharts(notebook).map((chart) => chart.id)).toEqual(expect.arrayContaining(['comparison-demo-2-deltas', 'demo-demo-sample-r1-latency-vs-rate', 'demo-2-demo-sample-r1-latency-vs-rate']));
  });
});
