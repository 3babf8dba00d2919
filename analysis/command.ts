/**
 * What `npm run analyze` and `npm run compare` share at their edge: the report flags (SLO, warm-up,
 * gates), their parsing into options, the exit codes, and the gate that decides the exit code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDuration, parseNumber } from '../lib/config.ts';
import { repoRoot } from '../scripts/lib/cli.ts';
import { parseFlags, type Flags, type FlagValues } from '../scripts/lib/flags.ts';
import { AnalysisError } from './errors.ts';
import { FINDING_KINDS } from './findings.ts';
import type { ReportOptions } from './analyses/context.ts';
import { checksOf, findingsOf, type Report } from './report/section.ts';
import { plain } from './report/text.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE_OR_INPUT = 1;
/** A gate failed: `--fail-on KIND` matched a finding or check, or `--gate` and a finding of severity fail. */
export const EXIT_GATE_FAILED = 3;

export const REPORT_FLAGS = {
  'slo-p95-ms': { type: 'string', value: 'N', help: 'SLO: p95 below N ms (default: the runs\' own thresholds, else 500)' },
  'slo-p99-ms': { type: 'string', value: 'N', help: 'SLO: p99 below N ms (default: the runs\' own thresholds, else none)' },
  'slo-error-rate': { type: 'string', value: 'X', help: 'SLO: failed requests below this share, 0..1 (default: thresholds, else 0.01)' },
  'target-rate': { type: 'string', value: 'N', help: 'the rate a tier must hold: the report names the smallest tier that does' },
  warmup: { type: 'string', value: 'D', help: 'left out of each level\'s steady state (default 10% of the level, 2 s to 60 s)' },
  'fail-on': { type: 'string', value: 'KIND,…', help: `exit ${EXIT_GATE_FAILED} when a finding or check of these kinds fails, e.g. slo,regression` },
  gate: { type: 'boolean', help: `exit ${EXIT_GATE_FAILED} when a finding has severity fail (failed thresholds, an errored level)` },
} as const satisfies Flags;

type ReportFlagValues = { -readonly [K in keyof typeof REPORT_FLAGS]?: (typeof REPORT_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

export interface Gates {
  readonly failOn: readonly string[];
  readonly gate: boolean;
}

/** The report options and gates from the flags; throws `AnalysisError('usage')` naming the bad flag. */
export function reportOptions(command: string, values: ReportFlagValues): { options: ReportOptions; gates: Gates } {
  const number = (flag: keyof ReportFlagValues, min: number, max: number, exclusiveMin: boolean): number | undefined => {
    const raw = values[flag];
    if (raw === undefined || typeof raw === 'boolean') return undefined;
    const parsed = parseNumber(raw);
    if (parsed === undefined || parsed > max || (exclusiveMin ? parsed <= min : parsed < min)) {
      throw new AnalysisError('usage', `${command}: \`--${flag}\` is \`${raw}\`: expected a number ${exclusiveMin ? `> ${min}` : `from ${min}`}${max === Infinity ? '' : ` to ${max}`}`);
    }
    return parsed;
  };
  let warmupMs: number | undefined;
  if (values.warmup !== undefined) {
    const warmup = parseDuration(values.warmup);
    if (warmup === undefined) throw new AnalysisError('usage', `${command}: \`--warmup\` is \`${values.warmup}\`: expected a duration such as \`5s\` or \`0s\``);
    warmupMs = warmup.seconds * 1000;
  }
  const failOn = values['fail-on'] === undefined ? [] : values['fail-on'].split(',').map((kind) => kind.trim()).filter((kind) => kind !== '');
  const unknown = failOn.filter((kind) => !Object.hasOwn(FINDING_KINDS, kind));
  if (unknown.length > 0) {
    throw new AnalysisError('usage', `${command}: \`--fail-on\` names \`${unknown.join('`, `')}\`: expected finding kinds such as \`slo\`, \`regression\`, \`thresholds-failed\``, {
      note: `the kinds: ${Object.keys(FINDING_KINDS).join(', ')}`,
    });
  }
  return {
    options: {
      slo: { p95Ms: number('slo-p95-ms', 0, Infinity, true), p99Ms: number('slo-p99-ms', 0, Infinity, true), errorRate: number('slo-error-rate', 0, 1, false) },
      warmupMs,
      targetRate: number('target-rate', 0, Infinity, true),
    },
    gates: { failOn, gate: values.gate === true },
  };
}

/** What failed the gates, one line each; empty when the command exits 0. */
export function gateFailures(report: Report, gates: Gates): string[] {
  const out: string[] = [];
  // Checks say most precisely what failed (the level, the metric); a finding of the same kind only
  // where no check of its kind failed.
  const checks = checksOf(report).filter((check) => check.outcome === 'fail' && gates.failOn.includes(check.kind));
  for (const check of checks) out.push(`${check.kind}: ${plain(check.name)} — ${plain(check.message)}`);
  const covered = new Set(checks.map((check) => check.kind));
  for (const finding of findingsOf(report)) {
    const matched = (gates.failOn.includes(finding.kind) && !covered.has(finding.kind) && finding.severity !== 'info') || (gates.gate && finding.severity === 'fail');
    if (matched) out.push(`${finding.kind}: ${plain(finding.title)}: ${plain(finding.detail)}`);
  }
  return [...new Set(out)];
}

export function toolVersion(): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface CommandIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

export interface CommandResult {
  readonly exitCode: number;
  readonly outDir: string | null;
}

/**
 * The edge of an analysis command: parse the flags, print `--help`, run `body`, and turn an
 * `AnalysisError` (bad usage, unusable input) into its one line, `Note:` and exit code 1. Anything
 * else is a bug and is thrown on.
 */
export async function runCommand<F extends Flags & { readonly help: Flags[string] }>(
  command: string,
  argv: readonly string[],
  io: CommandIo,
  spec: { readonly flags: F; readonly help: string },
  body: (values: FlagValues<F>, positionals: string[]) => Promise<CommandResult>,
): Promise<CommandResult> {
  try {
    const { values, positionals } = parseFlags(argv, spec.flags, {
      command,
      note: `\`npm run ${command} -- --help\` lists the options`,
      positionals: true,
      error: (message, note) => new AnalysisError('usage', message, { note }),
    });
    if (values.help === true) {
      io.stdout(spec.help);
      return { exitCode: EXIT_OK, outDir: null };
    }
    return await body(values, positionals);
  } catch (error) {
    if (error instanceof AnalysisError) {
      io.stderr(`${error.message}\n${error.note === undefined ? '' : `Note: ${error.note}\n`}`);
      return { exitCode: EXIT_USAGE_OR_INPUT, outDir: null };
    }
    throw error;
  }
}
