/**
 * Loader for Locust's CSV output (`locust --csv PREFIX [--csv-full-history]`, Locust ≥ 1.0; formats.md
 * §6): `PREFIX_stats_history.csv` is streamed into a `SampleSink` as k6's built-in metrics, and
 * `PREFIX_stats.csv` gives Locust's own whole-run percentiles. What each file holds, and how it maps:
 *
 * - `_stats_history.csv`: one row a second (`CSV_STATS_INTERVAL_SEC`), per endpoint with
 *   `--csv-full-history` and always an `Aggregated` row (`Type` empty). `Total Request Count` and
 *   `Total Failure Count` are running totals, so their differences between consecutive rows of an
 *   endpoint are the exact requests and failures completed since the previous row: they become
 *   `http_reqs` and `http_req_failed` samples (tags `name` = Name, `method` = Type) at the row's
 *   `Timestamp` (Unix seconds, cut). Locust sleeps 1 s between rows and then writes, so rows come a
 *   little more than 1 s apart and about one second in 30 has no row of its own (the sample: one gap
 *   in 29 rows): that second shows no requests, and each row holds the ~1.03 s since the previous
 *   one. Totals are exact; a per-second rate is exact to that drift, rates over longer windows closer.
 *   Locust counts a failed request also as a request, as k6 does.
 *   `Requests/s` is not used: it is a 10 s sliding window that lags the totals.
 *   `User Count` becomes the `vus` gauge: Locust's users, a closed model.
 * - The per-row percentiles (`50%`…`100%`) are Locust's "current" ones over a rolling 10 s window,
 *   from response times rounded to 2 significant digits above 100 ms: not loaded (they are neither
 *   per-request samples nor mergeable).
 * - `_stats.csv`: whole-run totals per endpoint and an `Aggregated` row whose response-time columns
 *   (ms) become the run's latency figures, marked as Locust's own (`LocustStats`).
 * - `_failures.csv`, `_exceptions.csv`: per-error tables; listed, not loaded (the failures are
 *   counted from the history).
 *
 * Locust records no per-request durations in any CSV, so no `http_req_duration` samples are made:
 * the latency of a Locust run is what Locust computed, rounded as Locust rounds it.
 */
import { parse, CsvError } from 'csv-parse';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AnalysisError } from '../errors.ts';
import type { LatencyMs } from './k6-summary.ts';
import { isTruncatedGzip, openInput } from './open.ts';
import { ProblemLog, type InputReport } from './problems.ts';
import type { SampleSink, Tags } from './sink.ts';

export type LocustFileKind = 'locust-stats' | 'locust-history' | 'locust-failures' | 'locust-exceptions';

/** The format name inputs[] shows for every Locust CSV file. */
export const LOCUST_FORMAT = 'locust-csv';

/** Locust's whole-run figures from `_stats.csv`'s `Aggregated` row. */
export interface LocustStats {
  readonly requests: number;
  readonly failures: number;
  /** Locust's own percentiles (rounded to 2 significant digits above 100 ms), mean, min and max, ms. */
  readonly latencyMs: LatencyMs;
  /** Locust's `Requests/s`: requests ÷ the time from the start to the last request. */
  readonly rps: number | null;
}

export interface LocustLoad {
  /** One report per file given, in the order given. */
  readonly reports: readonly InputReport[];
  /** From `_stats.csv`, when it was given. */
  readonly stats: LocustStats | null;
  /** The most users active at once (`User Count` of the history), `null` without a history. */
  readonly users: number | null;
}

export interface LocustOptions {
  /** How many problems to keep with their details per file (all are counted). Default 20. */
  readonly keepProblems?: number;
}

/** The kind of Locust CSV a header line is, or `null` when it is none of Locust's. */
export function locustKindOf(headerLine: string): LocustFileKind | null {
  const names = splitHeader(headerLine);
  const has = (name: string): boolean => names.includes(name);
  if (has('Name') && (has('Total Request Count') || (has('Timestamp') && has('# requests')))) return 'locust-history';
  if (has('Name') && (has('Request Count') || has('# requests'))) return 'locust-stats';
  if (has('Name') && has('Error') && has('Occurrences')) return 'locust-failures';
  if (has('Count') && has('Message') && has('Traceback')) return 'locust-exceptions';
  return null;
}

/** `dir/PREFIX` of a Locust output file: the files of one `--csv PREFIX` run share it. */
export function locustPrefix(file: string): string {
  return path.join(path.dirname(file), path.basename(file).replace(/_(stats_history|stats|failures|exceptions)\.csv(\.gz)?$/i, ''));
}

/**
 * Loads the files of one Locust run (one `--csv PREFIX`): the history into `sink`, the stats as
 * figures. Throws `AnalysisError` `no-data` when there is no history (the stats file alone has no
 * times), `unknown-format` for a header that is not Locust ≥ 1.0's, and when `_stats.csv` has no
 * `Aggregated` row; broken rows are counted and reported with their line.
 */
export async function loadLocust(files: readonly { file: string; kind: LocustFileKind }[], sink: SampleSink, options: LocustOptions = {}): Promise<LocustLoad> {
  const { keepProblems = 20 } = options;
  const history = files.find((f) => f.kind === 'locust-history');
  if (history === undefined) {
    const first = files[0]?.file ?? '';
    throw new AnalysisError('no-data', `locust csv: \`${first}\` alone has no times: expected \`${path.basename(locustPrefix(first))}_stats_history.csv\` of the same run beside it`, {
      note: 'Locust writes it with `--csv PREFIX`; add `--csv-full-history` for per-endpoint rows',
    });
  }
  const reports = new Map<string, InputReport>();
  const historyLoad = await loadLocustHistory(history.file, sink, { keepProblems });
  reports.set(history.file, historyLoad.report);
  let stats: LocustStats | null = null;
  for (const { file, kind } of files) {
    if (kind === 'locust-stats') {
      const loaded = await loadLocustStats(file, { keepProblems });
      reports.set(file, loaded.report);
      stats ??= loaded.stats;
    } else if (kind === 'locust-history') {
      if (file === history.file) continue;
      reports.set(file, {
        path: file,
        format: LOCUST_FORMAT,
        lines: 0,
        skipped: 0,
        problems: [],
        problems_total: 0,
        skipped_reason: `a second history of the same \`--csv\` prefix as \`${path.basename(history.file)}\`: reading both would count every request twice`,
      });
    } else {
      const lines = (await readCsv(file, new ProblemLog(file, keepProblems), () => undefined)).lines;
      const what = kind === 'locust-failures' ? 'per-error counts' : 'exceptions of the users';
      reports.set(file, {
        path: file,
        format: LOCUST_FORMAT,
        lines,
        skipped: 0,
        problems: [],
        problems_total: 0,
        skipped_reason: `Locust's ${what}: not loaded, the requests and failures come from \`${path.basename(history.file)}\``,
      });
    }
  }
  return { reports: files.map(({ file }) => reports.get(file) as InputReport), stats, users: historyLoad.users };
}

// --- _stats_history.csv --------------------------------------------------------------------------

const HISTORY_REQUIRED = ['Timestamp', 'User Count', 'Type', 'Name', 'Total Request Count', 'Total Failure Count'] as const;
const AGGREGATED = 'Aggregated';

interface Totals {
  requests: number;
  failures: number;
}

/** Streams `_stats_history.csv` into `sink` (see the top of this file for the mapping). */
export async function loadLocustHistory(file: string, sink: SampleSink, options: LocustOptions = {}): Promise<{ report: InputReport; users: number | null }> {
  const { keepProblems = 20 } = options;
  const problems = new ProblemLog(file, keepProblems);
  sink.declareMetric('http_reqs', 'counter', 'default');
  sink.declareMetric('http_req_failed', 'rate', 'default');
  sink.declareMetric('vus', 'gauge', 'default');
  let col: Record<(typeof HISTORY_REQUIRED)[number], number> | null = null;
  let width = 0;
  let skipped = 0;
  let users: number | null = null;
  let lastUsersTs = Number.NaN;
  let endpointRows = 0;
  const endpoints = new Map<string, Totals & { tagsKey: string; tags: Tags }>();
  // The Aggregated deltas, kept (three numbers a row) in case the file has no per-endpoint rows.
  const aggregated: [number, number, number][] = [];
  const aggregatedTotals: Totals = { requests: 0, failures: 0 };
  let aggregatedLine = 0;
  const bad = (line: number, message: string): void => {
    skipped += 1;
    problems.add(line, message);
  };
  const emit = (timeMs: number, requests: number, failures: number, tagsKey: string, tags: () => Tags): void => {
    for (let i = 0; i < requests; i++) sink.sample('http_reqs', timeMs, 1, tagsKey, tags);
    for (let i = 0; i < requests; i++) sink.sample('http_req_failed', timeMs, i < failures ? 1 : 0, tagsKey, tags);
  };
  const { lines, started, broken } = await readCsv(file, problems, (record, line) => {
    if (col === null) {
      col = historyHeader(file, record, line);
      width = record.length;
      return;
    }
    if (record.length !== width) return bad(line, `locust csv: row with \`${record.length}\` fields at ${file}:${line}: expected ${width} fields as in the header`);
    const cell = (name: (typeof HISTORY_REQUIRED)[number]): string => record[(col as Record<string, number>)[name] as number] ?? '';
    const ts = integer(cell('Timestamp'));
    if (ts === null) return bad(line, `locust csv: Timestamp \`${excerpt(cell('Timestamp'))}\` at ${file}:${line}: expected Unix seconds`);
    const userCount = integer(cell('User Count'));
    const requests = integer(cell('Total Request Count'));
    const failures = integer(cell('Total Failure Count'));
    if (userCount === null) return bad(line, `locust csv: User Count \`${excerpt(cell('User Count'))}\` at ${file}:${line}: expected a whole number`);
    if (requests === null || failures === null) {
      const [name, value] = requests === null ? ['Total Request Count', cell('Total Request Count')] : ['Total Failure Count', cell('Total Failure Count')];
      return bad(line, `locust csv: ${name} \`${excerpt(value)}\` at ${file}:${line}: expected a whole number`);
    }
    const timeMs = ts * 1000;
    if (ts !== lastUsersTs) {
      lastUsersTs = ts;
      users = Math.max(users ?? 0, userCount);
      sink.sample('vus', timeMs, userCount, '[]', NO_TAGS);
    }
    const name = cell('Name');
    const type = cell('Type');
    const isAggregated = name === AGGREGATED && (type === '' || type === 'None');
    const previous = isAggregated ? aggregatedTotals : endpoints.get(`${type}\u0000${name}`);
    let dRequests = requests - (previous?.requests ?? 0);
    let dFailures = failures - (previous?.failures ?? 0);
    if (dRequests < 0 || dFailures < 0) {
      // Locust's "reset stats" (web UI, `--reset-stats`) starts the totals again from 0.
      problems.add(line, `locust csv: Total Request Count \`${requests}\` at ${file}:${line}: expected a running total of at least ${previous?.requests ?? 0} (statistics reset?); counted from 0 again`);
      dRequests = requests;
      dFailures = failures;
    }
    if (dFailures > dRequests) {
      return bad(line, `locust csv: Total Failure Count \`${failures}\` at ${file}:${line}: expected at most the ${dRequests} requests since the previous row to have failed`);
    }
    if (isAggregated) {
      aggregatedTotals.requests = requests;
      aggregatedTotals.failures = failures;
      aggregatedLine = line;
      if (dRequests > 0) aggregated.push([timeMs, dRequests, dFailures]);
      return;
    }
    endpointRows += 1;
    let entry = endpoints.get(`${type}\u0000${name}`);
    if (entry === undefined) {
      const tags: Tags = Object.freeze(type === '' ? { name } : { method: type, name });
      entry = { requests: 0, failures: 0, tagsKey: JSON.stringify(Object.entries(tags).sort()), tags };
      endpoints.set(`${type}\u0000${name}`, entry);
    }
    entry.requests = requests;
    entry.failures = failures;
    const tags = entry.tags;
    emit(timeMs, dRequests, dFailures, entry.tagsKey, () => tags);
  });
  if (!started) throw new AnalysisError('no-data', `locust csv: \`${file}\` is empty: expected Locust's \`_stats_history.csv\` header \`${HISTORY_REQUIRED.join(',')},…\``);
  if (endpointRows === 0) {
    // Without `--csv-full-history` only the Aggregated rows exist: the run's totals, with no endpoints.
    for (const [timeMs, requests, failures] of aggregated) emit(timeMs, requests, failures, '[]', NO_TAGS);
  } else if (aggregatedLine === 0) {
    problems.add(null, `locust csv: no \`Aggregated\` row in ${file}: expected Locust's totals row in every interval; the endpoints' rows were used`);
  } else {
    let sum = 0;
    for (const entry of endpoints.values()) sum += entry.requests;
    if (sum !== aggregatedTotals.requests) {
      problems.add(aggregatedLine, `locust csv: Aggregated Total Request Count \`${aggregatedTotals.requests}\` at ${file}:${aggregatedLine}: expected the endpoints' sum, ${sum}; the endpoints' rows were used`);
    }
  }
  skipped += broken;
  if (lines > 0 && skipped === lines) throw new AnalysisError('no-data', `locust csv: every row of \`${file}\` is broken (${lines}): ${problems.first[0]?.message ?? ''}`);
  return { report: { path: file, format: LOCUST_FORMAT, lines, skipped, problems: problems.first, problems_total: problems.count }, users };
}

function historyHeader(file: string, record: readonly string[], line: number): Record<(typeof HISTORY_REQUIRED)[number], number> {
  const missing = HISTORY_REQUIRED.filter((name) => !record.includes(name));
  if (missing.length > 0) throw notLocustHeader(file, record, line, '_stats_history.csv', HISTORY_REQUIRED, missing);
  return Object.fromEntries(HISTORY_REQUIRED.map((name) => [name, record.indexOf(name)])) as Record<(typeof HISTORY_REQUIRED)[number], number>;
}

// --- _stats.csv ----------------------------------------------------------------------------------

const STATS_REQUIRED = ['Type', 'Name', 'Request Count', 'Failure Count', 'Average Response Time', 'Min Response Time', 'Max Response Time', 'Requests/s', '50%', '90%', '95%', '99%'] as const;

/** Reads `_stats.csv`: its `Aggregated` row. Throws when the header is not Locust's or the row is missing. */
export async function loadLocustStats(file: string, options: LocustOptions = {}): Promise<{ report: InputReport; stats: LocustStats }> {
  const { keepProblems = 20 } = options;
  const problems = new ProblemLog(file, keepProblems);
  let col: Record<string, number> | null = null;
  let width = 0;
  let skipped = 0;
  let stats: LocustStats | null = null;
  let lastLine = 0;
  const { lines, started, broken } = await readCsv(file, problems, (record, line) => {
    lastLine = line;
    if (col === null) {
      const missing = STATS_REQUIRED.filter((name) => !record.includes(name));
      if (missing.length > 0) throw notLocustHeader(file, record, line, '_stats.csv', STATS_REQUIRED, missing);
      col = Object.fromEntries(record.map((name, i) => [name, i]));
      width = record.length;
      return;
    }
    if (record.length !== width) {
      skipped += 1;
      problems.add(line, `locust csv: row with \`${record.length}\` fields at ${file}:${line}: expected ${width} fields as in the header`);
      return;
    }
    const cell = (name: string): string => record[(col as Record<string, number>)[name] as number] ?? '';
    if (cell('Name') !== AGGREGATED || (cell('Type') !== '' && cell('Type') !== 'None')) return;
    const requests = integer(cell('Request Count'));
    const failures = integer(cell('Failure Count'));
    if (requests === null || failures === null) {
      skipped += 1;
      const [name, value] = requests === null ? ['Request Count', cell('Request Count')] : ['Failure Count', cell('Failure Count')];
      problems.add(line, `locust csv: ${name} \`${excerpt(value)}\` at ${file}:${line}: expected a whole number`);
      return;
    }
    // `N/A` (no requests) and `0` with no requests are "not measured", never a latency of 0 ms.
    const ms = (name: string): number | null => (requests === 0 ? null : decimal(cell(name)));
    stats = {
      requests,
      failures,
      latencyMs: { min: ms('Min Response Time'), mean: ms('Average Response Time'), p50: ms('50%'), p90: ms('90%'), p95: ms('95%'), p99: ms('99%'), max: ms('Max Response Time') },
      rps: decimal(cell('Requests/s')),
    };
  });
  if (!started) throw new AnalysisError('no-data', `locust csv: \`${file}\` is empty: expected Locust's \`_stats.csv\` header \`${STATS_REQUIRED.slice(0, 4).join(',')},…\``);
  if (stats === null) {
    throw new AnalysisError('unknown-format', `locust csv: no \`Aggregated\` row in ${file}:${lastLine}: expected Locust's totals row \`,Aggregated,…\` after the endpoints' rows`, {
      note: 'Locust writes it last; a file cut off while Locust was writing it lacks it',
    });
  }
  return { report: { path: file, format: LOCUST_FORMAT, lines, skipped: skipped + broken, problems: problems.first, problems_total: problems.count }, stats };
}

// --- shared --------------------------------------------------------------------------------------

const NO_TAGS = (): Tags => EMPTY;
const EMPTY: Tags = Object.freeze({});

function notLocustHeader(file: string, record: readonly string[], line: number, which: string, required: readonly string[], missing: readonly string[]): AnalysisError {
  const old = record.includes('# requests');
  return new AnalysisError(
    'unknown-format',
    `locust csv: header \`${excerpt(record.join(','), 60)}\` at ${file}:${line}: expected Locust's \`${which}\` columns ${required.map((n) => `\`${n}\``).join(', ')}; missing ${missing.map((n) => `\`${n}\``).join(', ')}`,
    old ? { note: 'this is Locust before 1.0 (`# requests` columns): re-run with Locust 1.0 or later' } : {},
  );
}

/** Locust's header cells, quotes and a BOM taken off (a header line from `head`, for detection). */
function splitHeader(line: string): string[] {
  return line
    .replace(/^\ufeff/, '')
    .split(',')
    .map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
}

const INTEGER = /^\d{1,15}$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function integer(cell: string): number | null {
  return INTEGER.test(cell) ? Number(cell) : null;
}

function decimal(cell: string): number | null {
  return DECIMAL.test(cell) ? Number(cell) : null;
}

/** A cell or line for a message: control characters escaped, long ones cut. */
export function excerpt(text: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Streams the CSV records of `file` (plain or gzip) to `onRecord` with the 1-based line each starts
 * on, blank lines left out. A cut-off gzip stream or an unclosed quote at the end is one counted
 * problem, and what came before is kept; an error thrown by `onRecord` stops the read and is rethrown.
 * (The JMeter loader uses it too.)
 */
export async function readCsv(file: string, problems: ProblemLog, onRecord: (record: string[], line: number) => void): Promise<{ lines: number; started: boolean; broken: number }> {
  const input = openInput(file);
  const parser = parse({ relax_column_count: true, relax_quotes: true, bom: true, max_record_size: 1 << 20 });
  let line = 0;
  let lines = 0;
  let started = false;
  let broken = 0;
  let fatal: unknown;
  parser.on('data', (record: string[]) => {
    if (fatal !== undefined) return;
    const start = line + 1;
    for (const field of record) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) line += 1;
    line += 1;
    if (record.length === 1 && (record[0] as string).trim() === '') return;
    if (started) lines += 1;
    started = true;
    try {
      onRecord(record, start);
    } catch (error) {
      fatal = error;
      parser.destroy(error as Error);
    }
  });
  try {
    await pipeline(input.stream, parser);
  } catch (error) {
    if (error === fatal || error instanceof AnalysisError) throw error;
    const subject = problems.file;
    if (input.gzip && (isTruncatedGzip(error) || /^Z_/.test(String((error as NodeJS.ErrnoException).code)))) {
      if (!started) throw new AnalysisError('no-data', `input: gzip stream ended early at ${subject}: expected at least a complete header line`);
      problems.add(null, `input: gzip stream ended early after ${line} lines at ${subject}: expected a complete gzip file; the lines before were kept`);
    } else if (error instanceof CsvError) {
      if (!started) throw new AnalysisError('unknown-format', `input: \`${subject}\` is not CSV: ${error.message}`);
      lines += 1;
      broken += 1;
      problems.add(line + 1, `input: quoted field opened at ${subject}:${line + 1} is never closed: expected a closing \`"\` before the end of the file`);
    } else {
      throw new AnalysisError('unreadable', `input: cannot read \`${subject}\`: ${(error as Error).message}`);
    }
  }
  return { lines, started, broken };
}
