/**
 * `report.md`: the report's mdast tree (mdast.ts) serialised with mdast-util-to-markdown and GFM
 * tables, so it reads well as a pull-request comment or a CI job summary.
 */
import type { Root } from 'mdast';
import { gfmTableToMarkdown } from 'mdast-util-gfm-table';
import { toMarkdown } from 'mdast-util-to-markdown';
import { reportMdast } from './mdast.ts';
import type { Report } from './section.ts';

export function renderMarkdown(report: Report): string {
  return markdownOf(reportMdast(report));
}

/**
 * A tree as report.md writes it. `bullet` is the list marker (`*` by default); report.ipynb's cells
 * pass `-` where report.md writes a list right after another, which it marks with the other bullet
 * so the two stay two lists.
 */
export function markdownOf(tree: Root, options: { readonly bullet?: '*' | '-' } = {}): string {
  return toMarkdown(tree, { extensions: [gfmTableToMarkdown()], ...(options.bullet === undefined ? {} : { bullet: options.bullet }) });
}
