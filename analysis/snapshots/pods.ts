/**
 * `kubectl get pods -o wide`: where each pod runs. Columns `[NAMESPACE] NAME READY STATUS RESTARTS AGE
 * IP NODE [NOMINATED NODE] [READINESS GATES]` (the last two from kubectl 1.11 on). RESTARTS can be
 * `5 (84m ago)`, so rows are read token by token from the left instead of split into fixed columns.
 */
import { isHeaderLike, preview, tokenize, walkLines, type Token } from './lines.ts';
import type { ParseResult, PodPlacement, SnapshotProblem } from './types.ts';

/** Reads `kubectl get pods [-o wide] [-A]` output, also the pod section of `kubectl get all`. */
export function parsePods(text: string): ParseResult<PodPlacement> {
  const records: PodPlacement[] = [];
  const problems: SnapshotProblem[] = [];
  let header: Header | undefined;
  let foreign = false;
  walkLines(text, {
    consequence: 'no pods from this command',
    problems,
    onCommand() {
      header = undefined;
      foreign = false;
    },
    row(line, lineNumber) {
      const tokens = tokenize(line);
      const problem = (message: string, severity: 'error' | 'warning' = 'error'): void => {
        problems.push({ line: lineNumber, severity, message: `pods: ${message} at line ${lineNumber}` });
      };
      if (isHeaderLike(tokens)) {
        header = podsHeader(line);
        foreign = header === undefined;
        // `kubectl get all` prints services, deployments, … each under its own header.
        if (foreign) problem(`skipped the table with header \`${preview(line)}\`: expected NAME READY STATUS RESTARTS AGE`, 'warning');
        return;
      }
      if (foreign) return;
      const [, b = '', c = ''] = tokens.map((t) => t.text);
      const columns = header?.columns ?? DEFAULT_COLUMNS;
      const namespaced = header?.namespace ?? (!READY.test(b) && READY.test(c));
      if (header === undefined && !READY.test(namespaced ? c : b)) {
        problem(`skipped \`${preview(line)}\`: expected [NAMESPACE] NAME READY STATUS RESTARTS AGE IP NODE`);
        return;
      }
      const read = readRow(tokens, namespaced);
      if (typeof read === 'string') {
        problem(`skipped \`${preview(line)}\`: ${read}`);
        return;
      }
      const missing = header === undefined ? [] : columns.slice(read.columns);
      if (missing.length > 0) problem(`\`${read.placement.pod}\` has no ${missing.join(', ')}: the row is cut short`, 'warning');
      records.push(read.placement);
    },
  });
  return { records, problems };
}

// --- internals -----------------------------------------------------------------------------------

interface Header {
  readonly namespace: boolean;
  /** Column names after NAMESPACE, multi-word ones joined (`NOMINATED NODE`). */
  readonly columns: readonly string[];
}

const READY = /^\d+\/\d+$/;
const DEFAULT_COLUMNS = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'];

function podsHeader(line: string): Header | undefined {
  // Both multi-word headers contain one space; columns are two or more spaces apart.
  const columns = line.trim().replace(/NOMINATED NODE/, 'NOMINATED\u0000NODE').replace(/READINESS GATES/, 'READINESS\u0000GATES').split(/\s+/).map((c) => c.replace('\u0000', ' '));
  const namespace = columns[0] === 'NAMESPACE';
  const rest = namespace ? columns.slice(1) : columns;
  if (rest[0] !== 'NAME' || rest[1] !== 'READY' || rest[2] !== 'STATUS' || rest[3] !== 'RESTARTS') return undefined;
  return { namespace, columns: rest };
}

function readRow(tokens: readonly Token[], namespaced: boolean): { placement: PodPlacement; columns: number } | string {
  const texts = tokens.map((t) => t.text);
  let i = 0;
  const namespace = namespaced ? (texts[i++] ?? null) : null;
  const name = texts[i++];
  const ready = texts[i++];
  const status = texts[i++];
  const restarts = texts[i++];
  if (name === undefined || ready === undefined || status === undefined) return 'expected at least NAME READY STATUS';
  const readyMatch = /^(\d+)\/(\d+)$/.exec(ready);
  if (readyMatch === null) return `READY \`${ready}\` is not \`ready/total\` such as \`1/2\``;
  if (restarts !== undefined && !/^\d+$/.test(restarts)) return `RESTARTS \`${restarts}\` is not a count`;
  // kubectl ≥ 1.22 appends the time of the last restart: `5 (84m ago)`.
  if (texts[i]?.startsWith('(')) {
    while (i < texts.length && !(texts[i] ?? '').endsWith(')')) i += 1;
    i += 1;
  }
  // Columns read so far: NAME READY STATUS [RESTARTS]; then AGE, IP, NODE, NOMINATED NODE, READINESS GATES.
  let columns = restarts === undefined ? 3 : 4;
  const next = (): string | null => {
    const value = texts[i];
    if (value === undefined) return null;
    i += 1;
    columns += 1;
    return value;
  };
  const age = next();
  const ip = next();
  const node = next();
  next();
  next();
  const none = (value: string | null): string | null => (value === null || value === '<none>' ? null : value);
  return {
    placement: {
      namespace,
      // `kubectl get all` prints kind-qualified names.
      pod: name.replace(/^pods?\//, ''),
      ready,
      readyContainers: Number(readyMatch[1]),
      totalContainers: Number(readyMatch[2]),
      status,
      restarts: restarts === undefined ? null : Number(restarts),
      age,
      ip: none(ip),
      node: none(node),
    },
    columns,
  };
}
