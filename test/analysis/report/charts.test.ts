/**
 * charts.ts: Vega-Lite → Vega → SVG in Node, the same bytes for the same spec, nothing loaded, and
 * charts/<id>.vl.json + .svg written whole.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { chartSvg, chartsOf, writeCharts } from '../../../analysis/report/charts.ts';
import { PERCENT_AXIS, section, type ChartSpec, type Report } from '../../../analysis/report/section.ts';
import { CHARTS } from './report-fixture.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-charts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

// `clip: true` makes vega write clip paths, whose ids come from a module-wide counter.
const small = deepFreeze({
  width: 120,
  height: 60,
  data: { values: [{ x: 1, y: 2 }, { x: 2, y: 5 }, { x: 3, y: 4 }] },
  mark: { type: 'line', point: true, clip: true },
  encoding: { x: { field: 'x', type: 'quantitative', title: 'offered rate (req/s)' }, y: { field: 'y', type: 'quantitative', title: 'p95 (ms)' } },
}) as TopLevelSpec;

const count = (text: string, part: string): number => text.split(part).length - 1;

describe('chartSvg', () => {
  it('draws the axes with their titles and one mark per datum', async () => {
    const svg = await chartSvg(small);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" class="marks" width="')).toBe(true);
    expect(svg).toContain('font-size="11px" font-weight="bold" fill="#000" opacity="1">offered rate (req/s)</text>');
    expect(svg).toContain('font-size="11px" font-weight="bold" fill="#000" opacity="1">p95 (ms)</text>');
    expect(count(svg, 'aria-roledescription="axis"')).toBe(2);
    expect(count(svg, 'aria-roledescription="line mark"')).toBe(1);
    expect(count(svg, 'aria-roledescription="point"')).toBe(3);
    expect(svg).toContain('<clipPath id="clip1">');
  });

  it('labels a share axis (error rates) in percent without six decimals, also when every value is 0', async () => {
    const shares = (values: number[]) =>
      chartSvg({ ...small, data: { values: values.map((y, x) => ({ x, y })) }, encoding: { ...(small as { encoding: object }).encoding, y: { field: 'y', type: 'quantitative', axis: PERCENT_AXIS } } } as TopLevelSpec);
    const ticks = (svg: string): string[] => [...svg.matchAll(/>(-?[\d.]+%)<\/text>/g)].map((m) => m[1] as string);
    // d3's bare `%` gave `0.000000%` for the demo's error-free sweeps.
    expect(ticks(await shares([0, 0, 0]))).toEqual(['0%']);
    expect(ticks(await shares([0, 0.004, 0.015]))).toEqual(['0%', '1%']);
  });

  it('gives the same bytes for the same spec, one after another or at once', async () => {
    const first = await chartSvg(small);
    const other = CHARTS[0]?.spec as TopLevelSpec;
    const [a, b, c] = await Promise.all([chartSvg(small), chartSvg(other), chartSvg(small)]);
    expect(a).toBe(first);
    expect(c).toBe(first);
    expect(b).toBe(await chartSvg(other));
  });

  it('escapes text from the data', async () => {
    const svg = await chartSvg({ ...small, title: '<script>alert(1)</script>' } as TopLevelSpec);
    expect(svg).toContain('>&lt;script&gt;alert(1)&lt;/script&gt;</text>');
    expect(svg).not.toContain('<script');
  });

  it.each([
    ['data by URL', { data: { url: 'http://127.0.0.1:9/data.json' }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } }, 'http://127.0.0.1:9/data.json'],
    ['an image by URL', { width: 10, height: 10, data: { values: [{ u: 'http://127.0.0.1:9/x.png' }] }, mark: 'image', encoding: { url: { field: 'u' } } }, 'http://127.0.0.1:9/x.png'],
    ['a link', { data: { values: [{ u: 'javascript:alert(1)', x: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, href: { field: 'u' } } }, 'javascript:alert(1)'],
  ])('refuses %s', async (_what, spec, url) => {
    await expect(chartSvg(spec as TopLevelSpec, { id: 'c' })).rejects.toMatchObject({
      name: 'AnalysisError',
      code: 'usage',
      message: `chart \`c\`: refers to \`${url}\`: expected its data inline (\`data: { values: [...] }\`) and no images or links by URL`,
      note: 'report.html is self-contained and charts/<id>.vl.json opens as it is, so a chart may load nothing',
    });
  });

  it('hands warnings to onWarning', async () => {
    const warnings: string[] = [];
    await chartSvg({ data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'b', type: 'quantitative' } } }, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual(['Infinite extent for field "b": [Infinity, -Infinity]']);
  });
});

const chart = (id: string, spec: TopLevelSpec = small): ChartSpec => ({ id, title: id, spec });

describe('chartsOf', () => {
  it('lists section charts and chart cells in report order', () => {
    const report: Report = {
      title: 'r',
      cells: [
        { kind: 'chart', chart: chart('a') },
        { kind: 'section', section: section({ id: 's', title: 's', charts: [chart('b'), chart('c')] }) },
        { kind: 'text', text: ['x'] },
        { kind: 'chart', chart: chart('d') },
      ],
    };
    expect(chartsOf(report).map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('writeCharts', () => {
  it('writes each chart as charts/<id>.vl.json and charts/<id>.svg', async () => {
    const out = path.join(work, 'written');
    const other = CHARTS[2]?.spec as TopLevelSpec;
    const report: Report = { title: 'r', cells: [{ kind: 'section', section: section({ id: 's', title: 's', charts: [chart('latency', small)] }) }, { kind: 'chart', chart: chart('errors', other) }] };
    const written = await writeCharts(report, out);
    expect(written.map((w) => w.id)).toEqual(['latency', 'errors']);
    expect(readdirSync(path.join(out, 'charts')).sort()).toEqual(['errors.svg', 'errors.vl.json', 'latency.svg', 'latency.vl.json']);
    expect(JSON.parse(readFileSync(path.join(out, 'charts', 'latency.vl.json'), 'utf8'))).toEqual(small);
    expect(readFileSync(path.join(out, 'charts', 'latency.vl.json'), 'utf8')).toBe(`${JSON.stringify(small, null, 2)}\n`);
    expect(JSON.parse(readFileSync(path.join(out, 'charts', 'errors.vl.json'), 'utf8'))).toEqual(other);
    expect(written[0]?.spec).toBe(small);
    expect(written[0]?.svg).toBe(await chartSvg(small));
    expect(readFileSync(path.join(out, 'charts', 'latency.svg'), 'utf8')).toBe(`${written[0]?.svg}\n`);
  });

  it('writes nothing for a report without charts', async () => {
    const out = path.join(work, 'none');
    expect(await writeCharts({ title: 'r', cells: [{ kind: 'text', text: ['x'] }] }, out)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses two charts with one id, before writing anything', async () => {
    const out = path.join(work, 'duplicate');
    const report: Report = { title: 'r', cells: [{ kind: 'section', section: section({ id: 's', title: 's', charts: [chart('latency')] }) }, { kind: 'chart', chart: chart('latency') }] };
    await expect(writeCharts(report, out)).rejects.toMatchObject({
      name: 'AnalysisError',
      code: 'usage',
      message: 'charts: duplicate chart id `latency`: expected each chart of a report to have its own id',
      note: 'both would be written to charts/latency.svg',
    });
    expect(existsSync(out)).toBe(false);
  });

  it.each(['../escape', '.hidden', 'a/b', 'a b', ''])('refuses the id %j, which is not a file name', async (id) => {
    await expect(writeCharts({ title: 'r', cells: [{ kind: 'chart', chart: chart(id) }] }, path.join(work, 'bad'))).rejects.toMatchObject({
      code: 'usage',
      message: `charts: chart id \`${id}\` is not a file name: expected letters, digits, \`.\`, \`_\` and \`-\`, not starting with \`.\``,
    });
  });
});
