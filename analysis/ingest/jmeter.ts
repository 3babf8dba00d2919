/**
 * Loader for JMeter results (JTL), CSV with its header (`jmeter.save.saveservice.output_format=csv`,
 * `print_field_names=true`, the defaults) or XML (`output_format=xml`): one sample per row or
 * element, streamed into a `SampleSink` as k6's built-in metrics, so counts are exact and percentiles
 * come from the same histograms as k6's.
 *
 * Mapping (JMeter 5.6 `CSVSaveService` column names, XML attribute in brackets):
 * - `elapsed` (t) → `http_req_duration`, ms. JMeter's elapsed runs from just before the request is
 *   sent to the last byte of the response and includes the connection set-up (`Connect`); k6's
 *   `http_req_duration` excludes it (it is `http_req_connecting`).
 * - one `http_reqs` per sample; `success` (s) `false` → `http_req_failed` 1. JMeter's success is its
 *   own verdict (assertions included), not only the status code.
 * - `Connect` (ct) → `http_req_connecting`; `bytes` (by) → `data_received`; `sentBytes` (sby) →
 *   `data_sent`; `allThreads` (na) → the `vus` gauge: JMeter's active threads, a closed model.
 * - tags: `name` = `label` (lb), `status` = `responseCode` (rc); a "Non HTTP response code: …" (no
 *   response) is status `0`, as k6 tags a request that got none.
 * - time: `timeStamp` (ts) is the sample's start in ms (JMeter's shipped `jmeter.properties` sets
 *   `sampleresult.timestamp.start=true`); samples are placed at their end, `timeStamp + elapsed`, so a
 *   second's throughput is the requests that completed in it.
 * - `Latency` (lt, time to first byte including connect) has no k6 counterpart and is not loaded.
 * - XML: only samples directly under `<testResults>`; samples nested in them (sub-results of
 *   redirects or embedded resources) are part of their parent's time and are not counted again.
 */
import { StringDecoder } from 'node:string_decoder';
import { AnalysisError } from '../errors.ts';
import { excerpt, readCsv } from './locust.ts';
import { isTruncatedGzip, readChunks } from './open.ts';
import { ProblemLog, type InputReport } from './problems.ts';
import type { SampleSink, Tags } from './sink.ts';

export type JtlKind = 'jmeter-jtl-csv' | 'jmeter-jtl-xml';

export interface JmeterOptions {
  /** How many problems to keep with their details (all are counted). Default 20. */
  readonly keepProblems?: number;
}

export interface JmeterLoad {
  readonly report: InputReport;
  /** The most threads active at once (`allThreads`), `null` when the file does not say. */
  readonly users: number | null;
}

/** JMeter's default CSV JTL header (JMeter 5.6.3, every default `jmeter.save.saveservice.*`). */
export const JTL_DEFAULT_HEADER = 'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect';
const CSV_REQUIRED = ['timeStamp', 'elapsed', 'label', 'success'] as const;

/** Whether a file's first bytes are a JTL, and which; `null` when not. */
export function jtlKindOf(head: string): JtlKind | null {
  const text = head.replace(/^\ufeff/, '').trimStart();
  if (text.startsWith('<')) return /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<testResults[\s>]/.test(text) ? 'jmeter-jtl-xml' : null;
  const names = (text.split('\n', 1)[0] ?? '').replace(/\r$/, '').split(',');
  return names.includes('timeStamp') && names.includes('elapsed') ? 'jmeter-jtl-csv' : null;
}

/** One sample as read from either format, before it goes into the sink. */
interface JtlSample {
  readonly timeStamp: string;
  readonly elapsed: string;
  readonly label: string;
  readonly success: string;
  readonly responseCode: string | undefined;
  readonly bytes: string | undefined;
  readonly sentBytes: string | undefined;
  readonly allThreads: string | undefined;
  readonly connect: string | undefined;
}

/** Turns samples into k6 metrics; counts rows and broken ones. */
class JtlSink {
  lines = 0;
  skipped = 0;
  users: number | null = null;
  private readonly tagSets = new Map<string, { key: string; get: () => Tags }>();

  constructor(
    private readonly file: string,
    private readonly subject: string,
    private readonly sink: SampleSink,
    readonly problems: ProblemLog,
  ) {
    sink.declareMetric('http_reqs', 'counter', 'default');
    sink.declareMetric('http_req_failed', 'rate', 'default');
    sink.declareMetric('http_req_duration', 'trend', 'time');
    sink.declareMetric('http_req_connecting', 'trend', 'time');
    sink.declareMetric('data_received', 'counter', 'data');
    sink.declareMetric('data_sent', 'counter', 'data');
    sink.declareMetric('vus', 'gauge', 'default');
  }

  bad(line: number | null, message: string): void {
    this.skipped += 1;
    this.problems.add(line, message);
  }

  sample(s: JtlSample, line: number, field: (name: string) => string): void {
    this.lines += 1;
    const at = `${this.file}:${line}`;
    const start = whole(s.timeStamp);
    if (start === null) {
      return this.bad(line, `${this.subject}: ${field('timeStamp')} \`${excerpt(s.timeStamp)}\` at ${at}: expected Unix time in ms (\`jmeter.save.saveservice.timestamp_format=ms\`, the default)`);
    }
    const elapsed = whole(s.elapsed);
    if (elapsed === null) return this.bad(line, `${this.subject}: ${field('elapsed')} \`${excerpt(s.elapsed)}\` at ${at}: expected whole milliseconds`);
    if (s.success !== 'true' && s.success !== 'false') return this.bad(line, `${this.subject}: ${field('success')} \`${excerpt(s.success)}\` at ${at}: expected \`true\` or \`false\``);
    const bytes = this.optional('bytes', s.bytes, line, field);
    const sent = this.optional('sentBytes', s.sentBytes, line, field);
    const threads = this.optional('allThreads', s.allThreads, line, field);
    const connect = this.optional('Connect', s.connect, line, field);
    if (bytes === false || sent === false || threads === false || connect === false) return;
    const timeMs = start + elapsed;
    const status = s.responseCode === undefined || s.responseCode === '' ? undefined : s.responseCode.startsWith('Non HTTP response code') ? '0' : s.responseCode;
    const tags = this.tagSet(s.label, status);
    this.sink.sample('http_reqs', timeMs, 1, tags.key, tags.get);
    this.sink.sample('http_req_duration', timeMs, elapsed, tags.key, tags.get);
    this.sink.sample('http_req_failed', timeMs, s.success === 'false' ? 1 : 0, tags.key, tags.get);
    if (connect !== null) this.sink.sample('http_req_connecting', timeMs, connect, tags.key, tags.get);
    if (bytes !== null) this.sink.sample('data_received', timeMs, bytes, tags.key, tags.get);
    if (sent !== null) this.sink.sample('data_sent', timeMs, sent, tags.key, tags.get);
    if (threads !== null) {
      this.sink.sample('vus', timeMs, threads, '[]', NO_TAGS);
      this.users = Math.max(this.users ?? 0, threads);
    }
  }

  /** An optional whole-number field: `null` when absent or empty, `false` (and a broken row) when not a number. */
  private optional(name: string, cell: string | undefined, line: number, field: (name: string) => string): number | null | false {
    if (cell === undefined || cell === '') return null;
    const n = whole(cell);
    if (n !== null) return n;
    this.bad(line, `${this.subject}: ${field(name)} \`${excerpt(cell)}\` at ${this.file}:${line}: expected a whole number`);
    return false;
  }

  report(format: JtlKind): InputReport {
    return { path: this.file, format, lines: this.lines, skipped: this.skipped, problems: this.problems.first, problems_total: this.problems.count };
  }

  private tagSet(label: string, status: string | undefined): { key: string; get: () => Tags } {
    const raw = `${label}\u0000${status ?? ''}`;
    let set = this.tagSets.get(raw);
    if (set === undefined) {
      const tags: Tags = Object.freeze(status === undefined ? { name: label } : { name: label, status });
      set = { key: JSON.stringify(Object.entries(tags).sort()), get: () => tags };
      // Labels are the plan's sampler names: few. A bound anyway, as for k6's tag sets.
      if (this.tagSets.size >= 1 << 16) this.tagSets.clear();
      this.tagSets.set(raw, set);
    }
    return set;
  }
}

const NO_TAGS = (): Tags => EMPTY;
const sameName = (name: string): string => name;
const EMPTY: Tags = Object.freeze({});
const WHOLE = /^\d{1,15}$/;

function whole(cell: string): number | null {
  return WHOLE.test(cell) ? Number(cell) : null;
}

function finish(out: JtlSink, subject: string, file: string, format: JtlKind): JmeterLoad {
  if (out.lines > 0 && out.skipped === out.lines) throw new AnalysisError('no-data', `${subject}: every sample of \`${file}\` is broken (${out.lines}): ${out.problems.first[0]?.message ?? ''}`);
  return { report: out.report(format), users: out.users };
}

// --- CSV -----------------------------------------------------------------------------------------

/**
 * Streams a CSV JTL into `sink`. Columns are found by name (a plan may save more or fewer fields);
 * `timeStamp`, `elapsed`, `label` and `success` are required. Throws `AnalysisError` `unknown-format`
 * when the first line is not such a header (a JTL saved without field names, or another CSV).
 */
export async function loadJtlCsv(file: string, sink: SampleSink, options: JmeterOptions = {}): Promise<JmeterLoad> {
  const { keepProblems = 20 } = options;
  const subject = 'jmeter jtl';
  const problems = new ProblemLog(file, keepProblems);
  const out = new JtlSink(file, subject, sink, problems);
  let col: Record<string, number> | null = null;
  let width = 0;
  const { started, broken } = await readCsv(file, problems, (record, line) => {
    if (col === null) {
      const missing = CSV_REQUIRED.filter((name) => !record.includes(name));
      if (missing.length > 0) {
        throw new AnalysisError(
          'unknown-format',
          `${subject}: header \`${excerpt(record.join(','), 60)}\` at ${file}:${line}: expected a JMeter CSV header with ${CSV_REQUIRED.map((n) => `\`${n}\``).join(', ')}; missing ${missing.map((n) => `\`${n}\``).join(', ')}`,
          { note: `JMeter writes its header with \`jmeter.save.saveservice.print_field_names=true\` (the default): \`${JTL_DEFAULT_HEADER}\`` },
        );
      }
      col = Object.fromEntries(record.map((name, i) => [name, i]));
      width = record.length;
      return;
    }
    if (record.length !== width) {
      out.lines += 1;
      return out.bad(line, `${subject}: row with \`${record.length}\` fields at ${file}:${line}: expected ${width} fields as in the header`);
    }
    const c = col;
    const cell = (name: string): string | undefined => (c[name] === undefined ? undefined : record[c[name]]);
    out.sample(
      {
        timeStamp: cell('timeStamp') as string,
        elapsed: cell('elapsed') as string,
        label: cell('label') as string,
        success: cell('success') as string,
        responseCode: cell('responseCode'),
        bytes: cell('bytes'),
        sentBytes: cell('sentBytes'),
        allThreads: cell('allThreads'),
        connect: cell('Connect'),
      },
      line,
      sameName,
    );
  });
  if (!started) throw new AnalysisError('no-data', `${subject}: \`${file}\` is empty: expected JMeter's CSV header \`${JTL_DEFAULT_HEADER}\``);
  out.lines += broken;
  out.skipped += broken;
  return finish(out, subject, file, 'jmeter-jtl-csv');
}

// --- XML -----------------------------------------------------------------------------------------

/** XML attribute of each field (JMeter's `saveservice.properties` aliases). */
const XML_ATTR = { timeStamp: 'ts', elapsed: 't', label: 'lb', success: 's', responseCode: 'rc', bytes: 'by', sentBytes: 'sby', allThreads: 'na', Connect: 'ct' } as const;
const SAMPLE_ELEMENTS = new Set(['httpSample', 'sample']);
/** Longest start tag accepted: a missing `>` must not swallow the rest of the file into memory. */
const MAX_TAG_CHARS = 1 << 20;

/**
 * Streams an XML JTL into `sink`: a small scanner for JMeter's own output (elements, quoted
 * attributes, escaped text; no DTD), never the whole document in memory. A sample without one of
 * `ts`, `t`, `lb`, `s` is a broken row; a file without its closing `</testResults>` (JMeter stopped
 * while writing) keeps its samples and says so.
 */
export async function loadJtlXml(file: string, sink: SampleSink, options: JmeterOptions = {}): Promise<JmeterLoad> {
  const { keepProblems = 20 } = options;
  const subject = 'jmeter jtl xml';
  const problems = new ProblemLog(file, keepProblems);
  const out = new JtlSink(file, subject, sink, problems);
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let line = 1;
  let depth = 0;
  let root = false;
  let closed = false;
  const fieldName = (name: string): string => `\`${XML_ATTR[name as keyof typeof XML_ATTR] ?? name}\` (${name})`;

  const element = (tag: string, at: number): void => {
    if (tag.startsWith('<?') || tag.startsWith('<!')) return;
    if (tag.startsWith('</')) {
      depth -= 1;
      if (depth === 0 && tag.slice(2, -1).trim() === 'testResults') closed = true;
      return;
    }
    const selfClosing = tag.endsWith('/>');
    const nameEnd = tag.search(/[\s/>]/);
    const name = tag.slice(1, nameEnd < 0 ? undefined : nameEnd);
    if (!root) {
      if (name !== 'testResults') {
        throw new AnalysisError('unknown-format', `${subject}: element \`<${excerpt(name)}>\` at ${file}:${at}: expected JMeter's \`<testResults>\``);
      }
      root = true;
    } else if (depth === 1 && SAMPLE_ELEMENTS.has(name)) {
      const attrs = attributes(tag);
      const missing = (['timeStamp', 'elapsed', 'label', 'success'] as const).filter((field) => attrs.get(XML_ATTR[field]) === undefined);
      if (missing.length > 0) {
        out.lines += 1;
        out.bad(at, `${subject}: <${name}> without ${missing.map((m) => `\`${XML_ATTR[m]}\``).join(', ')} at ${file}:${at}: expected JMeter's sample attributes ts, t, lb, s`);
      } else {
        out.sample(
          {
            timeStamp: attrs.get('ts') as string,
            elapsed: attrs.get('t') as string,
            label: attrs.get('lb') as string,
            success: attrs.get('s') as string,
            responseCode: attrs.get('rc'),
            bytes: attrs.get('by'),
            sentBytes: attrs.get('sby'),
            allThreads: attrs.get('na'),
            connect: attrs.get('ct'),
          },
          at,
          fieldName,
        );
      }
    }
    if (!selfClosing) depth += 1;
  };

  try {
    for await (const chunk of readChunks(file)) {
      buffer += decoder.write(chunk);
      let from = 0;
      for (;;) {
        const lt = buffer.indexOf('<', from);
        if (lt < 0) {
          line += countLines(buffer, from, buffer.length);
          from = buffer.length;
          break;
        }
        const gt = tagEnd(buffer, lt);
        if (gt < 0) {
          line += countLines(buffer, from, lt);
          from = lt;
          if (buffer.length - lt > MAX_TAG_CHARS) {
            out.lines += 1;
            out.bad(line, `${subject}: tag longer than ${MAX_TAG_CHARS} characters at ${file}:${line}: expected \`>\`; reading stopped there`);
            return finish(out, subject, file, 'jmeter-jtl-xml');
          }
          break;
        }
        line += countLines(buffer, from, lt);
        const at = line;
        const tag = buffer.slice(lt, gt + 1);
        line += countLines(tag, 0, tag.length);
        from = gt + 1;
        element(tag, at);
      }
      buffer = buffer.slice(from);
    }
  } catch (error) {
    if (error instanceof AnalysisError) throw error;
    if (!isTruncatedGzip(error) && !/^Z_/.test(String((error as NodeJS.ErrnoException).code))) {
      throw new AnalysisError('unreadable', `${subject}: cannot read \`${file}\`: ${(error as Error).message}`);
    }
    if (!root) throw new AnalysisError('no-data', `${subject}: gzip stream ended early at ${file}: expected at least the \`<testResults>\` element`);
    problems.add(null, `${subject}: gzip stream ended early at ${file}:${line}: expected a complete gzip file; the samples before were kept`);
    return finish(out, subject, file, 'jmeter-jtl-xml');
  }
  if (!root) throw new AnalysisError('no-data', `${subject}: \`${file}\` has no \`<testResults>\` element: expected a JMeter XML JTL`);
  if (buffer.trim() !== '') {
    out.lines += 1;
    out.bad(line, `${subject}: tag opened at ${file}:${line} is never closed: expected \`>\` before the end of the file`);
  } else if (!closed) {
    problems.add(null, `${subject}: no closing \`</testResults>\` in ${file}: expected a complete file (JMeter writes it when the test ends); the samples before were kept`);
  }
  return finish(out, subject, file, 'jmeter-jtl-xml');
}

/** The index of the `>` that ends the tag starting at `lt`, skipping quoted attribute values; -1 when not yet read. */
function tagEnd(text: string, lt: number): number {
  if (text.startsWith('<!--', lt)) {
    const end = text.indexOf('-->', lt + 4);
    return end < 0 ? -1 : end + 2;
  }
  let quote = '';
  for (let i = lt + 1; i < text.length; i++) {
    const c = text[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

/**
 * A start tag's attributes, entities decoded: `name="value"` or `name='value'`, spaces allowed around
 * `=`. A scan with indexOf rather than a global regex: measured, the regex took a third of the time.
 */
function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  let at = tag.search(/\s/);
  while (at >= 0) {
    const eq = tag.indexOf('=', at);
    if (eq < 0) break;
    let open = eq + 1;
    while (tag[open] === ' ' || tag[open] === '\t' || tag[open] === '\n' || tag[open] === '\r') open += 1;
    const quote = tag[open];
    if (quote !== '"' && quote !== "'") break;
    const close = tag.indexOf(quote, open + 1);
    if (close < 0) break;
    out.set(tag.slice(at, eq).trim(), decodeEntities(tag.slice(open + 1, close)));
    at = close + 1;
  }
  return out;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, ref: string) =>
    ref.startsWith('#') ? codePoint(ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)), ref) : (ENTITIES[ref] as string),
  );
}

/** A character reference's character; one outside Unicode stays as written. */
function codePoint(n: number, ref: string): string {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : `&${ref};`;
}

function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}
