/**
 * `kubectl get events` tables: `[NAMESPACE] LAST SEEN TYPE REASON OBJECT MESSAGE`, and `-o wide` with
 * `SUBOBJECT SOURCE` before MESSAGE and `FIRST SEEN COUNT NAME` after it.
 *
 * MESSAGE is free text (spaces, colons, quotes, URLs) and SUBOBJECT is often blank, so only the known
 * single-word columns are split off; the message is the rest of the line (or, with `-o wide`, what lies
 * between the header's MESSAGE offset and the trailing three columns). Output cut by `tail` or printed
 * with `--no-headers` is recognised by LAST SEEN, a kubectl age (`2m13s`), followed by the event type.
 */
import { kubectlAgeMs, tokenize, walkLines, preview, type Token } from './lines.ts';
import type { EventRecord, ParseResult, SnapshotProblem } from './types.ts';

export interface EventsOptions {
  /** When the capture was taken, Unix ms: turns LAST SEEN ages into times. Without it `timeMs` is `null`. */
  readonly capturedAtMs?: number;
}

/** Reads `kubectl get events` output (with or without header, `-A`, `-o wide`). */
export function parseEvents(text: string, options: EventsOptions = {}): ParseResult<EventRecord> {
  const { capturedAtMs } = options;
  const records: EventRecord[] = [];
  const problems: SnapshotProblem[] = [];
  let header: Header | undefined;
  let unsupported = false;
  walkLines(text, {
    consequence: 'no events from this command',
    problems,
    onCommand() {
      header = undefined;
      unsupported = false;
    },
    row(line, lineNumber) {
      const tokens = tokenize(line);
      const problem = (message: string, severity: 'error' | 'warning' = 'error'): void => {
        problems.push({ line: lineNumber, severity, message: `events: ${message} at line ${lineNumber}` });
      };
      if (tokens[0]?.text === 'LAST' || (tokens[0]?.text === 'NAMESPACE' && tokens[1]?.text === 'LAST')) {
        header = eventsHeader(tokens);
        unsupported = header === undefined;
        // kubectl < 1.14 printed `LAST SEEN FIRST SEEN COUNT NAME KIND SUBOBJECT TYPE REASON SOURCE MESSAGE`.
        if (unsupported) problem(`skipped the table with header \`${preview(line)}\`: expected LAST SEEN TYPE REASON OBJECT MESSAGE (kubectl ≥ 1.14)`);
        return;
      }
      if (unsupported) return;
      const cells = header === undefined ? inferRow(line, tokens) : headerRow(line, tokens, header);
      if (typeof cells === 'string') {
        problem(`skipped \`${preview(line)}\`: ${cells}`);
        return;
      }
      const age = kubectlAgeMs(cells.lastSeen);
      const rescale = /^New size: (\d+); reason: ([\s\S]*)$/.exec(cells.message);
      records.push({
        namespace: cells.namespace,
        lastSeen: cells.lastSeen,
        timeMs: capturedAtMs === undefined || age === undefined ? null : capturedAtMs - age,
        type: cells.type,
        reason: cells.reason,
        object: cells.object,
        message: cells.message,
        count: cells.count,
        newSize: rescale === null ? null : Number(rescale[1]),
        rescaleReason: rescale === null ? null : (rescale[2] ?? ''),
      });
    },
  });
  return { records, problems };
}

/**
 * Reads the Events table of `kubectl describe` (`Type Reason Age From Message`), with or without its
 * header. Age is LAST SEEN, or `20m (x3 over 5h43m)` when kubectl folded several occurrences into one
 * (then `count` is 3; the first time, 5h43m ago, has no field). The described object is not on the
 * rows: the caller names it (`object`, `namespace`), from the description's `Name:` and
 * `Namespace:` lines.
 */
export function parseDescribeEvents(
  text: string,
  options: EventsOptions & { readonly object: string; readonly namespace?: string | null; readonly firstLine?: number },
): ParseResult<EventRecord> {
  const { capturedAtMs, object, namespace = null, firstLine = 1 } = options;
  const records: EventRecord[] = [];
  const problems: SnapshotProblem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const lineNumber = firstLine + index;
    const trimmed = line.trim();
    // `Events:  <none>`, the header and its dashes
    if (trimmed === '' || /^Events:/.test(trimmed) || /^Type\s+Reason\s+Age\s+From\s+Message$/.test(trimmed) || /^-+(?:\s+-+)*$/.test(trimmed)) return;
    const match = DESCRIBE_ROW.exec(trimmed);
    if (match === null) {
      problems.push({
        line: lineNumber,
        severity: 'error',
        message: `events: skipped \`${preview(line)}\`: expected a \`kubectl describe\` event row (Type Reason Age From Message) at line ${lineNumber}`,
      });
      return;
    }
    const [, type = '', reason = '', lastSeen = '', times, , message = ''] = match;
    const age = kubectlAgeMs(lastSeen);
    const rescale = /^New size: (\d+); reason: ([\s\S]*)$/.exec(message);
    records.push({
      namespace,
      lastSeen,
      timeMs: capturedAtMs === undefined || age === undefined ? null : capturedAtMs - age,
      type,
      reason,
      object,
      message,
      count: times === undefined ? null : Number(times),
      newSize: rescale === null ? null : Number(rescale[1]),
      rescaleReason: rescale === null ? null : (rescale[2] ?? ''),
    });
  });
  return { records, problems };
}

// Type, Reason, Age [(xN over AGE)], From (`horizontal-pod-autoscaler`, `kubelet`, older
// `kubelet, node-1`), Message.
const DESCRIBE_ROW = /^(Normal|Warning)\s+(\S+)\s+(\S+)(?:\s+\(x(\d+) over \S+\))?\s+(\S+?(?:,\s\S+)?)\s{2,}(.*)$/;

// --- internals -----------------------------------------------------------------------------------

interface Header {
  readonly namespace: boolean;
  /** `-o wide`: offsets of the columns the parser cuts by position. */
  readonly wide: { readonly type: number; readonly message: number; readonly firstSeen: number } | undefined;
}

interface Cells {
  readonly namespace: string | null;
  readonly lastSeen: string;
  readonly type: string;
  readonly reason: string;
  readonly object: string;
  readonly message: string;
  readonly count: number | null;
}

const EXPECTED = 'expected [NAMESPACE] LAST SEEN TYPE REASON OBJECT MESSAGE';

function eventsHeader(tokens: readonly Token[]): Header | undefined {
  const names = tokens.map((t) => t.text);
  if (names.includes('KIND') || !names.includes('TYPE') || !names.includes('REASON') || !names.includes('OBJECT') || !names.includes('MESSAGE')) {
    return undefined;
  }
  const at = (name: string): number => tokens.find((t) => t.text === name)?.start ?? -1;
  const wide = names.includes('SOURCE') && names.includes('COUNT');
  return { namespace: names[0] === 'NAMESPACE', wide: wide ? { type: at('TYPE'), message: at('MESSAGE'), firstSeen: at('FIRST') } : undefined };
}

function isAge(text: string): boolean {
  return text === '<unknown>' || text === '<invalid>' || kubectlAgeMs(text) !== undefined;
}

function isType(text: string): boolean {
  return text === 'Normal' || text === 'Warning';
}

// The NAME column of `-o wide` is `<object>.<hex>` (`applause-btn-….18d5e3851972a1db`).
function isWideTail(tokens: readonly Token[]): boolean {
  const [firstSeen, count, name] = tokens.slice(-3).map((t) => t.text);
  return tokens.length >= 3 && isAge(firstSeen ?? '') && /^\d+$/.test(count ?? '') && /\.[0-9a-f]{8,}$/.test(name ?? '');
}

function headerRow(line: string, tokens: readonly Token[], header: Header): Cells | string {
  return readCells(line, tokens, header.namespace, header.wide !== undefined, header.wide);
}

function inferRow(line: string, tokens: readonly Token[]): Cells | string {
  const [a = '', b = '', c = ''] = tokens.map((t) => t.text);
  if (isAge(a) && isType(b)) return readCells(line, tokens, false, isWideTail(tokens), undefined);
  if (isAge(b) && isType(c)) return readCells(line, tokens, true, isWideTail(tokens), undefined);
  return EXPECTED;
}

function readCells(
  line: string,
  tokens: readonly Token[],
  namespaced: boolean,
  wide: boolean,
  offsets: Header['wide'],
): Cells | string {
  const lead = namespaced ? 1 : 0;
  const [lastSeen, type, reason, object] = tokens.slice(lead, lead + 4).map((t) => t.text);
  if (lastSeen === undefined || type === undefined || reason === undefined || object === undefined) return EXPECTED;
  if (!isAge(lastSeen)) return `LAST SEEN \`${lastSeen}\` is not a kubectl age such as \`2m13s\``;
  if (!isType(type)) return `TYPE \`${type}\` is not \`Normal\` or \`Warning\``;
  const base = { namespace: namespaced ? (tokens[0]?.text ?? null) : null, lastSeen, type, reason, object };
  if (!wide) {
    const first = tokens[lead + 4];
    return { ...base, message: first === undefined ? '' : line.slice(first.start).trim(), count: null };
  }
  if (tokens.length < lead + 7 || !isWideTail(tokens)) return `expected FIRST SEEN COUNT NAME at the end of an \`-o wide\` row`;
  const tail = tokens.slice(-3);
  const end = tail[0]?.start ?? line.length;
  const count = Number(tail[1]?.text);
  const typeToken = tokens[lead + 1];
  const aligned =
    offsets !== undefined &&
    offsets.message > 0 &&
    typeToken?.start === offsets.type &&
    tail[0]?.start === offsets.firstSeen &&
    (tokens.some((t) => t.start === offsets.message) || end === offsets.message);
  if (aligned) {
    // Aligned as kubectl printed it: the header's MESSAGE offset is where the message starts, even
    // when SUBOBJECT is blank and SOURCE has a space (`kubelet, node-1`).
    return { ...base, message: line.slice(offsets?.message, end).trim(), count };
  }
  // Realigned paste or no header: SUBOBJECT looks like `spec.containers{app}`, SOURCE may be `kubelet, node`.
  const middle = tokens.slice(lead + 4, -3);
  let i = 0;
  if (/^spec\.|\{/.test(middle[i]?.text ?? '')) i += 1;
  if (middle[i]?.text.endsWith(',')) i += 1;
  i += 1;
  const start = middle[i]?.start ?? end;
  return { ...base, message: line.slice(start, end).trim(), count };
}
