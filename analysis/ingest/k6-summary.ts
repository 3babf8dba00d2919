/**
 * Loader for k6 end-of-test summaries. Four shapes are recognised and normalised to one structure in
 * handleSummary vocabulary (k6-facts §4, formats.md §3.3–3.4):
 *
 * - `k6-summary`: handleSummary `data` (`metrics[name] = {type, contains, values, thresholds?}`,
 *   `root_group` with arrays, `options`, `state.testRunDurationMs`), often saved trimmed;
 * - `k6-summary-export`: the legacy `--summary-export` file (flat values without type, rate `value`
 *   instead of `rate`, `thresholds: {expr: bool}` where true means FAILED, groups and checks keyed by
 *   name);
 * - `k6-capacity-summary`: our own summary.json (lib/summary.ts), k6's metrics embedded as `k6_metrics`;
 * - `k6-machine-summary`: k6's opt-in machine-readable summary 1.x (`results.metrics` as an array, rate
 *   `{matches, rate, total}`, no thresholds).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { CapacitySummary } from '../../lib/summary.ts';
import { AnalysisError } from '../errors.ts';
import { BUILTIN_METRICS } from './builtin-metrics.ts';
import { isGzip } from './open.ts';
import type { MetricContains, MetricType } from './sink.ts';

export type SummaryFormat = 'k6-summary' | 'k6-summary-export' | 'k6-capacity-summary' | 'k6-machine-summary';

export interface SummaryMetric {
  readonly type: MetricType;
  /** `null` where the summary does not say (the legacy export) and the metric is not a k6 built-in. */
  readonly contains: MetricContains | null;
  /**
   * handleSummary vocabulary: counter `count`/`rate`, gauge `value`/`min`/`max`, rate
   * `rate`/`passes`/`fails` (`passes` = samples equal to 1), trend `avg`/`min`/`med`/`max`/`p(N)`/`count`
   * (whichever `summaryTrendStats` asked for). Only finite numbers.
   */
  readonly values: Readonly<Record<string, number>>;
}

export interface SummaryThreshold {
  readonly metric: string;
  readonly expression: string;
  readonly ok: boolean;
}

export interface LatencyMs {
  readonly min: number | null;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** The numbers of analysis.json `runs[]`, as far as the summary has them; `null` = not in the summary. */
export interface SummaryKeyNumbers {
  /** `http_reqs` count. */
  readonly requests: number | null;
  /** `http_req_failed` samples equal to 1 (its `passes`). */
  readonly failedRequests: number | null;
  /** `http_req_failed` rate. */
  readonly errorRate: number | null;
  /** `http_reqs` per second of test run. */
  readonly rps: number | null;
  readonly iterations: number | null;
  /**
   * `dropped_iterations` count. k6 only emits the metric when an iteration is dropped, so a summary
   * with `iterations` but no `dropped_iterations` means 0.
   */
  readonly droppedIterations: number | null;
  /** `http_req_duration` over all requests: min, avg, med, p(90), p(95), p(99), max. */
  readonly latencyMs: LatencyMs;
}

export interface SummaryLoad {
  readonly path: string;
  readonly format: SummaryFormat;
  /** From the machine-readable summary's metadata; the other formats do not carry it. */
  readonly k6Version: string | null;
  /** Test run duration: `state.testRunDurationMs`, `config.duration` or our `run.duration_s`; the legacy export has none. */
  readonly durationMs: number | null;
  readonly metrics: Readonly<Record<string, SummaryMetric>>;
  /** Every threshold with its outcome (the legacy export's inverted booleans already turned around). */
  readonly thresholds: readonly SummaryThreshold[];
  /**
   * Whether all thresholds passed: from `thresholds` (true when there are none), or the machine-readable
   * summary's `results.passed`, which has no threshold list; `null` when that summary lacks it too.
   */
  readonly thresholdsOk: boolean | null;
  /** All checks of all groups; `null` when the summary has neither groups nor a `checks` metric. */
  readonly checks: { readonly passes: number; readonly fails: number } | null;
  /** The `run` block of our own summary.json; `null` for k6's formats. */
  readonly run: CapacitySummary['run'] | null;
  readonly keyNumbers: SummaryKeyNumbers;
}

const ACCEPTED =
  'accepted summaries: handleSummary `data` saved as JSON (`metrics[name].values`), ' +
  '`k6 run --summary-export` (flat `metrics[name]`), k6-capacity `summary.json` (`"kind": "k6-capacity-summary"`), ' +
  'and the machine-readable summary of `--new-machine-readable-summary` (`"version": "1.0.0"`)';
const METRIC_TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];
const CONTAINS: readonly string[] = ['default', 'time', 'data'];
const TREND_STAT = /^(?:avg|min|med|max|count|p\(\d+(?:\.\d+)?\))$/;

/** Reads and normalises the k6 summary `file` (plain or gzip). Throws `AnalysisError` when it is not one. */
export function loadK6Summary(file: string): SummaryLoad {
  const text = readText(file);
  if (text.trim() === '') throw new AnalysisError('no-data', `k6 summary: \`${file}\` is empty: expected a JSON summary`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidJson(file, text, (error as Error).message);
  }
  if (!isObject(json)) {
    throw new AnalysisError('unknown-format', `k6 summary: JSON ${describe(json)} at ${file}: expected an object`, { note: ACCEPTED });
  }
  if (json.kind === 'k6-capacity-summary') return capacitySummary(file, json);
  if (typeof json.version === 'string' && isObject(json.results) && Array.isArray(json.results.metrics)) return machineSummary(file, json);
  if (isObject(json.metrics)) return k6Summary(file, json, json.metrics);
  throw new AnalysisError('unknown-format', `k6 summary: JSON ${describe(json)} at ${file}: expected a k6 summary`, { note: ACCEPTED });
}

// --- handleSummary data and the legacy export ----------------------------------------------------

function k6Summary(file: string, json: Record<string, unknown>, rawMetrics: Record<string, unknown>): SummaryLoad {
  const legacy = isLegacy(file, json, rawMetrics);
  const entries: [string, SummaryMetric][] = [];
  const thresholds: SummaryThreshold[] = [];
  for (const [name, raw] of Object.entries(rawMetrics)) {
    if (!isObject(raw)) throw badMetric(file, name, raw, legacy);
    if (legacy) {
      const values = numbers(raw);
      // k6's oldJSONSummary renames a rate's `rate` to `value` (summary-wrapper.js: "sigh...").
      const type = inferType(values);
      if (type === 'rate' && values.value !== undefined) {
        values.rate = values.value;
        delete values.value;
      }
      entries.push([name, { type, contains: builtinContains(name), values }]);
      // `thresholds[expr] = !threshold.ok`: true means the threshold FAILED.
      for (const [expression, failed] of Object.entries(isObject(raw.thresholds) ? raw.thresholds : {})) {
        if (typeof failed === 'boolean') thresholds.push({ metric: name, expression, ok: !failed });
      }
    } else {
      if (!isObject(raw.values)) throw badMetric(file, name, raw, legacy);
      entries.push([
        name,
        {
          type: typeof raw.type === 'string' && METRIC_TYPES.includes(raw.type) ? (raw.type as MetricType) : 'unknown',
          contains: typeof raw.contains === 'string' && CONTAINS.includes(raw.contains) ? (raw.contains as MetricContains) : builtinContains(name),
          values: numbers(raw.values),
        },
      ]);
      for (const [expression, result] of Object.entries(isObject(raw.thresholds) ? raw.thresholds : {})) {
        if (isObject(result) && typeof result.ok === 'boolean') thresholds.push({ metric: name, expression, ok: result.ok });
      }
    }
  }
  // From entries: a metric named `__proto__` stays a metric, not the object's prototype.
  const metrics: Record<string, SummaryMetric> = Object.fromEntries(entries);
  const state = isObject(json.state) ? json.state : {};
  const durationMs = finite(state.testRunDurationMs);
  const checks = isObject(json.root_group) ? groupChecks(json.root_group) : rateChecks(metrics);
  return {
    path: file,
    format: legacy ? 'k6-summary-export' : 'k6-summary',
    k6Version: null,
    durationMs,
    metrics,
    thresholds,
    thresholdsOk: thresholds.every((t) => t.ok),
    checks,
    run: null,
    keyNumbers: keyNumbers(metrics, durationMs),
  };
}

/**
 * Whether `metrics` is the legacy flat export. Decided by the entries (`values` objects or flat
 * numbers); with no metrics, by `root_group` (objects in the export, arrays in `data`).
 */
function isLegacy(file: string, json: Record<string, unknown>, metrics: Record<string, unknown>): boolean {
  const entries = Object.entries(metrics);
  const nested = entries.filter(([, raw]) => isObject(raw) && isObject(raw.values));
  if (nested.length > 0 && nested.length < entries.length) {
    const [name, raw] = entries.find(([, r]) => !(isObject(r) && isObject(r.values)))!;
    throw badMetric(file, name, raw, false);
  }
  if (entries.length > 0) return nested.length === 0;
  const group = isObject(json.root_group) ? json.root_group : undefined;
  return group !== undefined && (isObject(group.checks) || isObject(group.groups)) && !('options' in json || 'state' in json);
}

/**
 * A flat legacy metric's type from its keys: passes/fails → rate, count+rate → counter,
 * value+min+max → gauge, only trend statistics (avg, min, med, max, count, p(N)) → trend.
 */
function inferType(values: Record<string, number>): MetricType {
  const keys = Object.keys(values);
  if ('passes' in values || 'fails' in values) return 'rate';
  if (keys.length === 2 && 'count' in values && 'rate' in values) return 'counter';
  if ('value' in values && 'min' in values && 'max' in values && keys.length === 3) return 'gauge';
  if (keys.length > 0 && keys.every((key) => TREND_STAT.test(key))) return 'trend';
  return 'unknown';
}

/** Checks of a group tree: arrays in handleSummary data, objects keyed by name in the legacy export. */
function groupChecks(root: Record<string, unknown>): { passes: number; fails: number } {
  const total = { passes: 0, fails: 0 };
  const visit = (group: Record<string, unknown>): void => {
    for (const check of listOf(group.checks)) {
      total.passes += finite(check.passes) ?? 0;
      total.fails += finite(check.fails) ?? 0;
    }
    for (const child of listOf(group.groups)) visit(child);
  };
  visit(root);
  return total;
}

function listOf(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  return list.filter(isObject);
}

// --- k6-capacity summary.json ----------------------------------------------------------------------

function capacitySummary(file: string, json: Record<string, unknown>): SummaryLoad {
  if (json.schemaVersion !== 1) {
    throw new AnalysisError(
      'unknown-format',
      `k6 summary: k6-capacity summary schemaVersion \`${JSON.stringify(json.schemaVersion ?? null)}\` at ${file}: expected 1`,
      { note: 'the file was written by another version of k6-capacity; analyse it with that version' },
    );
  }
  const run = json.run;
  const results = json.results;
  if (!isObject(run) || typeof run.run_id !== 'string' || finite(run.duration_s) === null || !isObject(results) || !isObject(json.k6_metrics)) {
    throw new AnalysisError(
      'unknown-format',
      `k6 summary: k6-capacity summary without \`run\`, \`results\` or \`k6_metrics\` at ${file}: expected the summary.json written by lib/summary.ts`,
    );
  }
  const embedded = k6Summary(file, { metrics: json.k6_metrics }, json.k6_metrics);
  // duration_s is rounded to the ms; the µs rounding only removes the float noise of `* 1000`.
  const durationMs = Math.round(finite(run.duration_s)! * 1e6) / 1e3;
  const thresholds = Array.isArray(json.thresholds)
    ? json.thresholds.filter(isObject).flatMap((t) =>
        typeof t.metric === 'string' && typeof t.expression === 'string' && typeof t.ok === 'boolean'
          ? [{ metric: t.metric, expression: t.expression, ok: t.ok }]
          : [],
      )
    : embedded.thresholds;
  const checks = isObject(results.checks) ? { passes: finite(results.checks.passes) ?? 0, fails: finite(results.checks.fails) ?? 0 } : embedded.checks;
  // `results` are this project's key numbers, computed by lib/summary.ts from the same k6 data;
  // latency stats k6 could not compute were NaN there and are `null` in the JSON.
  const latency = isObject(results.latency_ms) ? results.latency_ms : {};
  return {
    path: file,
    format: 'k6-capacity-summary',
    k6Version: null,
    durationMs,
    metrics: embedded.metrics,
    thresholds,
    thresholdsOk: typeof json.thresholds_ok === 'boolean' ? json.thresholds_ok : thresholds.every((t) => t.ok),
    checks,
    run: run as unknown as CapacitySummary['run'],
    keyNumbers: {
      requests: finite(results.requests),
      failedRequests: finite(results.failed_requests),
      errorRate: finite(results.error_rate),
      rps: finite(results.rps),
      iterations: finite(results.iterations),
      droppedIterations: finite(results.dropped_iterations),
      latencyMs: {
        min: finite(latency.min),
        mean: finite(latency.mean),
        p50: finite(latency.p50),
        p90: finite(latency.p90),
        p95: finite(latency.p95),
        p99: finite(latency.p99),
        max: finite(latency.max),
      },
    },
  };
}

// --- machine-readable summary 1.x ------------------------------------------------------------------

function machineSummary(file: string, json: Record<string, unknown>): SummaryLoad {
  const version = json.version as string;
  if (!/^1\.\d+\.\d+/.test(version)) {
    throw new AnalysisError('unknown-format', `k6 summary: machine-readable summary version \`${version}\` at ${file}: expected 1.x`, { note: ACCEPTED });
  }
  const results = json.results as Record<string, unknown>;
  const config = isObject(json.config) ? json.config : {};
  const metadata = isObject(json.metadata) ? json.metadata : {};
  const seconds = finite(config.duration);
  const durationMs = seconds === null ? null : seconds * 1000;
  const checkResults = isObject(results.checks) ? results.checks : {};
  const entries: [string, SummaryMetric][] = [];
  // The `checks` rate metric sits under `results.checks.metrics`, the others under `results.metrics`.
  for (const raw of [...listOf(results.metrics), ...listOf(checkResults.metrics)]) {
    if (typeof raw.name !== 'string' || !isObject(raw.values)) throw badMetric(file, String(raw.name), raw, false);
    const type = typeof raw.type === 'string' && METRIC_TYPES.includes(raw.type) ? (raw.type as MetricType) : 'unknown';
    const values = numbers(raw.values);
    if (type === 'rate' && values.matches !== undefined && values.total !== undefined) {
      // `matches` are samples equal to 1: handleSummary's `passes`.
      values.passes = values.matches;
      values.fails = values.total - values.matches;
      delete values.matches;
      delete values.total;
    }
    // Counters carry only `count`; k6's handleSummary rate is the same count / test run duration.
    if (type === 'counter' && values.count !== undefined && values.rate === undefined && seconds !== null && seconds > 0) {
      values.rate = values.count / seconds;
    }
    entries.push([
      raw.name,
      { type, contains: typeof raw.contains === 'string' && CONTAINS.includes(raw.contains) ? (raw.contains as MetricContains) : builtinContains(raw.name), values },
    ]);
  }
  const metrics: Record<string, SummaryMetric> = Object.fromEntries(entries);
  const checks = Array.isArray(checkResults.results) ? groupChecks({ checks: checkResults.results }) : rateChecks(metrics);
  return {
    path: file,
    format: 'k6-machine-summary',
    k6Version: typeof metadata.k6Version === 'string' ? metadata.k6Version : null,
    durationMs,
    metrics,
    thresholds: [],
    thresholdsOk: typeof results.passed === 'boolean' ? results.passed : null,
    checks,
    run: null,
    keyNumbers: keyNumbers(metrics, durationMs),
  };
}

// --- shared ----------------------------------------------------------------------------------------

function keyNumbers(metrics: Readonly<Record<string, SummaryMetric>>, durationMs: number | null): SummaryKeyNumbers {
  const value = (metric: string, key: string): number | null => metrics[metric]?.values[key] ?? null;
  const requests = value('http_reqs', 'count');
  const iterations = value('iterations', 'count');
  const duration = metrics.http_req_duration?.values ?? {};
  const stat = (key: string): number | null => duration[key] ?? null;
  return {
    requests,
    failedRequests: value('http_req_failed', 'passes'),
    errorRate: value('http_req_failed', 'rate'),
    rps: value('http_reqs', 'rate') ?? (requests !== null && durationMs !== null && durationMs > 0 ? requests / (durationMs / 1000) : null),
    iterations,
    droppedIterations: value('dropped_iterations', 'count') ?? (iterations === null ? null : 0),
    latencyMs: {
      min: stat('min'), mean: stat('avg'), p50: stat('med'), p90: stat('p(90)'), p95: stat('p(95)'), p99: stat('p(99)'), max: stat('max'),
    },
  };
}

/** Checks from the `checks` rate metric when there is no group tree: passes are passed checks. */
function rateChecks(metrics: Readonly<Record<string, SummaryMetric>>): { passes: number; fails: number } | null {
  const values = metrics.checks?.values;
  if (values?.passes === undefined || values.fails === undefined) return null;
  return { passes: values.passes, fails: values.fails };
}

function builtinContains(name: string): MetricContains | null {
  // Submetrics (`http_req_duration{expected_response:true}`) contain what their parent contains.
  const base = name.replace(/\{.*$/s, '');
  return Object.hasOwn(BUILTIN_METRICS, base) ? BUILTIN_METRICS[base]![1] : null;
}

function numbers(raw: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(raw).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1])));
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badMetric(file: string, name: string, raw: unknown, legacy: boolean): AnalysisError {
  const expected = legacy ? 'an object of numbers as in `--summary-export`' : 'an object with `type`, `contains` and `values` as in handleSummary data';
  return new AnalysisError('unknown-format', `k6 summary: metric \`${name}\` = \`${preview(JSON.stringify(raw) ?? 'undefined')}\` at ${file}: expected ${expected}`, {
    note: ACCEPTED,
  });
}

/** A short description of a JSON value for messages: its keys, or its type. */
function describe(json: unknown): string {
  if (isObject(json)) {
    const keys = Object.keys(json);
    return keys.length === 0 ? '`{}`' : `with keys ${keys.slice(0, 6).map((k) => `\`${k}\``).join(', ')}${keys.length > 6 ? ', …' : ''}`;
  }
  return `\`${preview(JSON.stringify(json))}\``;
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AnalysisError('unreadable', `k6 summary: cannot read \`${file}\`: ${code ?? String(error)}`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new AnalysisError('unreadable', `k6 summary: gzip data of \`${file}\` is broken: ${(error as Error).message}`);
    }
  }
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/**
 * The error for text that is not JSON, with the line and column of the syntax error. Node 20's V8
 * says "at position N" for most errors; for "Unexpected token" it gives none, so the position is the
 * end of the shortest prefix that fails the same way (every shorter prefix fails with "Unexpected end"
 * or at its own end, since JSON is parsed left to right).
 */
function invalidJson(file: string, text: string, message: string): AnalysisError {
  let position: number | null = null;
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  const at = /at position (\d+)/.exec(message);
  if (at !== null) position = Number(at[1]);
  else if (/^Unexpected end of JSON input/.test(message)) position = text.length;
  else if (/^Unexpected token/.test(message)) position = firstBadPrefix(text) - 1;
  let where = file;
  if (lineColumn !== null) where = `${file}:${lineColumn[1]}:${lineColumn[2]}`;
  else if (position !== null) {
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    where = `${file}:${line}:${column}`;
  }
  const reason = message
    .replace(/, .* is not valid JSON$/s, '')
    .replace(/(?: in JSON)? at position \d+.*$/s, '')
    .replace(/ \(line \d+ column \d+\)/, '');
  const note = /^Unexpected non-whitespace character after JSON/.test(message)
    ? 'the file holds more than one JSON document; one object per line is k6 `--out json` output, not a summary'
    : /^Unexpected end of JSON input/.test(message)
      ? 'the JSON ends early: the file was cut off while it was written'
      : undefined;
  return new AnalysisError('unknown-format', `k6 summary: invalid JSON at ${where}: ${reason}`, note === undefined ? {} : { note });
}

function firstBadPrefix(text: string): number {
  const bad = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      return /^Unexpected token/.test((error as Error).message);
    }
  };
  let low = 1;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (bad(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}
