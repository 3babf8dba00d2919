/**
 * A report as an mdast tree: the one tree report.md (mdast-util-to-markdown), report.html (mdast →
 * hast) and report.ipynb's Markdown cells (its pieces, one a cell) are written from. Values are
 * formatted here, through format.ts; nothing is computed.
 */
import type { List, ListItem, PhrasingContent, Root, RootContent, Table, TableRow } from 'mdast';
import type { Finding } from '../findings.ts';
import { formatNumber, formatValue, MISSING } from './format.ts';
import type { CellValue, ChartSpec, Column, Report, Section, TableSpec } from './section.ts';
import { isCode, isText, markup, type Phrase } from './text.ts';

export interface MdastOptions {
  /** How a chart appears in the tree: Markdown links to its SVG file, HTML puts the SVG in place. */
  readonly chart?: (chart: ChartSpec) => RootContent[];
}

const text = (value: string): PhrasingContent => ({ type: 'text', value });

export function phrasing(phrase: Phrase): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  for (const inline of phrase) {
    if (typeof inline === 'string') {
      for (const part of markup(inline)) {
        if (part.kind === 'code') out.push({ type: 'inlineCode', value: part.value });
        else if (part.kind === 'strong') out.push({ type: 'strong', children: [text(part.value)] });
        else out.push(text(part.value));
      }
    } else if (isText(inline)) out.push(text(inline.text));
    else if (isCode(inline)) out.push({ type: 'inlineCode', value: inline.code });
    else out.push(text(formatValue(inline.value, inline.unit)));
  }
  // Adjacent text nodes read the same either way; merged, the tree is what a parser would make.
  return out.reduce<PhrasingContent[]>((merged, node) => {
    const last = merged[merged.length - 1];
    if (last?.type === 'text' && node.type === 'text') merged[merged.length - 1] = text(last.value + node.value);
    else merged.push(node);
    return merged;
  }, []);
}

const paragraph = (children: PhrasingContent[]): RootContent => ({ type: 'paragraph', children });

function list(items: readonly PhrasingContent[][]): List {
  return {
    type: 'list',
    ordered: false,
    spread: false,
    children: items.map((children): ListItem => ({ type: 'listItem', spread: false, children: [{ type: 'paragraph', children }] })),
  };
}

function cell(value: CellValue, column: Column): PhrasingContent[] {
  if (value === null) return [text(MISSING)];
  if (typeof value === 'number') return [text(column.unit === undefined ? String(value) : formatNumber(value, column.unit))];
  if (typeof value === 'string') return [text(value)];
  return phrasing(value);
}

export function tableNode(table: TableSpec): Table {
  const row = (cells: PhrasingContent[][]): TableRow => ({ type: 'tableRow', children: cells.map((children) => ({ type: 'tableCell', children })) });
  return {
    type: 'table',
    align: table.columns.map((column) => column.align ?? 'left'),
    children: [row(table.columns.map((column) => [text(column.label)])), ...table.rows.map((r) => row(table.columns.map((column) => cell(r[column.key] ?? null, column))))],
  };
}

export function findingItem(finding: Finding): PhrasingContent[] {
  const detail = phrasing(finding.detail);
  return [
    // The classes are for HTML (mdast-util-to-hast reads `data`); Markdown writes only the text.
    { type: 'strong', children: [text(finding.severity)], data: { hProperties: { className: ['severity'] } } },
    text(' '),
    ...phrasing(finding.title),
    ...(detail.length > 0 ? [text(': '), ...detail] : []),
  ];
}

/** Findings as a list, each item marked with its severity (the HTML's colours hang on it). */
export function findingsList(findings: readonly Finding[]): List {
  const node = list(findings.map(findingItem));
  node.data = { hProperties: { className: ['findings'] } };
  node.children.forEach((item, i) => {
    item.data = { hProperties: { className: ['finding', `finding-${findings[i]?.severity ?? 'info'}`] } };
  });
  return node;
}

function linkedChart(chart: ChartSpec): RootContent[] {
  return [paragraph([text('Chart: '), { type: 'link', url: `charts/${chart.id}.svg`, children: [text(chart.title)] }, text(` (Vega-Lite: charts/${chart.id}.vl.json)`)])];
}

/**
 * A report's tree in the pieces a notebook gives a cell each (ipynb.ts): the title; each text, list,
 * table and findings cell; each part of a section (its heading, summary, findings, each table with
 * its heading and caption, notes); each chart on its own. reportMdast is these pieces in order.
 */
export type MdastPiece = { readonly kind: 'markdown'; readonly nodes: RootContent[] } | { readonly kind: 'chart'; readonly chart: ChartSpec };

const markdown = (...nodes: RootContent[]): MdastPiece => ({ kind: 'markdown', nodes });

function sectionPieces(section: Section): MdastPiece[] {
  const out: MdastPiece[] = [markdown({ type: 'heading', depth: 2, children: [text(section.title)], data: { hProperties: { id: section.id.replace(/[^A-Za-z0-9_-]+/g, '-') } } })];
  if (section.summary.length > 0) out.push(markdown(...section.summary.map((summary) => paragraph(phrasing(summary)))));
  if (section.findings.length > 0) out.push(markdown(findingsList(section.findings)));
  for (const table of section.tables) {
    const nodes: RootContent[] = [];
    if (table.title !== undefined) nodes.push({ type: 'heading', depth: 3, children: [text(table.title)] });
    nodes.push(tableNode(table));
    if (table.caption !== undefined) nodes.push(paragraph(phrasing(table.caption)));
    out.push(markdown(...nodes));
  }
  for (const chart of section.charts) out.push({ kind: 'chart', chart });
  if (section.notes.length > 0) out.push(markdown(list(section.notes.map(phrasing))));
  return out;
}

export function reportPieces(report: Report): MdastPiece[] {
  const out: MdastPiece[] = [markdown({ type: 'heading', depth: 1, children: [text(report.title)] })];
  for (const c of report.cells) {
    switch (c.kind) {
      case 'text':
        out.push(markdown(paragraph(phrasing(c.text))));
        break;
      case 'list':
        out.push(markdown(list(c.items.map(phrasing))));
        break;
      case 'table':
        out.push(markdown(tableNode(c.table)));
        break;
      case 'chart':
        out.push({ kind: 'chart', chart: c.chart });
        break;
      case 'findings':
        out.push(markdown(c.findings.length === 0 ? paragraph([text('No findings.')]) : findingsList(c.findings)));
        break;
      case 'section':
        out.push(...sectionPieces(c.section));
        break;
    }
  }
  return out;
}

export function reportMdast(report: Report, options: MdastOptions = {}): Root {
  const chart = options.chart ?? linkedChart;
  return { type: 'root', children: reportPieces(report).flatMap((piece) => (piece.kind === 'chart' ? chart(piece.chart) : piece.nodes)) };
}
