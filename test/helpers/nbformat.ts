/**
 * Notebooks checked as Jupyter would: against nbformat's own v4.5 JSON schema
 * (test/fixtures/nbformat/, its README says where it is from), plus what nbformat's validator checks
 * beyond the schema (unique cell ids); and report.ipynb's promises to the reader: every chart a code
 * cell with the Vega-Lite spec, the SVG and the title, and the Markdown cells report.md's text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { repoRoot } from '../../scripts/lib/cli.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SCHEMA_FILE = path.join(repoRoot, 'test', 'fixtures', 'nbformat', 'nbformat.v4.5.schema.json');

/** The keywords whose meaning changed after draft-04, each with where it sits in the schema. */
function draft04Only(schema: Json, at = '#'): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => draft04Only(item, `${at}/${i}`));
  if (schema === null || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([key, value]) => [
    // In draft-04 `id` is the schema's URI (a string); later ones call it `$id`. Under `properties`,
    // `id` is a property name, and its value a schema (an object).
    ...((key === 'id' && typeof value === 'string') || (/^exclusive(Min|Max)imum$/.test(key) && typeof value === 'boolean') ? [`${at}/${key}`] : []),
    ...draft04Only(value, `${at}/${key}`),
  ]);
}

function compile() {
  const { $schema, ...schema } = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string; [key: string]: Json };
  if ($schema !== 'http://json-schema.org/draft-04/schema#') throw new Error(`nbformat: ${SCHEMA_FILE} is \`${$schema}\`: expected draft-04 (see its README)`);
  const changed = draft04Only(schema);
  if (changed.length > 0) throw new Error(`nbformat: ${SCHEMA_FILE} uses draft-04-only keywords at ${changed.join(', ')}: expected none, or a draft-04 validator (ajv-draft-04)`);
  // Strict, so a keyword ajv does not know fails instead of being ignored, except upstream's three
  // slips, which any validator ignores: `authors` says `item` for `items`, and `source_hidden` and
  // `outputs_hidden` sit straight under the code cell's `jupyter` metadata instead of under its
  // `properties`. Not strictTypes: `execution_count` is integer or null beside a `minimum`, which
  // JSON Schema allows; and allowMatchingProperties: the `execution` metadata names properties that
  // its pattern `^.*$` also matches, on purpose.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowMatchingProperties: true });
  ajv.addVocabulary(['item', 'source_hidden', 'outputs_hidden']);
  return ajv.compile(schema);
}

let validate: ReturnType<typeof compile> | undefined;

/** What is wrong with a notebook, one line each: the schema's errors, then duplicate cell ids. */
export function notebookProblems(notebook: unknown): string[] {
  validate ??= compile();
  const problems = validate(notebook) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
  const ids = ((notebook as { cells?: { id?: string }[] }).cells ?? []).map((cell) => cell.id);
  for (const [i, id] of ids.entries()) if (ids.indexOf(id) !== i) problems.push(`/cells/${i}/id: \`${id}\` is also the id of /cells/${ids.indexOf(id)}`);
  return problems;
}

export interface NotebookCell {
  readonly id: string;
  readonly cell_type: 'markdown' | 'code' | 'raw';
  readonly source: string[];
  readonly outputs?: { output_type: string; data: Record<string, unknown> }[];
}

export interface NotebookJson {
  readonly nbformat: number;
  readonly nbformat_minor: number;
  readonly metadata: Record<string, unknown>;
  readonly cells: NotebookCell[];
}

/** The Markdown of a notebook's Markdown cells, block by block (a block ends at a blank line). */
export function notebookBlocks(notebook: NotebookJson): string[] {
  return notebook.cells.filter((cell) => cell.cell_type === 'markdown').flatMap((cell) => cell.source.join('').split('\n\n'));
}

/** report.md block by block, without the chart links (`Chart: [title](charts/<id>.svg) …`), which only it has. */
export function reportMdBlocks(markdown: string): string[] {
  return markdown
    .replace(/\n$/, '')
    .split('\n\n')
    .filter((block) => !block.startsWith('Chart: ['));
}

/** The charts of a notebook, from its code cells: id (from the source's comment), title and output. */
export function notebookCharts(notebook: NotebookJson): { id: string; title: string; mimeTypes: string[]; data: Record<string, unknown> }[] {
  return notebook.cells
    .filter((cell) => cell.cell_type === 'code')
    .map((cell) => {
      const [, id = '', title = ''] = /^# chart: (\S+) — (.*)$/.exec(cell.source.join('')) ?? [];
      const data = cell.outputs?.[0]?.data ?? {};
      return { id, title, mimeTypes: Object.keys(data), data };
    });
}
