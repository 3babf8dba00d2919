/**
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
 * - fields quoted by Go's `encoding/csv` when they hold a comma, a quote or a line break (RFC 4180:
 *   `""` inside quotes is one `"`); `\n` ends a record, `\r\n` too.
 *
 * Speed is the point (issue 10: ≥ 100 MB/s; the csv-parse loader this replaced, kept as
 * bench/csv-baseline.ts, managed about 12), so rows are not split into arrays of strings. The scanner
 * works on a latin1 view of the bytes (one char per byte: cheap to make, byte-exact; UTF-8 is decoded
 * only where a cell is kept or quoted in a message). A row without any `"` (all of k6's rows but those
 * with quoted cells) takes the fast path: only the commas around the tag columns are searched, the tag
 * columns' raw text is looked up in a cache (its own commas are counted once, when it is new), the
 * timestamp is converted once per distinct cell and a `%f` value is read digit by digit. A row with a
 * `"` anywhere goes through a full RFC 4180 record parser that may span lines and chunks.
 * `npm run bench -- csv` measures both loaders on the same file.
 *
 * Where it differs from the csv-parse loader (only on input k6 does not write): a `\r` before a `\n`
 * outside quotes is always part of the line break (csv-parse kept it in the last cell when the file's
 * first line ended in a bare `\n`), and a bare `\r` never ends a record.
 */
import { statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { AnalysisError } from '../errors.ts';
import { BUILTIN_METRICS } from './builtin-metrics.ts';
import { isGzip, isTruncatedGzip, peek, readChunks } from './open.ts';
import { ProblemLog, type InputReport } from './problems.ts';
import type { SampleSink, Tags } from './sink.ts';

export interface K6CsvOptions {
  /** How many problems to keep with their details (all are counted). Default 20. */
  readonly keepProblems?: number;
}

/** The columns k6 writes first; without them the file is not a k6 CSV. */
const REQUIRED = ['metric_name', 'timestamp', 'metric_value'] as const;
const EXPECTED_HEADER = 'expected a k6 CSV header with the columns `metric_name`, `timestamp` and `metric_value` (in any order, then tag columns)';
/** Longest row accepted, in bytes: a stray quote must not swallow the rest of a multi-GB file into memory. */
const MAX_RECORD_BYTES = 1 << 20;
/** Distinct raw tag cells remembered; cleared when full (unique URLs must not grow it forever). */
const TAG_CACHE_LIMIT = 1 << 16;
/** Slots of the direct-mapped caches in front of the metric name and tag set Maps (powers of 2). */
const METRIC_SLOTS = 256;
const TAG_SLOTS = 4096;
/** Every how many chars of a tag key the slot hash reads (8 was faster than 4 or 3, measured). */
const TAG_HASH_STRIDE = 8;
/** Largest piece of input made into one string (see `pushPieces`). */
const PIECE_BYTES = 1 << 16;
const QUOTE = 34;
const LF = 10;
const CR = 13;
/** A UTF-8 byte order mark as latin1 text. */
const BOM = '\u00ef\u00bb\u00bf';

/**
 * Streams the k6 CSV `file` into `sink`. Broken rows are counted, reported with their 1-based line
 * number (the header is line 1) and skipped; a cut-off gzip stream keeps everything before the cut.
 * Throws `AnalysisError` `unknown-format` when the first line is not a k6 CSV header, `no-data` when
 * the file is empty, `unreadable` when it cannot be opened.
 */
export async function loadK6Csv(file: string, sink: SampleSink, options: K6CsvOptions = {}): Promise<InputReport> {
  const { keepProblems = 20 } = options;
  assertFile(file);
  const gzip = isGzip(peek(file, 2));
  const problems = new ProblemLog(file, keepProblems);
  const scanner = new CsvScanner(file, sink, problems);
  // Errors of the reader and of the scanner are kept apart: a sink's error must pass through
  // unchanged, a reader's is classified below.
  let readError: unknown;
  const chunks = readChunks(file);
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        readError = error;
        break;
      }
      if (next.done === true || !pushPieces(scanner, next.value)) break;
    }
  } finally {
    await chunks.return(undefined);
  }
  if (readError === undefined) {
    scanner.end();
  } else {
    const error = readError;
    if (error instanceof AnalysisError) throw error;
    // The partial row at the cut is dropped: its cells may be cut too.
    if (gzip && isTruncatedGzip(error)) {
      if (!scanner.started) {
        throw new AnalysisError('no-data', `k6 csv: gzip stream ended early at ${file}: expected at least a complete header line`);
      }
      problems.add(null, `k6 csv: gzip stream ended early after ${scanner.line} lines at ${file}: expected a complete gzip file; the lines before were kept`);
    } else if (gzip && /^Z_/.test(String((error as NodeJS.ErrnoException).code))) {
      // Corrupt compressed data: what was inflated before it is still good.
      const reason = (error as Error).message;
      if (!scanner.started) throw new AnalysisError('unreadable', `k6 csv: gzip data broken at ${file}: ${reason}`);
      problems.add(null, `k6 csv: gzip data broken after ${scanner.line} lines at ${file}: ${reason}; the lines before were kept`);
    } else {
      throw new AnalysisError('unreadable', `k6 csv: cannot read \`${file}\`: ${(error as Error).message}`);
    }
  }
  if (!scanner.started) {
    throw new AnalysisError('no-data', `k6 csv: \`${file}\` is empty: ${EXPECTED_HEADER}`);
  }
  return {
    path: file,
    format: 'k6-csv',
    lines: scanner.lines,
    skipped: scanner.skipped,
    problems: problems.first,
    problems_total: problems.count,
  };
}

/**
 * Hands `chunk` to the scanner in pieces of at most 64 KiB: zlib's 256 KiB chunks would make strings
 * of V8's large-object space, which is slower to allocate and collected late.
 */
function pushPieces(scanner: CsvScanner, chunk: Buffer): boolean {
  for (let at = 0; at < chunk.length; at += PIECE_BYTES) {
    if (!scanner.push(chunk.length <= PIECE_BYTES ? chunk : chunk.subarray(at, at + PIECE_BYTES))) return false;
  }
  return true;
}

/** The same checks and messages as `openInput` (readChunks would open a directory and fail on read). */
function assertFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    throw new AnalysisError('unreadable', `input: cannot read \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!isFile) throw new AnalysisError('unreadable', `input: \`${file}\` is not a file`);
}

interface TagSet {
  /** The cache key it is stored under (a flat copy: it outlives the chunk it was read from). */
  readonly raw: string;
  readonly key: string;
  readonly tags: Tags;
  /** Handed to the sink, built once per tag set so no closure is made per row. */
  readonly get: () => Tags;
}

/**
 * Splits latin1 text into records and reads each: header, line numbers, cells, tag sets and metric
 * declarations.
 */
class CsvScanner {
  /** Data rows read (a quoted line break makes one row span several lines), broken ones included. */
  lines = 0;
  skipped = 0;
  /** The last physical line consumed (`\n`-separated, the header is line 1). */
  line = 0;
  /** Whether a header was seen. */
  started = false;
  /** Set when an overlong row stopped the reading. */
  stopped = false;

  private readonly file: string;
  private readonly sink: SampleSink;
  private readonly problems: ProblemLog;
  /** The start of a record that the previous chunk ended inside. */
  private rest = '';
  private bomChecked = false;
  /** The first comma at or after the scan position in the current text (its length when none). */
  private nextComma = -1;
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
  /**
   * Field boundaries of the current fast-path row: field `i` is `text.slice(cuts[i] + 1, cuts[i + 1])`.
   * Sized by the header.
   */
  private cuts = new Int32Array(0);
  /** Raw latin1 text of the key columns of an unquoted row → tag set. */
  private readonly rawTagSets = new Map<string, TagSet>();
  /** Key cells of a row whose key columns are not adjacent, `\0`-joined → tag set. */
  private readonly cellTagSets = new Map<string, TagSet>();
  /** Raw latin1 metric name → decoded name (declared to the sink when first seen). */
  private readonly metricNames = new Map<string, string>();
  private readonly metricSlots: ({ readonly raw: string; readonly name: string } | undefined)[] = new Array<undefined>(METRIC_SLOTS).fill(undefined);
  private readonly tagSlots: (TagSet | undefined)[] = new Array<undefined>(TAG_SLOTS).fill(undefined);
  private readonly declared = new Set<string>();
  private lastTimeCell = '';
  private lastTimeMs = Number.NaN;

  constructor(file: string, sink: SampleSink, problems: ProblemLog) {
    this.file = file;
    this.sink = sink;
    this.problems = problems;
  }

  /** Reads the complete records of `chunk` and keeps the rest; false once reading stopped. */
  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    // One flat string: `rest + text` would be a cons string, which every charCodeAt and slice on the
    // hot path then goes through (measured: the scanner took a third longer).
    let text = this.rest === '' ? chunk.toString('latin1') : Buffer.concat([Buffer.from(this.rest, 'latin1'), chunk]).toString('latin1');
    this.rest = '';
    if (!this.bomChecked) {
      if (text.length < BOM.length) {
        this.rest = text;
        return true;
      }
      text = this.stripBom(text);
    }
    const consumed = this.scan(text, false);
    if (this.stopped) return false;
    if (consumed < text.length) {
      if (text.length - consumed > MAX_RECORD_BYTES) {
        this.tooLong();
        return false;
      }
      // A copy: a slice would keep the whole chunk's text alive.
      this.rest = flat(text.slice(consumed));
    }
    return true;
  }

  /** Reads what is left at the end of the input: a last row without a line break, an unclosed quote. */
  end(): void {
    if (this.stopped) return;
    let text = this.rest;
    this.rest = '';
    if (!this.bomChecked) text = this.stripBom(text);
    if (text !== '') this.scan(text, true);
  }

  private stripBom(text: string): string {
    this.bomChecked = true;
    return text.startsWith(BOM) ? text.slice(BOM.length) : text;
  }

  /**
   * Reads the records of `text` from its start; returns where the first incomplete one starts (all of
   * `text` when `final`). A record with a quote anywhere goes to `quotedRecord`; the others end at
   * the next `\n`.
   */
  private scan(text: string, final: boolean): number {
    const n = text.length;
    let pos = 0;
    let quote = -1;
    this.nextComma = -1;
    while (pos < n) {
      let newline = text.indexOf('\n', pos);
      if (newline < 0) {
        if (!final) return pos;
        newline = n;
      }
      // The next quote is searched once and reused until passed, so the search stays linear.
      if (quote < pos) {
        quote = text.indexOf('"', pos);
        if (quote < 0) quote = n;
      }
      if (quote < newline) {
        const end = this.quotedRecord(text, pos, final);
        if (end < 0) return pos;
        pos = end;
        if (this.stopped) return n;
        continue;
      }
      if (newline - pos > MAX_RECORD_BYTES) {
        this.tooLong();
        return n;
      }
      this.line += 1;
      const end = newline > pos && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      if (this.started) this.fastRow(text, pos, end);
      else this.row(text.slice(pos, end).split(','), this.line);
      pos = newline + 1;
    }
    return n;
  }

  /** A row without quotes, between `start` and `end` (line break excluded), of line `this.line`. */
  private fastRow(text: string, start: number, end: number): void {
    const cuts = this.cuts;
    const width = this.width;
    cuts[0] = start - 1;
    cuts[width] = end;
    if (this.keyEnd > 0) {
      const tagSet = this.keyedTagSet(text, start, end);
      if (tagSet !== undefined) return this.cutRow(text, this.line, tagSet);
    }
    let fields = 1;
    let comma = this.nextComma;
    if (comma < start) {
      comma = text.indexOf(',', start);
      if (comma < 0) comma = text.length;
    }
    while (comma < end) {
      if (fields < width) cuts[fields] = comma;
      fields += 1;
      comma = text.indexOf(',', comma + 1);
      if (comma < 0) comma = text.length;
    }
    // The first comma after this row: the next rows' searches start from it.
    this.nextComma = comma;
    if (fields !== width) {
      if (fields === 1 && text.slice(start, end).trim() === '') return; // a blank line carries nothing
      this.lines += 1;
      return this.bad(this.line, `k6 csv: row with \`${fields}\` fields at ${this.file}:${this.line}: expected ${width} fields as in the header`);
    }
    this.cutRow(text, this.line, undefined);
  }

  /**
   * The usual layout, the key columns (tags, extra_tags) between the fields before and after them:
   * only the commas outside the key text are searched, forwards and backwards; the key text's own are
   * counted only when it is not in the cache (a cached key had the right count). Returns the row's
   * tag set with `cuts` set for every other field, or `undefined` when the row does not fit (too few
   * fields, a key text with the wrong count): `fastRow` then counts every field for the message.
   */
  private keyedTagSet(text: string, start: number, end: number): TagSet | undefined {
    const cuts = this.cuts;
    const before = this.keyStart;
    const keyEnd = this.keyEnd;
    let last = start - 1;
    let comma = this.nextComma;
    if (comma < start) {
      comma = text.indexOf(',', start);
      if (comma < 0) comma = text.length;
    }
    for (let i = 1; i <= before; i++) {
      if (i > 1) {
        comma = text.indexOf(',', last + 1);
        if (comma < 0) comma = text.length;
      }
      if (comma >= end) {
        // Only a first comma past the row is where `fastRow`'s count of this row starts.
        if (i === 1) this.nextComma = comma;
        return undefined;
      }
      cuts[i] = last = comma;
    }
    for (let i = this.width - 1, back = end; i >= keyEnd; i--) {
      back = text.lastIndexOf(',', back - 1);
      if (back <= last) return undefined;
      cuts[i] = back;
    }
    const keyFrom = last + 1;
    const keyTo = cuts[keyEnd]!;
    const raw = text.slice(keyFrom, keyTo);
    const slot = tagSlot(text, keyFrom, keyTo);
    const cached = this.tagSlots[slot];
    if (cached !== undefined && cached.raw === raw) return cached;
    let tagSet = this.rawTagSets.get(raw);
    if (tagSet === undefined) {
      let c = last;
      for (let i = before + 1; i < keyEnd; i++) {
        c = text.indexOf(',', c + 1);
        if (c < 0 || c >= keyTo) return undefined;
        cuts[i] = c;
      }
      const more = text.indexOf(',', c + 1);
      if (more >= 0 && more < keyTo) return undefined;
      tagSet = this.newTagSet(flat(raw), (col) => utf8(text.slice(cuts[col]! + 1, cuts[col + 1]!)));
      if (this.rawTagSets.size >= TAG_CACHE_LIMIT) this.rawTagSets.clear();
      this.rawTagSets.set(tagSet.raw, tagSet);
    }
    this.tagSlots[slot] = tagSet;
    return tagSet;
  }

  /**
   * The checks and the sample of an unquoted row whose field boundaries are in `cuts`; `tagSet` when
   * already known, else looked up (or made) once the row is known to be good.
   */
  private cutRow(text: string, line: number, known: TagSet | undefined): void {
    const cuts = this.cuts;
    this.lines += 1;
    const metricStart = cuts[this.metricCol]! + 1;
    const metricEnd = cuts[this.metricCol + 1]!;
    if (metricEnd === metricStart) return this.bad(line, `k6 csv: metric_name \`\` at ${this.file}:${line}: expected a metric name`);
    const valueStart = cuts[this.valueCol]! + 1;
    const valueEnd = cuts[this.valueCol + 1]!;
    const value = parseDecimal(text, valueStart, valueEnd);
    if (Number.isNaN(value)) {
      return this.bad(line, `k6 csv: metric_value \`${excerpt(utf8(text.slice(valueStart, valueEnd)))}\` at ${this.file}:${line}: expected a number`);
    }
    const timeCell = text.slice(cuts[this.timeCol]! + 1, cuts[this.timeCol + 1]!);
    if (timeCell !== this.lastTimeCell) {
      this.lastTimeCell = flat(timeCell);
      this.lastTimeMs = parseK6CsvTime(timeCell);
    }
    const timeMs = this.lastTimeMs;
    if (Number.isNaN(timeMs)) {
      return this.bad(line, `k6 csv: timestamp \`${excerpt(utf8(timeCell))}\` at ${this.file}:${line}: expected Unix seconds, ms, µs or ns, or an RFC 3339 time`);
    }
    const rawMetric = text.slice(metricStart, metricEnd);
    // As for tag sets: a direct-mapped cache before the Map, by length, first and last four chars
    // (which tell k6's built-in metrics apart).
    let hash = Math.imul(metricEnd - metricStart, 31) + text.charCodeAt(metricStart);
    for (let i = Math.max(metricStart, metricEnd - 4); i < metricEnd; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    const slot = (hash ^ (hash >>> 8)) & (METRIC_SLOTS - 1);
    let metric: string;
    const cached = this.metricSlots[slot];
    if (cached !== undefined && cached.raw === rawMetric) {
      metric = cached.name;
    } else {
      const known = this.metricNames.get(rawMetric);
      if (known === undefined) {
        metric = utf8(rawMetric);
        this.metricNames.set(flat(rawMetric), metric);
        this.declare(metric);
      } else {
        metric = known;
      }
      this.metricSlots[slot] = { raw: flat(rawMetric), name: metric };
    }
    const tagSet = known ?? this.cutTagSet(text);
    this.sink.sample(metric, timeMs, value, tagSet.key, tagSet.get);
  }

  /** The tag set of an unquoted row with every field in `cuts`. */
  private cutTagSet(text: string): TagSet {
    const cuts = this.cuts;
    const cell = (col: number): string => text.slice(cuts[col]! + 1, cuts[col + 1]!);
    let raw: string;
    if (this.keyEnd > 0) {
      raw = text.slice(cuts[this.keyStart]! + 1, cuts[this.keyEnd]!);
    } else {
      // Key columns apart from each other: a key of their cells (no `\0` in a cell of k6's).
      raw = '\u0000';
      for (let i = 0; i < this.tagCols.length; i++) raw += `${cell(this.tagCols[i]!)}\u0000`;
      if (this.extraCol >= 0) raw += cell(this.extraCol);
    }
    let tagSet = this.rawTagSets.get(raw);
    if (tagSet === undefined) {
      tagSet = this.newTagSet(flat(raw), (col) => utf8(cell(col)));
      if (this.rawTagSets.size >= TAG_CACHE_LIMIT) this.rawTagSets.clear();
      this.rawTagSets.set(tagSet.raw, tagSet);
    }
    return tagSet;
  }

  /**
   * A record with a quote, from `start`, by RFC 4180 (with csv-parse's `relax_quotes` leniency: a quote
   * inside an unquoted cell is a plain character, so is a quoted cell followed by more text). Returns the
   * index after its line break, or -1 when `text` ends inside it and more input may follow.
   */
  private quotedRecord(text: string, start: number, final: boolean): number {
    const n = text.length;
    const cells: string[] = [];
    /** Where each cell's text starts and ends in `text`, quotes included. */
    const bounds: number[] = [];
    let newlines = 0;
    let pos = start;
    // The next comma and line break, searched once and reused until passed (linear, as in `scan`).
    let comma = this.nextComma;
    let lf = -1;
    for (;;) {
      let cell = '';
      const quoted = text.charCodeAt(pos) === QUOTE;
      const cellStart = pos;
      if (quoted) {
        let from = pos + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) {
            if (!final) return -1;
            this.line += 1;
            this.unclosed();
            return n;
          }
          cell += text.slice(from, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            cell += '"';
            from = close + 2;
            continue;
          }
          pos = close + 1;
          break;
        }
        for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) newlines += 1;
      }
      // The unquoted cell, or what follows a closing quote, up to the delimiter.
      if (comma < pos) {
        comma = text.indexOf(',', pos);
        if (comma < 0) comma = n;
      }
      if (lf < pos) {
        lf = text.indexOf('\n', pos);
        if (lf < 0) lf = n;
      }
      const stop = comma < lf ? comma : lf;
      if (stop === n && !final) return -1;
      // `\r\n` ends a record like `\n`; a `\r` elsewhere is a character of its cell.
      const cellEnd = stop > pos && text.charCodeAt(stop - 1) === CR && (stop === n || text.charCodeAt(stop) === LF) ? stop - 1 : stop;
      // Text after a closing quote means the quotes were not quoting: kept as written, as csv-parse did.
      if (cellEnd > pos) cell = quoted ? `"${cell}"${text.slice(pos, cellEnd)}` : text.slice(pos, cellEnd);
      cells.push(cell);
      bounds.push(cellStart, cellEnd);
      if (stop - start > MAX_RECORD_BYTES) {
        this.tooLong();
        return n;
      }
      if (stop === comma && stop < n) {
        pos = stop + 1;
        continue;
      }
      // `comma` is past the line break: the first comma after this record.
      this.nextComma = comma;
      const first = this.line + 1;
      this.line = first + newlines;
      // The key columns' text as written, quotes and all, is a cache key like an unquoted row's.
      const keyed = this.keyEnd > 0 && cells.length === this.width;
      this.row(cells, first, keyed ? text.slice(bounds[2 * this.keyStart]!, bounds[2 * this.keyEnd - 1]!) : undefined);
      return stop + 1;
    }
  }

  /**
   * A row as latin1 cells, starting at line `start`: the header, a quoted row. `raw` is the text of its
   * key columns when they are adjacent.
   */
  private row(record: string[], start: number, raw?: string): void {
    if (record.length === 1 && utf8(record[0]!).trim() === '') return; // a blank line carries nothing
    if (!this.started) {
      this.header(record.map(utf8), start);
      return;
    }
    this.lines += 1;
    if (record.length !== this.width) {
      return this.bad(start, `k6 csv: row with \`${record.length}\` fields at ${this.file}:${start}: expected ${this.width} fields as in the header`);
    }
    const rawMetric = record[this.metricCol] ?? '';
    if (rawMetric === '') return this.bad(start, `k6 csv: metric_name \`\` at ${this.file}:${start}: expected a metric name`);
    const valueCell = record[this.valueCol] ?? '';
    const value = parseDecimal(valueCell, 0, valueCell.length);
    if (Number.isNaN(value)) {
      return this.bad(start, `k6 csv: metric_value \`${excerpt(utf8(valueCell))}\` at ${this.file}:${start}: expected a number`);
    }
    const timeCell = record[this.timeCol] ?? '';
    if (timeCell !== this.lastTimeCell) {
      this.lastTimeCell = flat(timeCell);
      this.lastTimeMs = parseK6CsvTime(timeCell);
    }
    const timeMs = this.lastTimeMs;
    if (Number.isNaN(timeMs)) {
      return this.bad(
        start,
        `k6 csv: timestamp \`${excerpt(utf8(timeCell))}\` at ${this.file}:${start}: expected Unix seconds, ms, µs or ns, or an RFC 3339 time`,
      );
    }
    let metric = this.metricNames.get(rawMetric);
    if (metric === undefined) {
      metric = utf8(rawMetric);
      this.metricNames.set(flat(rawMetric), metric);
      this.declare(metric);
    }
    let tagSet: TagSet | undefined;
    if (raw !== undefined) {
      const slot = tagSlot(raw, 0, raw.length);
      tagSet = this.tagSlots[slot];
      if (tagSet === undefined || tagSet.raw !== raw) {
        tagSet = this.rawTagSets.get(raw);
        if (tagSet === undefined) {
          tagSet = this.newTagSet(flat(raw), (col) => utf8(record[col] ?? ''));
          if (this.rawTagSets.size >= TAG_CACHE_LIMIT) this.rawTagSets.clear();
          this.rawTagSets.set(tagSet.raw, tagSet);
        }
        this.tagSlots[slot] = tagSet;
      }
    } else {
      let cells = '';
      for (let i = 0; i < this.tagCols.length; i++) cells += `${record[this.tagCols[i]!]}\u0000`;
      if (this.extraCol >= 0) cells += record[this.extraCol];
      tagSet = this.cellTagSets.get(cells);
      if (tagSet === undefined) {
        tagSet = this.newTagSet(cells, (col) => utf8(record[col] ?? ''));
        if (this.cellTagSets.size >= TAG_CACHE_LIMIT) this.cellTagSets.clear();
        this.cellTagSets.set(cells, tagSet);
      }
    }
    this.sink.sample(metric, timeMs, value, tagSet.key, tagSet.get);
  }

  private declare(metric: string): void {
    if (this.declared.has(metric)) return;
    this.declared.add(metric);
    const builtin = Object.hasOwn(BUILTIN_METRICS, metric) ? BUILTIN_METRICS[metric] : undefined;
    this.sink.declareMetric(metric, builtin?.[0] ?? 'unknown', builtin?.[1] ?? 'default');
  }

  /** A quoted field still open at the end of the input. */
  private unclosed(): void {
    const start = this.line;
    if (!this.started) throw this.notAHeader(start, '');
    this.lines += 1;
    this.skipped += 1;
    this.problems.add(start, `k6 csv: quoted field opened at ${this.file}:${start} is never closed: expected a closing \`"\` before the end of the file`);
  }

  /** A row over MAX_RECORD_BYTES: reported, and the reading stops (what follows cannot be trusted). */
  private tooLong(): void {
    const start = this.line + 1;
    this.stopped = true;
    if (!this.started) throw this.notAHeader(start, '');
    this.lines += 1;
    this.skipped += 1;
    this.problems.add(start, `k6 csv: row longer than ${MAX_RECORD_BYTES} bytes at ${this.file}:${start}: expected a k6 CSV row; reading stopped there`);
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
    this.cuts = new Int32Array(this.width + 1);
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

  /**
   * The tag set of a row whose decoded cells `cell(column)` gives. Equal tag sets written differently
   * (extra_tags order is Go's random map order) get the same canonical key.
   */
  private newTagSet(raw: string, cell: (col: number) => string): TagSet {
    // Pairs first, then one object: `Object.fromEntries` defines a tag named `__proto__` as a plain key.
    const pairs: [string, string][] = [];
    for (let i = 0; i < this.tagCols.length; i++) {
      const value = cell(this.tagCols[i]!);
      if (value !== '') pairs.push([this.tagNames[i]!, value]); // an empty cell means the tag is absent
    }
    if (this.extraCol >= 0) {
      for (const pair of cell(this.extraCol).split('&')) {
        if (pair === '') continue;
        const eq = pair.indexOf('=');
        // k6 does not escape `&` or `=` in extra tags; the first `=` splits name and value.
        pairs.push(eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
      }
    }
    const tags: Record<string, string> = Object.fromEntries(pairs);
    Object.freeze(tags);
    const key = JSON.stringify(Object.keys(tags).sort().map((name) => [name, tags[name]]));
    return { raw, key, tags, get: () => tags };
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The decimal number in `text[start, end)`, or NaN. `%f` cells (`114.365000`) with at most 15 digits
 * are read digit by digit: the digits as an integer below 2^53 divided by an exact power of ten is one
 * correctly rounded operation, so the result is bit for bit `Number(cell)` (Clinger, "How to read
 * floating point numbers accurately", PLDI 1990, the fast path). Anything else is checked against
 * NUMBER and given to `Number`.
 */
function parseDecimal(text: string, start: number, end: number): number {
  let pos = start;
  const sign = text.charCodeAt(pos);
  const negative = sign === 45;
  if (negative || sign === 43) pos += 1;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; pos < end; pos++) {
    const c = text.charCodeAt(pos);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits += 1;
    } else if (c === 46 && fraction < 0) {
      fraction = digits;
    } else {
      break;
    }
  }
  if (pos === end && digits > 0 && digits <= 15) {
    const value = fraction < 0 ? mantissa : mantissa / POW10[digits - fraction]!;
    return negative ? -value : value;
  }
  const cell = text.slice(start, end);
  return NUMBER.test(cell) ? Number(cell) : Number.NaN;
}

/**
 * The slot of the tag key `text[from, to)` in the direct-mapped cache in front of the tag set Map: a
 * hash of every TAG_HASH_STRIDE-th char. Hashing the whole key for a Map lookup was half of the
 * scanner's time (profiled); a slot hit costs one string comparison.
 */
function tagSlot(text: string, from: number, to: number): number {
  let hash = to - from;
  for (let i = from; i < to; i += TAG_HASH_STRIDE) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return (hash ^ (hash >>> 15)) & (TAG_SLOTS - 1);
}

/** Text of latin1 chars (bytes) decoded as UTF-8; ASCII, nearly every cell, is returned as it is. */
function utf8(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(latin1) ? latin1 : Buffer.from(latin1, 'latin1').toString('utf8');
}

/** A copy of `s` that does not share memory with the string it was sliced from. */
function flat(s: string): string {
  return s.length > 12 ? Buffer.from(s, 'latin1').toString('latin1') : s;
}

/** `%f` output (and plain decimals in general); `Number('')` would be 0 and `Number('0x1')` 1. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DIGITS = /^\d{1,20}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * A k6 CSV `timestamp` cell as Unix time in ms (fractions to the µs), or NaN. The format is
 * detected per value: digits by their count (≤ 11 seconds, 12–14 ms, 15–17 µs, 18–20 ns: a 10-digit
 * second, 13-digit ms, 16-digit µs or 19-digit ns timestamp of today sits in the middle of its
 * range), anything else as RFC 3339 with any zone offset and 0–9 fractional digits. Sub-ms digits are
 * added separately, never through `Date` (ms only) or a 19-digit `Number` (beyond 2^53).
 */
export function parseK6CsvTime(cell: string): number {
  if (DIGITS.test(cell)) {
    const n = cell.length;
    if (n <= 11) return Number(cell) * 1000;
    if (n <= 14) return Number(cell);
    if (n <= 17) return msPlusNanos(Number(cell.slice(0, -3)), Number(cell.slice(-3)) * 1000);
    return msPlusNanos(Number(cell.slice(0, -6)), Number(cell.slice(-6)));
  }
  const m = RFC3339.exec(cell);
  if (m === null) return Number.NaN;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const fraction = (m[7] ?? '').padEnd(9, '0');
  const offsetMinutes = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return msPlusNanos(seconds * 1000 + Number(fraction.slice(0, 3)), Number(fraction.slice(3)));
}

/**
 * Whole ms plus the sub-ms nanoseconds rounded to the µs (a double near 1.7e12 ms resolves about
 * 0.24 µs, so finer digits would be noise). One formula for every format, so µs, ns and RFC 3339 cells
 * of the same instant give the same number.
 */
function msPlusNanos(wholeMs: number, nanos: number): number {
  return wholeMs + Math.round(nanos / 1000) / 1000;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date algorithms"). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
