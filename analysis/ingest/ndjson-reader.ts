/**
 * The k6 NDJSON line reader: splits chunks into lines and feeds a SampleSink. Used on the main thread
 * by `k6-ndjson.ts` and in each worker thread by `ndjson-worker.ts`.
 *
 * Speed is the point here (outputs of long runs are many GB), so the common line is not handed to
 * JSON.parse. k6 v0.4x+ writes every Point line with the same layout
 *   {"metric":NAME,"type":"Point","data":{"time":T,"value":V,"tags":{…}[,"metadata":{…}]}}
 * and the fast path reads it by position on a latin1 view of the bytes: the tag object is kept as raw
 * text and used as the group key (parsed once, the first time it appears), the time's date-and-seconds
 * prefix is converted once per second of data. Anything else — the old key order, `Metric`
 * declarations, escapes in names, unexpected keys — goes through JSON.parse and full validation, so
 * the fast path only ever accepts lines whose meaning it knows.
 *
 * With a WebAssembly scanner (`ndjson-scanner.ts`, the loaders pass one in), the bytes go into the
 * scanner's memory and one call reads a whole block: it makes the fast path's checks on every line
 * and gives, per line, ids of its metric and tag set, its time and its value; no string is made for
 * a line whose ids are known, and the Aggregator takes its sample by group (issue 10: the JS path
 * parsed about 280 MB/s with a sink that does nothing, the scanner 2.5 GB/s; with the aggregation
 * the loader reads about 2.7× as fast). What it gives is exactly what the JS fast path would compute
 * (wasm/ndjson-scan.ts says how); the lines it does not read are read here by the JS path, so both
 * ways give the same samples, line numbers and problems.
 */
import { Aggregator, type SeriesGroup } from './aggregate.ts';
import {
  FLAG_LAST,
  FLAG_NEW_METRIC,
  FLAG_NEW_TAGS,
  FLAG_VALUE_BY_JS,
  KIND_JS,
  RECORD_INTS,
  R_KEY_END,
  R_KEY_START,
  R_LINE_END,
  R_LINE_START,
  R_METRIC,
  R_NAME_END,
  R_NAME_START,
  R_PAIR,
  R_TAGS,
  R_TIME,
  R_VALUE,
  R_VALUE_END,
  R_VALUE_START,
  Scanner,
} from './ndjson-scanner.ts';
import type { ProblemLog } from './problems.ts';
import type { MetricContains, MetricType, SampleSink, Tags } from './sink.ts';

const POINT_PREFIX = '{"metric":"';
const AFTER_NAME = '","type":"Point","data":{"time":"';
const AFTER_TIME = '","value":';
const BEFORE_TAGS = ',"tags":';
const METADATA = ',"metadata":';
const METRIC_TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];
const CONTAINS: readonly string[] = ['default', 'time', 'data'];

interface CachedTags {
  readonly key: string;
  readonly get: () => Tags;
}

export interface NdjsonReaderOptions {
  /** The compiled scanner (`ndjsonScanner()`); without it, every line is read by the JS path. */
  readonly scanner?: WebAssembly.Module | undefined;
}

/** Splits chunks into lines and reads each; exported for tests and the benchmark. */
export class NdjsonReader {
  lines = 0;
  skipped = 0;
  /** Lines that contributed a sample or a declaration. */
  used = 0;
  private rest = '';
  private lastLine = false;
  /** Raw tag text → the flat copy used as the group key, and the parsed tags. */
  private readonly tagCache = new Map<string, CachedTags>();
  private previousTags: CachedTags | undefined;
  // Time parsing cache: the `YYYY-MM-DDTHH:MM:SS` prefix and zone of the previous line.
  private secondPrefix = '';
  private secondZone = '';
  private secondMs = 0;
  // The scanner and what its ids stand for: metric names, tag sets (null: not a plain tag object,
  // the line is JSON.parse's), and the group of each (metric, tag set) pair when the sink is an
  // Aggregator. Its input area holds `tail` bytes of a line not finished yet.
  private readonly scanner: Scanner | undefined;
  private readonly aggregator: Aggregator | undefined;
  private readonly names: string[] = [];
  private readonly tagSets: (CachedTags | null)[] = [];
  private readonly groups: (SeriesGroup | undefined)[] = [];
  private tail = 0;

  constructor(
    private readonly sink: SampleSink,
    private problems: ProblemLog,
    options: NdjsonReaderOptions = {},
  ) {
    const { scanner } = options;
    if (scanner !== undefined) this.scanner = new Scanner(scanner, secondOf);
    if (sink instanceof Aggregator) this.aggregator = sink;
  }

  /**
   * Starts a block of whole lines read on its own (a worker's share of a file): line numbers restart at
   * 1 and problems go to `problems`; caches of tag sets and times are kept. The caller shifts the line
   * numbers by the lines of the blocks before it.
   */
  startBlock(problems: ProblemLog): void {
    if (this.rest !== '' || this.tail !== 0) throw new Error('k6 ndjson: a block must end with a whole line before the next one starts');
    this.problems = problems;
    this.lines = 0;
  }

  /** Whether lines are scanned by the WebAssembly scanner. */
  get scanning(): boolean {
    return this.scanner !== undefined;
  }

  push(chunk: Uint8Array): void {
    const scanner = this.scanner;
    if (scanner !== undefined) {
      // Bytes written into `room()` are in place already.
      if (chunk.buffer !== scanner.bytes.buffer || chunk.byteOffset !== scanner.input + this.tail) {
        this.reserve(chunk.length);
        scanner.bytes.set(chunk, scanner.input + this.tail);
      }
      this.scan(this.tail + chunk.length, false);
      return;
    }
    this.pushText(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  /**
   * Where the next `size` bytes can be written so that `push` of them copies nothing (the scanner's
   * memory; valid until the next `push`). Without the scanner, a new buffer.
   */
  room(size: number): Uint8Array {
    const scanner = this.scanner;
    if (scanner === undefined) return Buffer.allocUnsafe(size);
    this.reserve(size);
    return scanner.bytes.subarray(scanner.input + this.tail, scanner.input + this.tail + size);
  }

  /** Room for `size` more bytes after the unfinished line in the scanner's input area. */
  private reserve(size: number): void {
    const scanner = this.scanner as Scanner;
    const need = this.tail + size;
    if (need > scanner.capacity) scanner.reserve(Math.max(need, scanner.capacity * 2), this.tail);
  }

  /** Scans the input area up to `to`; what follows the last newline stays as the tail (unless `final`). */
  private scan(to: number, final: boolean): void {
    const scanner = this.scanner as Scanner;
    let from = 0;
    for (;;) {
      const count = scanner.scan(from, to, final);
      this.records(count);
      from = scanner.scannedTo();
      if (count < scanner.recordCapacity) break;
    }
    if (from > 0 && from < to) scanner.bytes.copyWithin(scanner.input, scanner.input + from, scanner.input + to);
    this.tail = to - from;
  }

  /** The scanner's records: the common line inline, every other through `record`. */
  private records(count: number): void {
    const scanner = this.scanner as Scanner;
    const { ints, floats } = scanner;
    const aggregator = this.aggregator;
    const groups = this.groups;
    // Counted here and stored before anything else runs (`record`, or a sink that reads `lines`).
    let lines = this.lines;
    let used = this.used;
    for (let r = 0; r < count; r++) {
      const i = r * RECORD_INTS;
      if (ints[i] === 0 && aggregator !== undefined) {
        // Known metric, tag set and group, exact value: no string is made.
        const group = groups[ints[i + R_PAIR] as number];
        if (group !== undefined) {
          lines += 1;
          used += 1;
          aggregator.add(group, floats[i / 2 + R_TIME] as number, floats[i / 2 + R_VALUE] as number);
          continue;
        }
      }
      this.lines = lines;
      this.used = used;
      this.record(scanner, i);
      lines = this.lines;
      used = this.used;
    }
    this.lines = lines;
    this.used = used;
  }

  private record(scanner: Scanner, i: number): void {
    const { ints, bytes } = scanner;
    const flags = ints[i] as number;
    const metric = ints[i + R_METRIC] as number;
    const tags = ints[i + R_TAGS] as number;
    // Ids first seen on this line: made here once, whatever becomes of the line.
    if ((flags & FLAG_NEW_METRIC) !== 0) this.names[metric] = bytes.toString('latin1', ints[i + R_NAME_START], ints[i + R_NAME_END]);
    if ((flags & FLAG_NEW_TAGS) !== 0) this.tagSets[tags] = tagEntry(bytes.toString('latin1', ints[i + R_KEY_START], ints[i + R_KEY_END])) ?? null;
    this.lines += 1;
    this.lastLine = (flags & FLAG_LAST) !== 0;
    try {
      const start = ints[i + R_LINE_START] as number;
      let end = ints[i + R_LINE_END] as number;
      const entry = (flags & KIND_JS) === 0 ? this.tagSets[tags] : undefined;
      const name = this.names[metric];
      if (entry === undefined || name === undefined) {
        // Not the scanner's line: the JS path reads it.
        const text = bytes.toString('latin1', start, end);
        this.read(text, 0, text.length);
        return;
      }
      let value = scanner.floats[i / 2 + R_VALUE] as number;
      if ((flags & FLAG_VALUE_BY_JS) !== 0) value = Number(bytes.toString('latin1', ints[i + R_VALUE_START], ints[i + R_VALUE_END]));
      if (entry === null || Number.isNaN(value)) {
        // What the JS fast path gives up on too: not a plain tag object, not a number.
        if (bytes[end - 1] === 13) end -= 1;
        this.slowLine(bytes.toString('latin1', start, end));
        return;
      }
      const timeMs = scanner.floats[i / 2 + R_TIME] as number;
      const aggregator = this.aggregator;
      if (aggregator !== undefined) {
        const pair = ints[i + R_PAIR] as number;
        const group = this.groups[pair] ?? (this.groups[pair] = aggregator.group(name, entry.key, entry.get));
        aggregator.add(group, timeMs, value);
      } else {
        this.sink.sample(name, timeMs, value, entry.key, entry.get);
      }
      this.used += 1;
    } finally {
      this.lastLine = false;
    }
  }

  private pushText(chunk: Buffer): void {
    // latin1 maps each byte to one char: cheap to make and byte-exact; UTF-8 in tag values is decoded
    // properly when a tag set is first parsed.
    const text = chunk.toString('latin1');
    let start = 0;
    if (this.rest !== '') {
      const newline = text.indexOf('\n');
      if (newline < 0) {
        this.rest += text;
        return;
      }
      this.line(this.rest + text.slice(0, newline), 0, newline + this.rest.length);
      this.rest = '';
      start = newline + 1;
    }
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      this.line(text, start, newline);
      start = newline + 1;
    }
    if (start < text.length) this.rest = text.slice(start);
  }

  /** Reads the unterminated last line, if any. A cut-off last line is reported as such. */
  end(): void {
    if (this.scanner !== undefined) {
      if (this.tail > 0) this.scan(this.tail, true);
      return;
    }
    if (this.rest === '') return;
    const rest = this.rest;
    this.rest = '';
    // k6 ends every line with a newline: an unterminated last line that does not parse was cut off.
    this.lastLine = true;
    this.line(rest, 0, rest.length);
    this.lastLine = false;
  }

  private line(text: string, start: number, end: number): void {
    this.lines += 1;
    this.read(text, start, end);
  }

  /** One line (already counted), by the JS fast path or JSON.parse. */
  private read(text: string, start: number, end: number): void {
    if (end > start && text.charCodeAt(end - 1) === 13) end -= 1; // CRLF
    // Blank lines keep the line numbers those of the file, but carry no data.
    if (end <= start) return;
    if (this.fastPoint(text, start, end)) {
      this.used += 1;
      return;
    }
    this.slowLine(text.slice(start, end));
  }

  /**
   * The fast path; returns false (having done nothing) when the line is not in the usual layout.
   * Fixed parts are compared as `slice(…) === constant` (a memcmp; much cheaper than `startsWith` in
   * V8 here, measured), and every search is bounded by the line: an unbounded `indexOf` on the chunk
   * would make a file of odd lines quadratic.
   */
  private fastPoint(text: string, start: number, end: number): boolean {
    const nameStart = start + POINT_PREFIX.length;
    if (text.slice(start, nameStart) !== POINT_PREFIX) return false;
    const nameEnd = text.indexOf('"', nameStart);
    if (nameEnd < 0 || nameEnd >= end) return false;
    const timeStart = nameEnd + AFTER_NAME.length;
    if (text.slice(nameEnd, timeStart) !== AFTER_NAME) return false;
    const timeEnd = text.indexOf('"', timeStart);
    if (timeEnd < 0 || timeEnd >= end) return false;
    const valueStart = timeEnd + AFTER_TIME.length;
    if (text.slice(timeEnd, valueStart) !== AFTER_TIME) return false;
    // The value is a JSON number, so the first comma after it starts `,"tags":`.
    const valueEnd = text.indexOf(',', valueStart);
    if (valueEnd < 0 || valueEnd >= end) return false;
    const tagsStart = valueEnd + BEFORE_TAGS.length;
    if (text.slice(valueEnd, tagsStart) !== BEFORE_TAGS) return false;

    const name = text.slice(nameStart, nameEnd);
    if (name.includes('\\')) return false;
    const timeMs = this.parseTime(text, timeStart, timeEnd);
    if (Number.isNaN(timeMs)) return false;
    const value = Number(text.slice(valueStart, valueEnd));
    if (Number.isNaN(value) || valueEnd === valueStart) return false;

    // Usually the line ends `…}}` right after the tags; the candidate is only trusted once it matched
    // a tag set that parsed cleanly. Lines of one request share their tags, so the previous set is
    // compared first (string equality, no hashing).
    if (text.charCodeAt(end - 1) !== 125 || text.charCodeAt(end - 2) !== 125) return false;
    const candidate = text.slice(tagsStart, end - 2);
    let cached = this.previousTags;
    if (cached === undefined || cached.key !== candidate) {
      cached = this.tagCache.get(candidate) ?? this.newTags(text, candidate, tagsStart, end);
      if (cached === undefined) return false;
      this.previousTags = cached;
    }
    this.sink.sample(name, timeMs, value, cached.key, cached.get);
    return true;
  }

  /**
   * A tag set not seen before: parsed once and cached. When the candidate is not a plain tag object
   * (a `metadata` object follows the tags), the tags are delimited exactly and looked up again.
   */
  private newTags(text: string, candidate: string, tagsStart: number, end: number): CachedTags | undefined {
    let raw = candidate;
    let tags = parseTags(raw);
    if (tags === undefined) {
      const tagsEnd = endOfTags(text, tagsStart, end);
      if (tagsEnd < 0 || text.slice(tagsEnd, tagsEnd + METADATA.length) !== METADATA) return undefined;
      raw = text.slice(tagsStart, tagsEnd);
      const known = this.tagCache.get(raw);
      if (known !== undefined) return known;
      tags = parseTags(raw);
      if (tags === undefined) return undefined;
    }
    const parsed = tags;
    // A flat copy as the key: a slice would pin the whole chunk string in memory.
    const entry: CachedTags = { key: flat(raw), get: () => parsed };
    this.tagCache.set(entry.key, entry);
    // Lines with metadata are cached under their whole candidate too, which differs per line when
    // the metadata does (vu, iter): cap that cache so it cannot grow with the file.
    if (raw !== candidate && this.tagCache.size < 100_000) this.tagCache.set(flat(candidate), entry);
    return entry;
  }

  /** Unix ms of an RFC 3339 time with 0–9 fractional digits and `Z` or `±hh:mm`; NaN if malformed. */
  private parseTime(text: string, start: number, end: number): number {
    // 2026-07-01T02:45:10.321870603Z: the first 19 chars change once a second; their value is cached.
    if (end - start < 20) return Number.NaN;
    let pos = start + 19;
    let fraction = 0;
    if (text.charCodeAt(pos) === 46) {
      pos += 1;
      let scale = 100_000_000; // in ns, so integer maths keeps every digit
      const last = Math.min(end, pos + 9);
      while (pos < last) {
        const digit = text.charCodeAt(pos) - 48;
        if (digit < 0 || digit > 9) break;
        fraction += digit * scale;
        scale /= 10;
        pos += 1;
      }
    }
    const prefix = text.slice(start, start + 19);
    const zoneIsZ = pos === end - 1 && text.charCodeAt(pos) === 90;
    if (prefix !== this.secondPrefix || !(zoneIsZ ? this.secondZone === 'Z' : this.secondZone === text.slice(pos, end))) {
      const zone = text.slice(pos, end);
      const ms = secondOf(prefix, zone);
      if (Number.isNaN(ms)) return Number.NaN;
      this.secondPrefix = flat(prefix);
      this.secondZone = zone;
      this.secondMs = ms;
    }
    // µs precision (what a float64 of Unix ms can hold): round the ns-resolution fraction.
    return this.secondMs + Math.round(fraction / 1000) / 1000;
  }

  private slowLine(raw: string): void {
    let parsed: unknown;
    const line = this.lines;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'latin1').toString('utf8'));
    } catch (error) {
      this.skip(`k6 ndjson: invalid JSON (${(error as Error).message.replace(/\s+in JSON at position \d+.*$/, '')}) at line ${line}`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.skip(`k6 ndjson: expected a JSON object, got \`${preview(raw)}\` at line ${line}`);
      return;
    }
    const entry = parsed as Record<string, unknown>;
    const type = entry.type;
    if (type === 'Metric') return this.metricLine(entry, raw);
    if (type === 'Point') return this.pointLine(entry, raw);
    this.skip(`k6 ndjson: expected \`type\` Point or Metric, got \`${typeof type === 'string' ? type : JSON.stringify(type ?? null)}\` at line ${line}`);
  }

  private metricLine(entry: Record<string, unknown>, raw: string): void {
    const data = entry.data as Record<string, unknown> | undefined;
    const name = typeof entry.metric === 'string' ? entry.metric : typeof data?.name === 'string' ? data.name : undefined;
    const type = data?.type;
    const contains = data?.contains;
    if (name === undefined || typeof type !== 'string' || !METRIC_TYPES.includes(type)) {
      this.skip(`k6 ndjson: a Metric line needs \`metric\` and \`data.type\` (counter|gauge|rate|trend), got \`${preview(raw)}\` at line ${this.lines}`);
      return;
    }
    const kind = typeof contains === 'string' && CONTAINS.includes(contains) ? (contains as MetricContains) : 'default';
    this.sink.declareMetric(name, type as MetricType, kind);
    this.used += 1;
  }

  private pointLine(entry: Record<string, unknown>, raw: string): void {
    const data = entry.data as Record<string, unknown> | undefined;
    const name = entry.metric;
    const time = data?.time;
    const value = data?.value;
    const tags = data?.tags;
    if (typeof name !== 'string' || typeof time !== 'string' || typeof value !== 'number') {
      this.skip(`k6 ndjson: a Point line needs \`metric\`, \`data.time\` and a numeric \`data.value\`, got \`${preview(raw)}\` at line ${this.lines}`);
      return;
    }
    const timeMs = parseRfc3339(time);
    if (Number.isNaN(timeMs)) {
      this.skip(`k6 ndjson: time \`${time}\` is not RFC 3339 at line ${this.lines}`);
      return;
    }
    if (tags !== null && tags !== undefined && (typeof tags !== 'object' || Array.isArray(tags))) {
      this.skip(`k6 ndjson: \`data.tags\` must be an object or null, got \`${JSON.stringify(tags)}\` at line ${this.lines}`);
      return;
    }
    const tagObject = (tags ?? {}) as Record<string, unknown>;
    const clean: Record<string, string> = {};
    for (const [key, tagValue] of Object.entries(tagObject)) clean[key] = String(tagValue);
    // Same key as the fast path would make, so both paths feed the same groups.
    const tagsKey = tags === null || tags === undefined ? 'null' : JSON.stringify(tagObject);
    this.sink.sample(name, timeMs, value, Buffer.from(tagsKey, 'utf8').toString('latin1'), () => clean);
    this.used += 1;
  }

  private skip(message: string): void {
    this.skipped += 1;
    this.problems.add(
      this.lines,
      this.lastLine ? `k6 ndjson: the last line is cut off (k6 stopped while writing it?) at line ${this.lines}` : message,
    );
  }
}

/**
 * The index just past the tag object that starts at `start` (`null` or `{"k":"v",…}`), or -1.
 * Strings are skipped whole (escaped quotes included), so braces inside tag values do not count.
 */
function endOfTags(text: string, start: number, end: number): number {
  if (text.startsWith('null', start)) return start + 4;
  if (text.charCodeAt(start) !== 123) return -1;
  let pos = start + 1;
  while (pos < end) {
    const c = text.charCodeAt(pos);
    if (c === 125) return pos + 1;
    if (c === 34) {
      let close = text.indexOf('"', pos + 1);
      while (close > 0 && close < end && isEscaped(text, close)) close = text.indexOf('"', close + 1);
      if (close < 0 || close >= end) return -1;
      pos = close + 1;
    } else {
      pos += 1;
    }
  }
  return -1;
}

/** Whether the quote at `index` is preceded by an odd number of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(index - 1 - backslashes) === 92) backslashes += 1;
  return backslashes % 2 === 1;
}

/**
 * Unix ms of a time's `YYYY-MM-DDTHH:MM:SS` and its zone (`Z` or `±hh:mm`), NaN when either is
 * malformed or Date.parse rejects them. Both the JS fast path and the scanner convert with it.
 */
function secondOf(prefix: string, zone: string): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(prefix) || !/^(Z|[+-]\d\d:\d\d)$/.test(zone)) return Number.NaN;
  return Date.parse(`${prefix}${zone}`);
}

/** A tag set the scanner met first: its key (`raw`, a flat string) and parsed tags, if a plain tag object. */
function tagEntry(raw: string): CachedTags | undefined {
  const tags = parseTags(raw);
  return tags === undefined ? undefined : { key: raw, get: () => tags };
}

/** Parses a raw tag object (`null` or `{"k":"v",…}`); `undefined` when it is not one. */
function parseTags(raw: string): Tags | undefined {
  if (raw === 'null') return {};
  if (raw.charCodeAt(0) !== 123) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'latin1').toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') return undefined;
      tags[key] = value;
    }
    return tags;
  } catch {
    return undefined;
  }
}

/** Unix ms (µs kept) of an RFC 3339 time with up to 9 fractional digits; NaN when malformed. */
export function parseRfc3339(text: string): number {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (match === null) return Number.NaN;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  const fraction = match[2] === undefined ? 0 : Number(`0${match[2]}`);
  return seconds + Math.round(fraction * 1e6) / 1e3;
}

/** A copy of `s` that does not share memory with the string it was sliced from. */
function flat(s: string): string {
  return s.length > 12 ? Buffer.from(s, 'latin1').toString('latin1') : s;
}

function preview(raw: string): string {
  return raw.length > 60 ? `${raw.slice(0, 57)}…` : raw;
}
