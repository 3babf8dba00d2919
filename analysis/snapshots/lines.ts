/**
 * What kubectl tables have in common: lines, whitespace tokens with their offsets, and the lines that
 * are not table rows but end up in captures anyway (echoed commands, errors, klog warnings).
 */
import type { SnapshotProblem } from './types.ts';

export interface Token {
  readonly text: string;
  /** Offset of the first character in the line. */
  readonly start: number;
  readonly end: number;
}

/** Lines without their terminators (`\n` or `\r\n`); a final newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Whitespace-separated tokens: Go's tabwriter pads with spaces, pastes may have tabs. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  for (const match of line.matchAll(/\S+/g)) {
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

export type NoiseKind =
  /** Empty or spaces only. */
  | 'blank'
  /** A command echoed into the capture (`+ kubectl top pods -A`, `$ kubectl top nodes`). */
  | 'command'
  /** A klog line (`W0416 17:58:15.174555    1159 top_pod.go:190] …`) from stderr captured with stdout. */
  | 'klog'
  /** kubectl's failure output (`error: …`, `Error from server …`). */
  | 'error'
  /** `No resources found` / `No resources found in x namespace.`: an empty but valid result. */
  | 'empty'
  /** A capture log's section marker (`--- events ---`) or an editor's `...`. */
  | 'marker';

export interface Noise {
  readonly kind: NoiseKind;
  /** For `command`: the arguments after the program (`['top', 'pods', '-A']`). */
  readonly args: readonly string[];
}

const KLOG = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\s\]]+:\d+\] /;
const ERROR = /^(?:error: |Error from server|Error: |Unable to connect to the server|The connection to the server )/;
// Shell prompts seen in captures: `+ ` (set -x), `$ `, `# `, `>>`, `➜  ~ ` (oh-my-zsh).
const PROMPT = /^(?:➜\s+\S+\s+|[+$#>%]+\s*)?(?:sudo\s+)?/;
const TOOL = /^(?:\S*\/)?(kubectl(?:\.exe)?|kubecolor|oc|microk8s(?:\.kubectl)?|minikube|k3s)(?=\s|$)/;
// kubectl/oc commands start with a verb or a flag; this keeps a pod row such as `kubectl  3m  4Mi`
// (a namespace called kubectl) from passing for a command.
const KUBECTL_VERB = /^(?:-|top$|get$|describe$|events?$|logs$|apply$|delete$|rollout$|scale$|autoscale$|create$|run$|wait$|version$|config$|exec$)/;

/** Classifies a line that is not a table row; `undefined` for anything else. */
export function noise(line: string): Noise | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'blank', args: [] };
  if (KLOG.test(trimmed)) return { kind: 'klog', args: [] };
  if (ERROR.test(trimmed)) return { kind: 'error', args: [] };
  if (/^No resources found\b/.test(trimmed)) return { kind: 'empty', args: [] };
  if (/^-{2,}\s.*\s-{2,}$/.test(trimmed) || trimmed === '...') return { kind: 'marker', args: [] };
  const args = commandArgs(trimmed);
  return args === undefined ? undefined : { kind: 'command', args };
}

/** The arguments of an echoed command line, `undefined` when `line` is not one. */
export function commandArgs(line: string): string[] | undefined {
  const rest = line.trim().replace(PROMPT, '');
  const tool = TOOL.exec(rest);
  if (tool === null) return undefined;
  // A right-hand zsh prompt (`[17:58:36]`) and pipes are not arguments.
  const words = rest.slice(tool[0].length).split('|')[0]?.trim().split(/\s+/).filter((w) => w !== '') ?? [];
  const last = words[words.length - 1];
  if (last !== undefined && /^\[\d{1,2}:\d{2}(:\d{2})?\]$/.test(last)) words.pop();
  const program = tool[1] ?? '';
  if (/^(kubectl|kubecolor|oc)/.test(program) && !KUBECTL_VERB.test(words[0] ?? '')) return undefined;
  // `minikube kubectl -- get …`, `microk8s kubectl get …`, `k3s kubectl get …`
  if (/^(minikube|microk8s|k3s)$/.test(program) && words[0] === 'kubectl') {
    words.splice(0, words[1] === '--' ? 2 : 1);
  }
  return words;
}

/** The arguments of a command given as an argv (`['kubectl', 'top', 'pods']` → `['top', 'pods']`). */
export function withoutProgram(command: readonly string[]): string[] {
  const words = [...command];
  const program = /(?:^|\/)(kubectl(?:\.exe)?|kubecolor|oc|microk8s(?:\.kubectl)?|minikube|k3s)$/.exec(words[0] ?? '')?.[1];
  if (program === undefined) return words;
  words.shift();
  if (/^(minikube|microk8s|k3s)$/.test(program) && words[0] === 'kubectl') words.splice(0, words[1] === '--' ? 2 : 1);
  return words;
}

/** Flags of a kubectl command that change the shape of its table. */
export interface CommandHints {
  readonly allNamespaces: boolean;
  readonly containers: boolean;
  readonly wide: boolean;
}

export function commandHints(args: readonly string[]): CommandHints {
  return {
    allNamespaces: args.some((a) => a === '-A' || a === '--all-namespaces' || a === '--all-namespaces=true'),
    containers: args.some((a) => a === '--containers' || a === '--containers=true'),
    wide: args.some((a, i) => a === '-owide' || a === '--output=wide' || a === '-o=wide' || ((a === '-o' || a === '--output') && args[i + 1] === 'wide')),
  };
}

/** Shortens a value quoted in a message; long lines are cut with `…`. */
export function preview(text: string, max = 120): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}

/**
 * The problem for a noise line, or `undefined` when the line is harmless (blank, a command, a marker,
 * `No resources found`). `consequence` says what the failed command does not deliver.
 */
export function noiseProblem(kind: NoiseKind, line: string, lineNumber: number, consequence: string): SnapshotProblem | undefined {
  if (kind === 'error') {
    return { line: lineNumber, severity: 'error', message: `kubectl: \`${preview(line, 200)}\`: ${consequence} at line ${lineNumber}` };
  }
  if (kind === 'klog') {
    return { line: lineNumber, severity: 'warning', message: `kubectl: skipped the klog line \`${preview(line, 200)}\` at line ${lineNumber}` };
  }
  return undefined;
}

/** Go duration (`30s`, `15.009s`, `1m0s`, `1h2m3.5s`, `250ms`) in milliseconds; `undefined` when not one. */
export function goDurationMs(text: string): number | undefined {
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|m|s|ms|us|µs|ns))+$/.test(text) && text !== '0') return undefined;
  const unit: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  let ms = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) {
    ms += Number(match[1]) * (unit[match[2] ?? ''] ?? Number.NaN);
  }
  // 15.009s is 15009 ms, not 15008.999999999998.
  return Math.round(ms * 1e6) / 1e6;
}

/**
 * kubectl's short ages (`HumanDuration`: `2s`, `114s`, `2m13s`, `44m`, `5h43m`, `2d5h`, `3y`) in
 * milliseconds; `undefined` for `<unknown>`, `<invalid>` or anything else.
 */
export function kubectlAgeMs(text: string): number | undefined {
  const match = /^(?:(\d+)y)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (match === null || text === '') return undefined;
  const [, y = '0', d = '0', h = '0', m = '0', s = '0'] = match;
  // HumanDuration counts a year as 365 days.
  return ((((Number(y) * 365 + Number(d)) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

/** A percent cell (`23%`, `102%`) as a number; `undefined` when it is not one. */
export function percent(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text);
  return match === null ? undefined : Number(match[1]);
}

/** Whether a line looks like a table header: upper-case column names, `NAME` or `NAMESPACE` among them. */
export function isHeaderLike(tokens: readonly Token[]): boolean {
  return (
    tokens.length >= 2 &&
    tokens.every((t) => /^[A-Z][A-Z0-9()%_.-]*$/.test(t.text)) &&
    tokens.some((t) => t.text === 'NAME' || t.text === 'NAMESPACE')
  );
}

/**
 * Walks the lines of a capture: noise lines are handled here (errors and klog lines become problems,
 * echoed commands go to `onCommand`), every other line goes to `row`.
 */
export function walkLines(
  text: string,
  options: {
    readonly consequence: string;
    readonly problems: SnapshotProblem[];
    readonly row: (line: string, lineNumber: number) => void;
    readonly onCommand?: (args: readonly string[], lineNumber: number) => void;
  },
): void {
  const { consequence, problems, row, onCommand } = options;
  splitLines(text).forEach((line, index) => {
    const lineNumber = index + 1;
    const found = noise(line);
    if (found === undefined) {
      row(line, lineNumber);
      return;
    }
    if (found.kind === 'command') onCommand?.(found.args, lineNumber);
    const problem = noiseProblem(found.kind, line, lineNumber, consequence);
    if (problem !== undefined) problems.push(problem);
  });
}

/**
 * The range a printed kubectl age stands for: the true age is in `[lowMs, highMs)`. kubectl truncates
 * (`44m` is 44 to 45 minutes), and how much depends on the age, so the resolution grows with it.
 * `legacy` reads a value the way kubectl before `HumanDuration` printed it (see `legacyHumanDuration`);
 * by default a value is read as current kubectl prints it, and as the legacy printer does only when
 * the current one cannot print it (`1h`, `1m`). `undefined` for `<unknown>`, `<invalid>` or anything else.
 */
export function kubectlAgeRange(text: string, options: { readonly legacy?: boolean } = {}): { readonly lowMs: number; readonly highMs: number } | undefined {
  const ms = kubectlAgeMs(text);
  if (ms === undefined) return undefined;
  // `0s` also covers a clock up to 2 s behind the API server's (HumanDuration's tolerance).
  const low = text === '0s' ? -2000 : ms;
  const current = humanDuration(ms) === text;
  const legacy = legacyHumanDuration(ms) === text;
  if (current && !(options.legacy === true && legacy)) return { lowMs: low, highMs: ms + humanDurationResolutionMs(ms) };
  if (legacy) return { lowMs: low, highMs: ms + legacyResolutionMs(ms) };
  // Neither printer writes it so (typed by hand, `1h30m`): one unit of its last field.
  const unit: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 };
  return { lowMs: low, highMs: ms + (unit[text.slice(-1)] ?? 1000) };
}

/**
 * kubectl's AGE and LAST SEEN format: `HumanDuration` of k8s.io/apimachinery `pkg/util/duration`,
 * ported with its truncations (`int(d / time.Minute)`): seconds under 2 minutes (`119s`), minutes
 * and seconds under 10 minutes (`2m`, `2m8s`), minutes under 3 hours (`46m`), hours and minutes under
 * 8 hours (`5h43m`), hours under 2 days, days and hours under 8 days, days under 2 years, years and
 * days under 8 years, then years.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/**
 * The age format of older kubectl (`ShortHumanDuration` in its printers, before `HumanDuration`):
 * one unit only — seconds under a minute, then minutes, hours, days, years (`46m`, `1h`, `18d`).
 */
export function legacyHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** The step of `humanDuration` at `ms`: what one printed value can hide. */
function humanDurationResolutionMs(ms: number): number {
  if (ms < 600_000) return 1000;
  if (ms < 8 * 3_600_000) return 60_000;
  if (ms < 8 * 86_400_000) return 3_600_000;
  if (ms < 8 * 365 * 86_400_000) return 86_400_000;
  return 365 * 86_400_000;
}

function legacyResolutionMs(ms: number): number {
  if (ms < 60_000) return 1000;
  if (ms < 3_600_000) return 60_000;
  if (ms < 86_400_000) return 3_600_000;
  if (ms < 365 * 86_400_000) return 86_400_000;
  return 365 * 86_400_000;
}

/**
 * A line the shell, not kubectl, wrote into a capture: `nohup: ignoring input` (and its variants)
 * lands first in `nohup kubectl get hpa -w > hpa.log 2>&1 &`.
 */
export function isShellMessage(line: string): boolean {
  return /^nohup: (?:ignoring input|appending output|redirecting stderr)/.test(line.trim());
}
