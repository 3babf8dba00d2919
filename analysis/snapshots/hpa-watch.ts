/**
 * `kubectl get hpa -w` logs as users capture them by hand (`kubectl get hpa -w | tee hpa.log`,
 * `nohup kubectl get hpa -w > hpa.log 2>&1 &`): one header, the initial listing, then one row per
 * change of any HPA, in the order kubectl printed them, with no time on any row.
 *
 * The only clocks are the AGE column (the HPA's age when the row was printed, truncated by
 * kubectl's `HumanDuration`: to the second under 10 minutes, to the minute under 8 hours, to the
 * hour under 8 days, …) and the file's capture time. Row times are therefore estimated, with the
 * error bound they carry; see `parseHpaWatch` for the rule.
 */
import { parseHpaRows, type HpaRow } from './hpa.ts';
import { commandArgs, humanDuration, kubectlAgeRange, legacyHumanDuration, kubectlAgeMs, preview, splitLines, withoutProgram } from './lines.ts';
import type { HpaSample, ParseResult, SnapshotProblem } from './types.ts';

/** One row of a watch log: the HPA as printed, and when it was printed as far as the log can tell. */
export interface HpaWatchSample extends HpaSample {
  /** 1-based line of the row in the log. */
  readonly line: number;
  /** `ADDED`, `MODIFIED`, `DELETED` with `--output-watch-events`; `null` without the EVENT column. */
  readonly event: string | null;
  /** The AGE cell as printed (`2m8s`); `null` for a row cut short before it. */
  readonly age: string | null;
  /**
   * When kubectl printed the row, Unix ms, estimated (the middle of the range the AGE values, the
   * row order and the capture time allow); `null` when they bound it on one side only.
   */
  readonly timeMs: number | null;
  /** The true time is within `timeMs ± timeUncertaintyMs`; `null` with `timeMs`. */
  readonly timeUncertaintyMs: number | null;
}

export interface HpaWatchResult extends ParseResult<HpaWatchSample> {
  /** How the row times were obtained, for the report's method. */
  readonly timeSource: string;
  /**
   * The rows tied to a clock: the last to the capture time, the first to the start time (or to the
   * capture time with `anchor: 'first-row'`); empty when no row has a usable AGE. The row was
   * printed within [`fromMs`, `toMs`].
   */
  readonly anchors: readonly { readonly line: number; readonly row: 'last' | 'first'; readonly fromMs: number; readonly toMs: number }[];
}

export interface HpaWatchOptions {
  /** The file's capture time, Unix ms (what `readSnapshots` works out from its name or mtime). */
  readonly capturedAtMs: number;
  /**
   * Which row that time is when it was taken. `last-row` (default): a modification time, the moment
   * kubectl wrote its last row (kubectl writes each row as it comes; copying the file without `-p`
   * makes the time later, never earlier). `first-row`: a time taken as the command started, such as
   * `hpa-$(date -u +%Y%m%dT%H%M%SZ).log`, which the shell expands before kubectl prints the listing.
   */
  readonly anchor?: 'last-row' | 'first-row';
  /**
   * When the command started, Unix ms, if known besides a modification time in `capturedAtMs` (a
   * `$(date …)` time in the file name): ties the first row too, which narrows the estimate when
   * the HPA's AGE steps in between.
   */
  readonly startedAtMs?: number;
  /** The command that produced the log, when known; else an echoed one in the text is used. */
  readonly command?: readonly string[];
}

/**
 * Whether `text` is a watch log rather than one `kubectl get hpa` table: the command has `-w`,
 * `--watch` or `--watch-only`; or rows carry an EVENT cell (`--output-watch-events`, watch only); or an
 * HPA appears twice under one header (a table lists each HPA once; concatenated tables repeat the
 * header). `--no-headers` tables saved one after another look like a watch log too.
 */
export function isHpaWatch(text: string, options: { readonly command?: readonly string[] } = {}): boolean {
  const { rows, commands } = parseHpaRows(text);
  const args = options.command === undefined ? commands[0]?.args : withoutProgram(options.command);
  if (args !== undefined && hasWatchFlag(args)) return true;
  if (rows.some((row) => row.event !== null)) return true;
  let header: number | null | undefined;
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.header !== header) {
      header = row.header;
      seen.clear();
    }
    const key = keyOf(row.sample);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/**
 * Reads a watch log and estimates when each row was printed.
 *
 * The rule: every row i of an HPA incarnation h was printed at T_i = C_h + age_i, where C_h is when
 * h was created (on the machine's clock: clock skew to the API server is a constant, so it cancels)
 * and age_i lies in the range its AGE stands for (`95s` → [95 s, 96 s), `46m` → [46 min, 47 min)).
 * Rows are printed in order, so T_i ≤ T_(i+1); the rows of the initial listing after a header (up
 * to the first HPA seen twice, the first non-`ADDED` event, or an AGE under 5 s, which may be an HPA
 * created after the listing) were printed at one instant. The anchor is the last row, taken as
 * printed at `capturedAtMs` (its true time is at most that: a copy made later moves the file's time,
 * not the rows'); with `anchor: 'first-row'` or `startedAtMs`, the first row is taken as printed
 * within 2 s after the start. A cut-off last row leaves the last complete one as the anchor. These
 * constraints are propagated over intervals until nothing narrows, and each row gets the middle of
 * its interval and half its width as uncertainty. So the anchor HPA's C is known to one AGE step of its last row, and a row
 * is placed to within that plus its own AGE step (± about 1 s for HPAs under 10 minutes old, ±1 min
 * under 8 hours, ±1 h under 8 days). HPAs whose rows never interleave with a placed one keep an
 * open side and get `timeMs: null`.
 *
 * A last line without its line end was cut while kubectl wrote it (kubectl ends every row with one)
 * and is skipped. An AGE that goes back starts a new incarnation (the HPA was deleted and created
 * again), as does a row after a `DELETED` event.
 */
export function parseHpaWatch(text: string, options: HpaWatchOptions): HpaWatchResult {
  const { capturedAtMs, anchor: anchorAt = 'last-row' } = options;
  const parsed = parseHpaRows(text);
  const problems: SnapshotProblem[] = [...parsed.problems];
  let rows = parsed.rows;
  const warn = (line: number | null, message: string): void => {
    problems.push({ line, severity: 'warning', message: line === null ? `hpa watch: ${message}` : `hpa watch: ${message} at line ${line}` });
  };

  // A cut-off last row may have lost digits (`12` → `1`, `2m8s` → `2m`): nothing in it can be trusted.
  const lines = splitLines(text);
  const lastLine = lines.length;
  const lastText = lines[lastLine - 1] ?? '';
  const wasRow = rows.some((row) => row.line === lastLine) || problems.some((problem) => problem.line === lastLine);
  if (!/\n$/.test(text) && wasRow && commandArgs(lastText) === undefined) {
    rows = rows.filter((row) => row.line !== lastLine);
    for (let i = problems.length - 1; i >= 0; i -= 1) if (problems[i]?.line === lastLine) problems.splice(i, 1);
    warn(lastLine, `skipped the last line \`${preview(lastText)}\`: it has no line end, so it was cut while kubectl wrote it`);
  }

  // Older kubectl printed one unit only (`1h`, `1m`); `5m` is then 5 to 6 minutes, not 5 m 0 s.
  const ages = rows.map((row) => row.age ?? '').filter((age) => kubectlAgeMs(age) !== undefined);
  const legacyOnly = ages.some((age) => legacyHumanDuration(kubectlAgeMs(age) ?? 0) === age && humanDuration(kubectlAgeMs(age) ?? 0) !== age);
  const currentOnly = ages.some((age) => humanDuration(kubectlAgeMs(age) ?? 0) === age && legacyHumanDuration(kubectlAgeMs(age) ?? 0) !== age);
  const legacy = legacyOnly && !currentOnly;

  // --- incarnations and the rows that can be placed
  const placed: Placed[] = [];
  const incarnations = new Map<string, { id: number; last: { lowMs: number; highMs: number; age: string }; deleted: boolean }>();
  let nextId = 0;
  const unaged: HpaRow[] = [];
  for (const row of rows) {
    const range = row.age === null ? undefined : kubectlAgeRange(row.age, { legacy });
    if (range === undefined) {
      unaged.push(row);
      warn(row.line, `\`${row.sample.name}\` has ${row.age === null ? 'no AGE' : `the AGE \`${row.age}\``}: expected a kubectl age such as \`2m8s\`, so the row has no time`);
      continue;
    }
    const key = keyOf(row.sample);
    let known = incarnations.get(key);
    if (known !== undefined && (known.deleted || range.highMs <= known.last.lowMs)) {
      if (!known.deleted) warn(row.line, `the AGE of \`${row.sample.name}\` went back from \`${known.last.age}\` to \`${row.age}\`: read as a new HPA of the same name (deleted and created again)`);
      known = undefined;
    }
    if (known === undefined) {
      known = { id: nextId, last: { ...range, age: row.age ?? '' }, deleted: false };
      nextId += 1;
      incarnations.set(key, known);
    }
    known.last = { ...range, age: row.age ?? '' };
    known.deleted = row.event === 'DELETED';
    placed.push({ row, h: known.id, ...range });
  }

  // --- the initial listings: after each header (or at the start), printed at one instant
  const blocks: number[][] = [];
  let block: number[] | undefined;
  let blockHeader: number | null | undefined;
  const inBlock = new Set<string>();
  placed.forEach((entry, index) => {
    const { row } = entry;
    if (row.header !== blockHeader || index === 0) {
      blockHeader = row.header;
      block = [];
      blocks.push(block);
      inBlock.clear();
    }
    if (block === undefined) return;
    const key = keyOf(row.sample);
    if (inBlock.has(key) || (row.event !== null && row.event !== 'ADDED') || entry.lowMs < YOUNG_MS) {
      block = undefined;
      return;
    }
    inBlock.add(key);
    block.push(index);
  });

  // The last row is printed when the file is last written; the first a moment after the command
  // started (kubectl connects, lists and prints: taken as at most STARTUP_MS).
  const anchors: Anchor[] = [];
  const last = placed.length - 1;
  if (last >= 0) {
    if (anchorAt === 'last-row') anchors.push({ index: last, row: 'last', fromMs: capturedAtMs, toMs: capturedAtMs });
    const started = anchorAt === 'first-row' ? capturedAtMs : options.startedAtMs;
    if (started !== undefined) anchors.push({ index: 0, row: 'first', fromMs: started, toMs: started + STARTUP_MS });
  }
  let times: Interval[] | undefined;
  if (anchors.length > 0) {
    const listings = blocks.filter((b) => b.length > 1);
    times = propagate(placed, nextId, anchors, listings);
    if (times === undefined && listings.length > 0) {
      times = propagate(placed, nextId, anchors, []);
      if (times !== undefined) warn(null, 'the initial listing does not fit the AGE values as printed at one instant: placed its rows by their order only');
    }
    // A time in a file name may not be the start (a file renamed afterwards): it yields to the AGE values.
    if (times === undefined && anchorAt === 'last-row' && anchors.length > 1) {
      anchors.splice(1);
      times = propagate(placed, nextId, anchors, listings) ?? propagate(placed, nextId, anchors, []);
      if (times !== undefined) warn(null, `the start time \`${new Date(options.startedAtMs ?? 0).toISOString()}\` does not fit the AGE values of the first row: ignored it`);
    }
    if (times === undefined) {
      problems.push({
        line: null,
        severity: 'error',
        message: `hpa watch: the AGE values contradict the row order${anchors.length > 1 ? ' and the start and capture times' : ''}: expected one \`kubectl get hpa -w\` session per file (or sessions appended in time order), so the rows have no time`,
      });
    }
  }

  const timed = new Map<HpaRow, { timeMs: number | null; timeUncertaintyMs: number | null }>();
  let open = 0;
  let worst = 0;
  placed.forEach((entry, index) => {
    const interval = times?.[index];
    if (interval === undefined || !Number.isFinite(interval.lo) || !Number.isFinite(interval.hi)) {
      if (times !== undefined) open += 1;
      timed.set(entry.row, { timeMs: null, timeUncertaintyMs: null });
      return;
    }
    const uncertainty = Math.ceil((interval.hi - interval.lo) / 2);
    worst = Math.max(worst, uncertainty);
    timed.set(entry.row, { timeMs: Math.round((interval.lo + interval.hi) / 2), timeUncertaintyMs: uncertainty });
  });
  if (open > 0) {
    warn(null, `${open} row${open === 1 ? ' has' : 's have'} no time: their HPA's rows do not interleave with rows the capture time places, so the AGE bounds them on one side only`);
  }

  const records: HpaWatchSample[] = [...placed.map((p) => p.row), ...unaged]
    .sort((a, b) => a.line - b.line)
    .map((row) => ({ ...row.sample, line: row.line, event: row.event, age: row.age, ...(timed.get(row) ?? { timeMs: null, timeUncertaintyMs: null }) }));

  const tied = times === undefined ? [] : anchors.map(({ index, row, fromMs, toMs }) => ({ line: placed[index]?.row.line ?? 0, row, fromMs, toMs }));
  const clocks = tied.map((a) => `the ${a.row} row (line ${a.line}) as printed at ${a.row === 'last' ? 'the capture time' : 'the start time'} \`${new Date(a.fromMs).toISOString()}\`${a.toMs > a.fromMs ? ` (or up to ${a.toMs - a.fromMs} ms after)` : ''}`);
  const timeSource =
    tied.length === 0
      ? 'none: no row could be tied to a clock'
      : `estimated from AGE: ${clocks.join(' and ')}; each HPA's creation is placed by its AGE values, the row order and the initial listing (printed at one instant); ± is half the range that leaves`;
  if (tied.length > 0) warn(null, `row times are estimated from the AGE column (±${formatSeconds(worst)} at most), with ${clocks.join(' and ')}: a watch log has no clock of its own`);
  return { records, problems, timeSource, anchors: tied };
}

// --- internals -----------------------------------------------------------------------------------

/** An AGE under this may belong to an HPA created after the initial listing (its ADDED row comes at once). */
const YOUNG_MS = 5000;
/**
 * From the shell starting kubectl to the listing on screen: start-up, the List request, the print.
 * Usually well under a second; more on a slow API server, then the first row's time is early.
 */
const STARTUP_MS = 2000;

interface Anchor {
  readonly index: number;
  readonly row: 'last' | 'first';
  readonly fromMs: number;
  readonly toMs: number;
}
/** Enough for any log: each pass narrows every interval it can reach along the whole row order. */
const MAX_PASSES = 200;

interface Placed {
  readonly row: HpaRow;
  /** Incarnation id. */
  readonly h: number;
  readonly lowMs: number;
  readonly highMs: number;
}

interface Interval {
  lo: number;
  hi: number;
}

/**
 * Interval propagation of T_i − C_h ∈ [low_i, high_i], T_i ≤ T_(i+1), the anchors' times and
 * equal times within a listing. Sound (every consistent assignment stays inside the intervals);
 * `undefined` when the constraints contradict each other.
 */
function propagate(placed: readonly Placed[], incarnations: number, anchors: readonly Anchor[], listings: readonly (readonly number[])[]): Interval[] | undefined {
  const t: Interval[] = placed.map(() => ({ lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY }));
  const c: Interval[] = Array.from({ length: incarnations }, () => ({ lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY }));
  for (const { index, fromMs, toMs } of anchors) {
    const tied = t[index] as Interval;
    tied.lo = Math.max(tied.lo, fromMs);
    tied.hi = Math.min(tied.hi, toMs);
  }
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    let changed = false;
    const narrow = (interval: Interval, lo: number, hi: number): void => {
      if (lo > interval.lo) {
        interval.lo = lo;
        changed = true;
      }
      if (hi < interval.hi) {
        interval.hi = hi;
        changed = true;
      }
    };
    placed.forEach((p, i) => {
      const ti = t[i] as Interval;
      narrow(c[p.h] as Interval, ti.lo - p.highMs, ti.hi - p.lowMs);
    });
    placed.forEach((p, i) => {
      const ch = c[p.h] as Interval;
      narrow(t[i] as Interval, ch.lo + p.lowMs, ch.hi + p.highMs);
    });
    for (let i = 1; i < t.length; i += 1) narrow(t[i] as Interval, (t[i - 1] as Interval).lo, Number.POSITIVE_INFINITY);
    for (let i = t.length - 2; i >= 0; i -= 1) narrow(t[i] as Interval, Number.NEGATIVE_INFINITY, (t[i + 1] as Interval).hi);
    for (const listing of listings) {
      const lo = Math.max(...listing.map((i) => (t[i] as Interval).lo));
      const hi = Math.min(...listing.map((i) => (t[i] as Interval).hi));
      for (const i of listing) narrow(t[i] as Interval, lo, hi);
    }
    if ([...t, ...c].some((interval) => interval.lo > interval.hi)) return undefined;
    if (!changed) break;
  }
  return t;
}

function keyOf(sample: HpaSample): string {
  return `${sample.namespace ?? ''}/${sample.name}`;
}

function hasWatchFlag(args: readonly string[]): boolean {
  // `-Aw`: pflag joins boolean shorthands; `-w` takes no value.
  return args.some((a) => /^(?:--watch(?:-only)?(?:=true)?|-A?wA?)$/.test(a));
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
