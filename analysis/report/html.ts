/**
 * report.html: one self-contained file (inline style sheet, charts as inline SVG, nothing to fetch,
 * no scripts) built as syntax trees: the report's mdast tree (mdast.ts, the one report.md is written
 * from) → hast (mdast-util-to-hast) → the document around it → HTML (hast-util-to-html).
 *
 * Every string from data is a text node or an attribute value, so the serializer escapes it; no HTML
 * is put together from strings and no raw node exists anywhere in the tree. A chart's SVG (from
 * charts.ts) is parsed into hast and kept only as far as it is drawing: scripts, foreign objects,
 * event handlers and URLs other than the SVG's own `#references` are dropped. vega escapes its text
 * itself; this is defense in depth, as is the Content-Security-Policy that forbids the page to load
 * or run anything at all.
 */
import type { Element, ElementContent, Properties, Root as HastRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { h } from 'hastscript';
import type { RootContent } from 'mdast';
import { toHast } from 'mdast-util-to-hast';
import { AnalysisError } from '../errors.ts';
import { REPORT_CSS } from './html.css.ts';
import { phrasing, reportMdast } from './mdast.ts';
import type { ChartSpec, Report } from './section.ts';
import type { Phrase } from './text.ts';

export interface HtmlOptions {
  /** Chart id → its SVG (`chartSvg`, or what `writeCharts` returns), for every chart of the report. */
  readonly svgs: ReadonlyMap<string, string>;
}

/** What the page may do: show its own inline styles and drawings, and nothing else. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function renderHtml(report: Report, options: HtmlOptions): string {
  // Empty SVG elements as `<path … />`, not `<path …></path>`: the same page, a good deal shorter.
  return toHtml(reportHast(report, options), { closeEmptyElements: true });
}

/** The whole document as a hast tree (what renderHtml serializes). */
export function reportHast(report: Report, options: HtmlOptions): HastRoot {
  // Each inline SVG numbers its clip paths from 1; in one document their ids must differ.
  let charts = 0;
  const chart = (spec: ChartSpec): RootContent[] => [chartNode(spec, options.svgs, `c${++charts}-`)];
  const mdast = reportMdast(report, { chart });
  const body = toHast(mdast);
  // A root in gives a root out; its children are elements and text (mdast has no doctype).
  const content = (body.type === 'root' ? body.children : [body]) as ElementContent[];
  const head = [
    h('meta', { charSet: 'utf-8' }),
    h('meta', { httpEquiv: 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    h('title', report.title),
    h('style', REPORT_CSS),
  ];
  return {
    type: 'root',
    children: [
      { type: 'doctype' },
      { type: 'text', value: '\n' },
      h('html', { lang: 'en' }, [h('head', lines(head)), '\n', h('body', ['\n', h('main', ['\n', ...content.map(wrapTable), '\n']), '\n'])]),
      { type: 'text', value: '\n' },
    ],
  };
}

const lines = (nodes: readonly Element[]): ElementContent[] => nodes.flatMap((node): ElementContent[] => [{ type: 'text', value: '\n' }, node]).concat({ type: 'text', value: '\n' });

/** A wide table scrolls sideways on a narrow screen instead of squeezing its columns. */
function wrapTable(node: ElementContent): ElementContent {
  return node.type === 'element' && node.tagName === 'table' ? h('div', { className: ['table-wrap'] }, [node]) : node;
}

// --- charts ----------------------------------------------------------------------------------------

/**
 * A chart where it sits: an mdast node whose hast is given whole (`data.hChildren`, which
 * mdast-util-to-hast puts in place as it is): the SVG, then a caption with the title and a link to the
 * spec. Its mdast children, the title, are what a Markdown serializer would write of it.
 */
function chartNode(chart: ChartSpec, svgs: ReadonlyMap<string, string>, idPrefix: string): RootContent {
  const svg = svgs.get(chart.id);
  if (svg === undefined) {
    throw new AnalysisError('usage', `html: no SVG for chart \`${chart.id}\`: expected \`svgs\` to hold one for every chart of the report`, {
      note: 'writeCharts(report, outDir) returns them; chartSvg(chart.spec) renders one',
    });
  }
  const caption: ElementContent[] = [h('span', { className: ['chart-title'] }, chart.title)];
  if (chart.caption !== undefined) caption.push({ type: 'text', value: ': ' }, ...phraseHast(chart.caption));
  caption.push({ type: 'text', value: ' (' }, h('a', { href: `charts/${encodeURIComponent(chart.id)}.vl.json` }, 'Vega-Lite spec'), { type: 'text', value: ')' });
  return {
    type: 'paragraph',
    children: [{ type: 'text', value: chart.title }],
    data: { hName: 'figure', hProperties: { className: ['chart'], id: `chart-${chart.id}` }, hChildren: [svgElement(svg, chart.id, idPrefix), h('figcaption', caption)] },
  };
}

function phraseHast(phrase: Phrase): ElementContent[] {
  const node = toHast({ type: 'paragraph', children: phrasing(phrase) });
  return node.type === 'element' ? node.children : [];
}

/** The drawing elements vega's SVG renderer writes; anything else is dropped, with its content. */
const SVG_ELEMENTS: ReadonlySet<string> = new Set([
  'svg', 'g', 'path', 'rect', 'line', 'circle', 'ellipse', 'polyline', 'polygon', 'text', 'tspan', 'title', 'desc',
  'defs', 'clipPath', 'linearGradient', 'radialGradient', 'stop', 'pattern', 'mask',
]);

function svgElement(svg: string, chartId: string, idPrefix: string): Element {
  const root = fromHtml(svg, { fragment: true }).children.find((node): node is Element => node.type === 'element' && node.tagName === 'svg');
  if (root === undefined) throw new AnalysisError('usage', `html: the SVG of chart \`${chartId}\` has no \`<svg>\` element: expected what chartSvg renders`);
  return { ...root, properties: cleanProperties(root.properties, idPrefix), children: cleanChildren(root.children, idPrefix) };
}

function cleanChildren(children: readonly ElementContent[], idPrefix: string): ElementContent[] {
  return children.flatMap((node): ElementContent[] => {
    if (node.type === 'text') return [node];
    if (node.type !== 'element') return [];
    // A link's text is still the drawing; the link goes (vega writes none without an `href` channel).
    if (node.tagName === 'a') return cleanChildren(node.children, idPrefix);
    if (!SVG_ELEMENTS.has(node.tagName)) return [];
    return [{ ...node, properties: cleanProperties(node.properties, idPrefix), children: cleanChildren(node.children, idPrefix) }];
  });
}

/**
 * No event handlers, no URL but the SVG's own `#id` (as `href` or `url(#id)`, e.g. a clip path), no
 * value that is a `javascript:`-like URL; ids and the references to them get the chart's prefix.
 */
function cleanProperties(properties: Properties, idPrefix: string): Properties {
  const out: Properties = {};
  for (const [name, value] of Object.entries(properties)) {
    if (value === null || value === undefined || /^on/i.test(name)) continue;
    const text = Array.isArray(value) ? value.join(' ') : String(value);
    if (name === 'href' || name === 'xLinkHref') {
      if (text.startsWith('#')) out[name] = `#${idPrefix}${text.slice(1)}`;
      continue;
    }
    if (/^(javascript|vbscript|data):/i.test(text.replace(/[\s\u0000-\u001f]+/g, ''))) continue;
    if (/url\s*\(/i.test(text)) {
      const local = text.replace(/url\(\s*#([^)\s]+)\s*\)/g, (_match, id: string) => `url(#${idPrefix}${id})`);
      if (/url\s*\(/i.test(local.replace(/url\(#[^)]*\)/g, ''))) continue;
      out[name] = local;
      continue;
    }
    out[name] = name === 'id' ? `${idPrefix}${text}` : value;
  }
  return out;
}
