/**
 * report.html, exactly: the document a small report makes, the classes findings and charts get, what
 * is left of a hostile SVG, and markup from data written as text.
 */
import type { Element, Nodes } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { describe, expect, it } from 'vitest';
import { finding } from '../../../analysis/findings.ts';
import { chartSvg, chartsOf } from '../../../analysis/report/charts.ts';
import { CONTENT_SECURITY_POLICY, renderHtml, reportHast } from '../../../analysis/report/html.ts';
import { REPORT_CSS } from '../../../analysis/report/html.css.ts';
import { section, type ChartSpec, type Report } from '../../../analysis/report/section.ts';
import { code, t, value } from '../../../analysis/report/text.ts';
import { IMG, IMG_ESCAPED, SCRIPT, SCRIPT_ESCAPED, sampleReport } from './report-fixture.ts';

// A hand-written SVG (charts.test.ts covers vega's), with a clip path, as vega writes them.
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" viewBox="0 0 20 10"><defs><clipPath id="clip1"><rect width="20" height="10"/></clipPath></defs><g clip-path="url(#clip1)"><path d="M0,10L20,0" stroke="#4c78a8"/><text x="1" y="9">&lt;b&gt;</text></g></svg>';
const chart = (id: string, extra: Partial<ChartSpec> = {}): ChartSpec => ({ id, title: id, spec: { data: { values: [] }, mark: 'point' }, ...extra });
const svgsFor = (...ids: string[]): Map<string, string> => new Map(ids.map((id) => [id, SVG]));

/** Every element named `tagName` (`*`: every element) in document order. */
function elements(node: Nodes, tagName: string): Element[] {
  const found = node.type === 'element' && (tagName === '*' || node.tagName === tagName) ? [node] : [];
  return 'children' in node ? [...found, ...node.children.flatMap((child) => elements(child, tagName))] : found;
}

const small: Report = {
  title: 'Report',
  cells: [
    { kind: 'text', text: t`2 runs; p95 ${value(12.345, 'ms')} at ${code('tps-10')}.` },
    {
      kind: 'section',
      section: section({
        id: 'capacity',
        title: 'Capacity',
        summary: [t`It **holds** ${value(40, 'rate')}.`],
        findings: [finding('slo', 'tps-20', 'fail', t`tps-20: breaks`, t`p95 ${value(812, 'ms')}`), finding('rate', 'tps-20', 'warn', t`tps-20: slow`, [])],
        tables: [
          {
            id: 'levels',
            title: 'Levels',
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
        charts: [chart('latency', { title: 'Latency', caption: t`p95 under ${value(500, 'ms')}` })],
        notes: [t`Method: R-7.`],
      }),
    },
    { kind: 'findings', findings: [] },
  ],
};

describe('renderHtml', () => {
  it('renders a small report exactly', () => {
    expect(renderHtml(small, { svgs: svgsFor('latency') })).toBe(
      [
        '<!doctype html>',
        '<html lang="en"><head>',
        '<meta charset="utf-8">',
        `<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;unsafe-inline&#x27;; img-src data:; base-uri &#x27;none&#x27;; form-action &#x27;none&#x27;">`,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<title>Report</title>',
        `<style>${REPORT_CSS}</style>`,
        '</head>',
        '<body>',
        '<main>',
        '<h1>Report</h1>',
        '<p>2 runs; p95 12.3 ms at <code>tps-10</code>.</p>',
        '<h2 id="capacity">Capacity</h2>',
        '<p>It <strong>holds</strong> 40 req/s.</p>',
        '<ul class="findings">',
        '<li class="finding finding-fail"><strong class="severity">fail</strong> tps-20: breaks: p95 812 ms</li>',
        '<li class="finding finding-warn"><strong class="severity">warn</strong> tps-20: slow</li>',
        '</ul>',
        '<h3>Levels</h3>',
        '<div class="table-wrap"><table>',
        '<thead>',
        '<tr>',
        '<th align="left">Run</th>',
        '<th align="right">p95 ms</th>',
        '</tr>',
        '</thead>',
        '<tbody>',
        '<tr>',
        '<td align="left">tps-10</td>',
        '<td align="right">12.3</td>',
        '</tr>',
        '<tr>',
        '<td align="left">tps-20</td>',
        '<td align="right">—</td>',
        '</tr>',
        '</tbody>',
        '</table></div>',
        '<figure class="chart" id="chart-latency">' +
          '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" viewBox="0 0 20 10"><defs><clipPath id="c1-clip1"><rect width="20" height="10" /></clipPath></defs><g clip-path="url(#c1-clip1)"><path d="M0,10L20,0" stroke="#4c78a8" /><text x="1" y="9">&#x3C;b></text></g></svg>' +
          '<figcaption><span class="chart-title">Latency</span>: p95 under 500 ms (<a href="charts/latency.vl.json">Vega-Lite spec</a>)</figcaption></figure>',
        '<ul>',
        '<li>Method: R-7.</li>',
        '</ul>',
        '<p>No findings.</p>',
        '</main>',
        '</body></html>',
        '',
      ].join('\n'),
    );
  });

  it('forbids the page to load or run anything, and has nothing that would', async () => {
    expect(CONTENT_SECURITY_POLICY).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'");
    const report = sampleReport();
    const svgs = new Map(await Promise.all(chartsOf(report).map(async (c) => [c.id, await chartSvg(c.spec)] as const)));
    const html = renderHtml(report, { svgs });
    // Read back as a browser would, so markup that is text in the page does not count.
    const all = elements(fromHtml(html), '*');
    expect(all.filter((node) => ['script', 'link', 'img', 'iframe', 'object', 'embed', 'image', 'use', 'foreignObject'].includes(node.tagName))).toEqual([]);
    expect(all.flatMap((node) => Object.keys(node.properties)).filter((name) => /^(src|srcSet|on.*)$/i.test(name))).toEqual([]);
    // The SVGs' namespace declarations are names, not addresses anything is fetched from.
    const urls = all.flatMap((node) => Object.entries(node.properties).filter(([name, value]) => !name.startsWith('xmlns') && /\w+:\/\//.test(String(value))));
    expect(urls).toEqual([]);
    expect(all.filter((node) => node.tagName === 'a').map((node) => node.properties.href)).toEqual([
      'charts/sweep-latency-vs-rate.vl.json',
      'charts/sweep-achieved-vs-offered.vl.json',
      'charts/sweep-errors-vs-rate.vl.json',
      'charts/sweep-latency-over-time.vl.json',
    ]);
  });

  it('puts each chart where it sits, with ids of its own', () => {
    const report: Report = { title: 'r', cells: [{ kind: 'chart', chart: chart('a') }, { kind: 'text', text: ['between'] }, { kind: 'section', section: section({ id: 's', title: 's', charts: [chart('b')] }) }] };
    const tree = reportHast(report, { svgs: svgsFor('a', 'b') });
    const main = elements(tree, 'main')[0] as Element;
    const blocks = main.children.flatMap((node) => (node.type === 'element' ? [`${node.tagName}${node.properties.id === undefined ? '' : `#${String(node.properties.id)}`}`] : []));
    expect(blocks).toEqual(['h1', 'figure#chart-a', 'p', 'h2#s', 'figure#chart-b']);
    expect(elements(tree, 'clipPath').map((node) => node.properties.id)).toEqual(['c1-clip1', 'c2-clip1']);
    expect(elements(tree, 'g').map((node) => node.properties.clipPath)).toEqual(['url(#c1-clip1)', 'url(#c2-clip1)']);
    expect(elements(tree, 'a').map((node) => node.properties.href)).toEqual(['charts/a.vl.json', 'charts/b.vl.json']);
  });

  it('colours findings by severity, in sections and findings cells alike', () => {
    const findings = (['info', 'warn', 'fail'] as const).map((severity) => finding('k', severity, severity, t`${severity} title`, []));
    const tree = reportHast({ title: 'r', cells: [{ kind: 'findings', findings }, { kind: 'list', items: [t`**Sweep**: x`, t`**warn** not a finding list`, t`plain`] }] }, { svgs: new Map() });
    expect(elements(tree, 'ul').map((node) => node.properties.className)).toEqual([['findings'], undefined]);
    expect(elements(tree, 'li').map((node) => node.properties.className)).toEqual([['finding', 'finding-info'], ['finding', 'finding-warn'], ['finding', 'finding-fail'], undefined, undefined, undefined]);
  });

  it('keeps of a chart SVG only the drawing: no scripts, handlers, foreign content or outside URLs', () => {
    const hostile =
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" width="20" height="10"><script>alert(1)</script><foreignObject><div onclick="alert(2)">x</div></foreignObject>' +
      '<style>@import url(http://evil.test/x.css)</style><g onclick="alert(3)" ONMOUSEOVER="alert(4)"><a xlink:href="javascript:alert(5)"><text x="1">link</text></a>' +
      `<rect fill="url(http://evil.test/p.svg#a)" clip-path="url(#clip1)" style="fill: url( 'http://evil.test/' )"/><image href="http://evil.test/x.png"/><use href="#clip1"/>` +
      '<animate attributeName="href" to="javascript:alert(6)"/><path d="M0,0" stroke=" java\tscript:alert(7)" fill="data:text/html,x"/></g><clipPath id="clip1"><rect/></clipPath></svg>';
    const html = renderHtml({ title: 'r', cells: [{ kind: 'chart', chart: chart('x') }] }, { svgs: new Map([['x', hostile]]) });
    expect(html).toContain(
      '<figure class="chart" id="chart-x"><svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><g><text x="1">link</text><rect clip-path="url(#c1-clip1)" /><path d="M0,0" /></g><clipPath id="c1-clip1"><rect /></clipPath></svg><figcaption>',
    );
  });

  it('writes markup from data as text', () => {
    const report: Report = {
      title: `Report ${SCRIPT}`,
      cells: [
        { kind: 'text', text: t`run ${SCRIPT} on ${code(IMG)}` },
        { kind: 'table', table: { id: 't', columns: [{ key: 'run', label: `Run ${IMG}` }], rows: [{ run: SCRIPT }] } },
        { kind: 'findings', findings: [finding('slo', SCRIPT, 'fail', t`${SCRIPT}: breaks`, t`on ${IMG}`)] },
        { kind: 'chart', chart: chart(IMG, { title: SCRIPT, caption: t`${IMG}` }) },
      ],
    };
    const html = renderHtml(report, { svgs: new Map([[IMG, SVG]]) });
    expect(html).toContain(`<title>Report ${SCRIPT_ESCAPED}</title>`);
    expect(html).toContain(`<h1>Report ${SCRIPT_ESCAPED}</h1>`);
    expect(html).toContain(`<p>run ${SCRIPT_ESCAPED} on <code>${IMG_ESCAPED}</code></p>`);
    expect(html).toContain(`<th align="left">Run ${IMG_ESCAPED}</th>`);
    expect(html).toContain(`<td align="left">${SCRIPT_ESCAPED}</td>`);
    expect(html).toContain(`<li class="finding finding-fail"><strong class="severity">fail</strong> ${SCRIPT_ESCAPED}: breaks: on ${IMG_ESCAPED}</li>`);
    // In a quoted attribute value only the quote would end it (HTML's attribute-value state), so only
    // the quote is a character reference; in a URL, everything is percent-encoded.
    expect(html).toContain('<figure class="chart" id="chart-&#x22;><img src=x onerror=alert(1)>">');
    expect(html).toContain(`<figcaption><span class="chart-title">${SCRIPT_ESCAPED}</span>: ${IMG_ESCAPED} (<a href="charts/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.vl.json">Vega-Lite spec</a>)</figcaption>`);
    // Read back as a browser would: the markup is text, not elements.
    const parsed = fromHtml(html);
    expect(elements(parsed, 'script')).toEqual([]);
    expect(elements(parsed, 'img')).toEqual([]);
    expect(elements(parsed, 'td').map((td) => td.children)).toEqual([[{ type: 'text', value: SCRIPT, position: expect.anything() }]]);
  });

  it('refuses a chart without its SVG', () => {
    expect(() => renderHtml(small, { svgs: new Map() })).toThrow(
      expect.objectContaining({
        name: 'AnalysisError',
        code: 'usage',
        message: 'html: no SVG for chart `latency`: expected `svgs` to hold one for every chart of the report',
        note: 'writeCharts(report, outDir) returns them; chartSvg(chart.spec) renders one',
      }),
    );
  });

  it('refuses an SVG that is not one', () => {
    expect(() => renderHtml(small, { svgs: new Map([['latency', '<p>not a drawing</p>']]) })).toThrow(
      expect.objectContaining({ code: 'usage', message: 'html: the SVG of chart `latency` has no `<svg>` element: expected what chartSvg renders' }),
    );
  });
});
