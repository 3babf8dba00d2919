/**
 * `report.md`: the report's mdast tree (mdast.ts) serialised with mdast-util-to-markdown and GFM
 * tables, so it reads well as a pull-request comment or a CI job summary.
 */
import { gfmTableToMarkdown } from 'mdast-util-gfm-table';
import { toMarkdown } from 'mdast-util-to-markdown';
import { reportMdast } from './mdast.ts';
import type { Report } from './section.ts';

export function renderMarkdown(report: Report): string {
  return toMarkdown(reportMdast(report), { extensions: [gfmTableToMarkdown()] });
}
