/**
 * The shape every analysis returns and every renderer reads (DESIGN.md, "Analyses and reports"): a
 * section with its findings, tables, charts and notes, plus the data it contributes to
 * analysis.json. A report is a list of cells; a section is one kind of cell.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Finding } from '../findings.ts';
import type { Unit } from './format.ts';
import type { Phrase } from './text.ts';

export interface Column {
  readonly key: string;
  readonly label: string;
  /** How numbers of this column are written (format.ts); strings and phrases are written as they are. */
  readonly unit?: Unit;
  readonly align?: 'left' | 'right';
}

/** A cell: a number (formatted by its column's unit), text, a phrase, or `null` (missing). */
export type CellValue = number | string | Phrase | null;

export interface TableSpec {
  readonly id: string;
  readonly title?: string;
  readonly caption?: Phrase;
  readonly columns: readonly Column[];
  readonly rows: readonly Readonly<Record<string, CellValue>>[];
}

/**
 * The axis of a chart of shares (error rates): percent with at most two decimals, trailing zeros
 * trimmed. d3's bare `%` format prints six decimals on every tick (`0.000000%`, `1.500000%`).
 */
export const PERCENT_AXIS = { format: '.2~%' } as const;

export interface ChartSpec {
  /** File name of `charts/<id>.vl.json`, unique in a report. */
  readonly id: string;
  readonly title: string;
  readonly caption?: Phrase;
  /** A Vega-Lite spec with its data inlined, so it opens in the Vega editor as it is. */
  readonly spec: TopLevelSpec;
}

/** A pass/fail statement a CI system should show (junit.xml writes one test case each). */
export interface Check {
  /** The group it belongs to: a sweep, `thresholds`, a comparison. */
  readonly suite: string;
  readonly name: Phrase;
  readonly outcome: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  readonly message: Phrase;
  /** The finding kind `--fail-on` would name for a failure (`slo`, `regression`). */
  readonly kind: string;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Paragraphs before everything else: the answer, in sentences. */
  readonly summary: readonly Phrase[];
  readonly findings: readonly Finding[];
  readonly tables: readonly TableSpec[];
  readonly charts: readonly ChartSpec[];
  /** Method and caveats, after the tables and charts. */
  readonly notes: readonly Phrase[];
  /** What the section adds to analysis.json (its key is the section's id). */
  readonly data: unknown;
  /** What junit.xml shows of it. */
  readonly checks: readonly Check[];
}

export type Cell =
  | { readonly kind: 'text'; readonly text: Phrase }
  | { readonly kind: 'list'; readonly items: readonly Phrase[] }
  | { readonly kind: 'table'; readonly table: TableSpec }
  | { readonly kind: 'chart'; readonly chart: ChartSpec }
  | { readonly kind: 'findings'; readonly findings: readonly Finding[] }
  | { readonly kind: 'section'; readonly section: Section };

export interface Report {
  readonly title: string;
  readonly cells: readonly Cell[];
}

/** A section with the parts an analysis left out filled with nothing. */
export function section(parts: Pick<Section, 'id' | 'title'> & Partial<Section>): Section {
  return { summary: [], findings: [], tables: [], charts: [], notes: [], data: null, checks: [], ...parts };
}

/** Every section of a report, in order (sections may only sit at the top level). */
export function sectionsOf(report: Report): Section[] {
  return report.cells.flatMap((cell) => (cell.kind === 'section' ? [cell.section] : []));
}

/** Every finding of a report: the sections' and those in findings cells, each once. */
export function findingsOf(report: Report): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const cell of report.cells) {
    const found = cell.kind === 'section' ? cell.section.findings : cell.kind === 'findings' ? cell.findings : [];
    for (const finding of found) {
      if (seen.has(finding.id)) continue;
      seen.add(finding.id);
      out.push(finding);
    }
  }
  return out;
}

/** Every check of a report, in order. */
export function checksOf(report: Report): Check[] {
  return sectionsOf(report).flatMap((s) => s.checks);
}
