/**
 * The k6 CSV loader as it was before its own scanner (analysis/ingest/k6-csv.ts at 9401bdb, built on
 * csv-parse), kept unchanged but for its import paths and names, and its timestamp parsing, which it
 * imports from the new loader (unchanged there): the baseline `bench/csv.ts` measures
 * the loader against, and the reference `test/analysis/ingest/k6-csv.test.ts` compares it with on real
 * k6 files. Not used by the analysis.
 *
 * Original header:
 * Loader for k6 `--out csv` files (plain or gzip): streams every row into a `SampleSink`.
 *
 * What k6 writes (grafana/k6 `internal/output/csv/output.go`, verified in ../shared k6-facts §3):
 * - a header `metric_name,timestamp,metric_value,<enabled system tags, sorted>,extra_tags[,metadata]`;
 *   the tag columns depend on `--system-tags` and `metadata` was added in later versions, so columns
 *   are found by name, never by position;
 * - `metric_value` printed with `%f`; `timestamp` in the configured `timeFormat` (`unix` whole seconds
 *   by default, `unix_milli|unix_micro|unix_nano|rfc3339|rfc3339_nano`);
 * - `extra_tags` as `k=v&k2=v2` in Go map order (random) and without escaping; empty cells for tags
 *   a sample does not have;
 * - fields quoted by Go's `encoding/csv` when they hold a comma, a quote or a line break.
 */
import { parse, CsvError } from 'csv-parse';
import { pipeline } from 'node:stream/promises';
import { constants, gunzipSync } from 'node:zlib';
import { AnalysisError } from '../analysis/errors.ts';
import { BUILTIN_METRICS } from '../analysis/ingest/builtin-metrics.ts';
// Timestamps are read the same way by both loaders (the scanner changed how cells are found, not this).
import { parseK6CsvTime } from '../analysis/ingest/k6-csv.ts';
import { isGzip, isTruncatedGzip, openInput, peek } from '../analysis/ingest/open.ts';
import { ProblemLog, type InputReport } from '../analysis/ingest/problems.ts';
import type { SampleSink, Tags } from '../analysis/ingest/sink.ts';

interface K6CsvOptions {
  /** How many problems to keep with their details (all are counted). Default 20. */
  readonly keepProblems?: number;
}

/** The columns k6 writes first; without them the file is not a k6 CSV. */
const REQUIRED = ['metric_name', 'timestamp', 'metric_value'] as const;
const EXPECTED_HEADER = 'expected a k6 CSV header with the columns `metric_name`, `timestamp` and `metric_value` (in any order, then tag columns)';
/** Longest row accepted: a stray quote must not swallow the rest of a multi-GB file into memory. */
const MAX_RECORD_CHARS = 1 << 20;
/** Distinct raw tag cells remembered; cleared when full (unique URLs must not grow it forever). */
const TAG_CACHE_LIMIT = 1 << 16;

/**
 * Streams the k6 CSV `file` into `sink`. Broken rows are counted, reported with their 1-based line
 * number (the header is line 1) and skipped; a cut-off gzip stream keeps everything before the cut.
 * Throws `AnalysisError` `unknown-format` when the first line is not a k6 CSV header, `no-data` when
 * the file is empty, `unreadable` when it cannot be opened.
 */
export async function loadK6CsvBaseline(file: string, sink: SampleSink, options: K6CsvOptions = {}): Promise<InputReport> {
  const { keepProblems = 20 } = options;
  const problems = new ProblemLog(file, keepProblems);
  const rows = new CsvRows(file, sink, problems);
  const input = openInput(file);
  const parser = parse({
    // A row with too few or too many fields is a problem of that row, not the end of the file.
    relax_column_count: true,
    // k6 never writes a bare quote in an unquoted field; a corrupted one becomes one bad row.
    relax_quotes: true,
    bom: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  // Records are handled in 'data' events rather than csv-parse's `on_record`, which copies its info
  // object twice per row (measured: parsing took 1.5× as long). In flowing mode Node emits each
  // record while csv-parse pushes it, so rows arrive in order and before any later stream error.
  let fatal: unknown;
  parser.on('data', (record: string[]) => {
    if (fatal !== undefined) return;
    try {
      rows.row(record);
    } catch (error) {
      fatal = error;
      parser.destroy(error as Error);
    }
  });
  try {
    await pipeline(input.stream, parser);
  } catch (error) {
    if (error === fatal || error instanceof AnalysisError) throw error;
    if (input.gzip && isTruncatedGzip(error)) {
      if (!rows.started) {
        throw new AnalysisError('no-data', `k6 csv: gzip stream ended early at ${file}: expected at least a complete header line`);
      }
      problems.add(null, `k6 csv: gzip stream ended early after ${rows.line} lines at ${file}: expected a complete gzip file; the lines before were kept`);
    } else if (input.gzip && /^Z_/.test(String((error as NodeJS.ErrnoException).code))) {
      // Corrupt compressed data: what was inflated before it is still good.
      const reason = (error as Error).message;
      if (!rows.started) throw new AnalysisError('unreadable', `k6 csv: gzip data broken at ${file}: ${reason}`);
      problems.add(null, `k6 csv: gzip data broken after ${rows.line} lines at ${file}: ${reason}; the lines before were kept`);
    } else if (error instanceof CsvError) {
      rows.broken(error);
    } else {
      throw new AnalysisError('unreadable', `k6 csv: cannot read \`${file}\`: ${(error as Error).message}`);
    }
  }
  if (!rows.started) {
    throw new AnalysisError('no-data', `k6 csv: \`${file}\` is empty: ${EXPECTED_HEADER}`);
  }
  return {
    path: file,
    format: 'k6-csv',
    lines: rows.lines,
    skipped: rows.skipped,
    problems: problems.first,
    problems_total: problems.count,
  };
}

interface TagSet {
  readonly key: string;
  readonly tags: Tags;
  /** Handed to the sink, built once per tag set so no closure is made per row. */
  readonly get: () => Tags;
}

/** The row handler: header, line numbers, cell parsing, tag sets and metric declarations. */
class CsvRows {
  /** Data rows read (a quoted line break makes one row span several lines), broken ones included. */
  lines = 0;
  skipped = 0;
  /** The last physical line consumed (`\n`-separated, the header is line 1). */
  line = 0;
  /** Whether a header was seen. */
  started = false;

  private readonly file: string;
  private readonly sink: SampleSink;
  private readonly problems: ProblemLog;
  private width = 0;
  private metricCol = 0;
  private timeCol = 0;
  private valueCol = 0;
  /** Tag columns with their names; `extra_tags` is handled apart. */
  private tagCols: number[] = [];
  private tagNames: string[] = [];
  private extraCol = -1;
  /** When the tag columns and extra_tags are adjacent (always, in k6's files): their range. */
  private keyStart = 0;
  private keyEnd = 0;
  private readonly tagSets = new Map<string, TagSet>();
  private readonly declared = new Set<string>();
  private lastTimeCell = '';
  private lastTimeMs = Number.NaN;

  constructor(file: string, sink: SampleSink, problems: ProblemLog) {
    this.file = file;
    this.sink = sink;
    this.problems = problems;
  }

  row(record: string[]): void {
    const start = this.line + 1;
    // Lines are counted here: csv-parse's own count is not per record in a stream, and it counts a
    // lone `\r` inside quotes as a line and `\r\n` inside quotes as two.
    this.line = start + countNewlines(record);
    if (record.length === 1 && record[0]!.trim() === '') return; // a blank line carries nothing
    if (!this.started) {
      this.header(record, start);
      return;
    }
    this.lines += 1;
    if (record.length !== this.width) {
      return this.bad(start, `k6 csv: row with \`${record.length}\` fields at ${this.file}:${start}: expected ${this.width} fields as in the header`);
    }
    const metric = record[this.metricCol] ?? '';
    if (metric === '') return this.bad(start, `k6 csv: metric_name \`\` at ${this.file}:${start}: expected a metric name`);
    const valueCell = record[this.valueCol] ?? '';
    const value = NUMBER.test(valueCell) ? Number(valueCell) : Number.NaN;
    if (!Number.isFinite(value)) {
      return this.bad(start, `k6 csv: metric_value \`${excerpt(valueCell)}\` at ${this.file}:${start}: expected a number`);
    }
    const timeCell = record[this.timeCol] ?? '';
    if (timeCell !== this.lastTimeCell) {
      this.lastTimeCell = timeCell;
      this.lastTimeMs = parseK6CsvTime(timeCell);
    }
    const timeMs = this.lastTimeMs;
    if (Number.isNaN(timeMs)) {
      return this.bad(
        start,
        `k6 csv: timestamp \`${excerpt(timeCell)}\` at ${this.file}:${start}: expected Unix seconds, ms, µs or ns, or an RFC 3339 time`,
      );
    }
    if (!this.declared.has(metric)) {
      this.declared.add(metric);
      const builtin = Object.hasOwn(BUILTIN_METRICS, metric) ? BUILTIN_METRICS[metric] : undefined;
      this.sink.declareMetric(metric, builtin?.[0] ?? 'unknown', builtin?.[1] ?? 'default');
    }
    const tagSet = this.tagSet(record);
    this.sink.sample(metric, timeMs, value, tagSet.key, tagSet.get);
  }

  /** A parse error that stopped csv-parse (an unclosed quote at the end, an overlong row). */
  broken(error: CsvError): void {
    const start = this.line + 1;
    if (!this.started) throw this.notAHeader(start, '');
    this.lines += 1;
    this.skipped += 1;
    this.problems.add(
      start,
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? `k6 csv: quoted field opened at ${this.file}:${start} is never closed: expected a closing \`"\` before the end of the file`
        : `k6 csv: row longer than ${MAX_RECORD_CHARS} characters at ${this.file}:${start}: expected a k6 CSV row; reading stopped there`,
    );
  }

  private bad(line: number, message: string): void {
    this.skipped += 1;
    this.problems.add(line, message);
  }

  /** The error for a first line that is not a k6 CSV header, quoting the line as it is in the file. */
  private notAHeader(line: number, fallback: string, missing: readonly string[] = []): AnalysisError {
    const text = readLine(this.file, line) ?? fallback;
    const note = text.startsWith('{') ? 'the file looks like JSON: k6 `--out json` output or a summary, not `--out csv`' : undefined;
    const lacking = missing.length === 0 || missing.length === REQUIRED.length ? '' : `; missing ${missing.map((name) => `\`${name}\``).join(', ')}`;
    return new AnalysisError('unknown-format', `k6 csv: \`${excerpt(text)}\` at ${this.file}:${line}: ${EXPECTED_HEADER}${lacking}`, note === undefined ? {} : { note });
  }

  private header(record: string[], line: number): void {
    const col = (name: string): number => record.indexOf(name);
    const missing = REQUIRED.filter((name) => col(name) < 0);
    if (missing.length > 0) throw this.notAHeader(line, record.join(','), missing);
    this.started = true;
    this.width = record.length;
    this.metricCol = col('metric_name');
    this.timeCol = col('timestamp');
    this.valueCol = col('metric_value');
    this.extraCol = col('extra_tags');
    for (const [i, name] of record.entries()) {
      // `metadata` holds non-indexable values (vu, iter): not tags, k6-facts §2.
      if (name === '' || name === 'extra_tags' || name === 'metadata' || (REQUIRED as readonly string[]).includes(name)) continue;
      this.tagCols.push(i);
      this.tagNames.push(name);
    }
    const keyCols = this.extraCol >= 0 ? [...this.tagCols, this.extraCol] : this.tagCols;
    if (keyCols.length > 0 && keyCols.every((c, i) => c === keyCols[0]! + i)) {
      this.keyStart = keyCols[0]!;
      this.keyEnd = this.keyStart + keyCols.length;
    }
  }

  private tagSet(record: string[]): TagSet {
    // The raw cells are the cache key; equal tag sets written differently (extra_tags order is Go's
    // random map order) get the same canonical key below.
    let raw: string;
    if (this.keyEnd > 0) {
      raw = record.slice(this.keyStart, this.keyEnd).join('\u0000');
    } else {
      raw = '';
      for (let i = 0; i < this.tagCols.length; i++) raw += `${record[this.tagCols[i]!]}\u0000`;
      if (this.extraCol >= 0) raw += record[this.extraCol];
    }
    const cached = this.tagSets.get(raw);
    if (cached !== undefined) return cached;
    // Pairs first, then one object: `Object.fromEntries` defines a tag named `__proto__` as a plain key.
    const pairs: [string, string][] = [];
    for (let i = 0; i < this.tagCols.length; i++) {
      const cell = record[this.tagCols[i]!] ?? '';
      if (cell !== '') pairs.push([this.tagNames[i]!, cell]); // an empty cell means the tag is absent
    }
    if (this.extraCol >= 0) {
      for (const pair of (record[this.extraCol] ?? '').split('&')) {
        if (pair === '') continue;
        const eq = pair.indexOf('=');
        // k6 does not escape `&` or `=` in extra tags; the first `=` splits name and value.
        pairs.push(eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
      }
    }
    const tags: Record<string, string> = Object.fromEntries(pairs);
    Object.freeze(tags);
    const key = JSON.stringify(Object.keys(tags).sort().map((name) => [name, tags[name]]));
    const tagSet: TagSet = { key, tags, get: () => tags };
    if (this.tagSets.size >= TAG_CACHE_LIMIT) this.tagSets.clear();
    this.tagSets.set(raw, tagSet);
    return tagSet;
  }
}

/** `%f` output (and plain decimals in general); `Number('')` would be 0 and `Number('0x1')` 1. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
function countNewlines(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) count += 1;
  }
  return count;
}

/** A cell or line for a message: control characters escaped, long ones cut. */
function excerpt(text: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Line `n` (1-based) of the file as text (maybe cut), for an error message; `undefined` when not in the first 64 KiB. */
function readLine(file: string, n: number): string | undefined {
  let head = peek(file, 1 << 16);
  if (isGzip(head)) {
    try {
      // A partial gzip member: Z_SYNC_FLUSH returns what inflates instead of failing at the cut.
      head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  }
  return head.toString('utf8').replace(/^\uFEFF/, '').split('\n')[n - 1]?.replace(/\r$/, '');
}
