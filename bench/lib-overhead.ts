/**
 * What the k6-side library costs: dist/constant.js against a bare k6 script making the same request
 * (GET /health, the cheapest endpoint) and against a hand-written script with the same k6 options,
 * in the same run, alternating, several rounds.
 *
 * k6 is made the bottleneck: both run as a closed loop of VUs (`--vus N --duration D` on the command
 * line replaces the script's arrival-rate scenario, so both use the identical executor and go as fast
 * as k6 can), k6 is pinned to CPU 0 and the sample service to CPU 1. Measured per run: requests/s
 * achieved, and k6's CPU time per request (user + system time of the reaped k6 process, read from
 * this process's cutime/cstime in /proc/self/stat, which counts waited-for children), start-up and
 * handleSummary included, since a library that plans in every VU pays there.
 *
 * The machine is shared and noisy (one variant's ratio ranged 0.87–1.26 across rounds), so a single
 * ratio says little. Each round runs every variant once, in the order of a Williams design (each
 * variant in each position, and after each other one, equally often); the ratio to the bare script is taken within the round (runs
 * seconds apart drift less than runs minutes apart), and the rounds' ratios are summarised by the
 * Hodges–Lehmann estimate of their centre with the exact Wilcoxon signed-rank interval, on their logs
 * (bench/stats/wilcoxon-signed-rank-interval.ts): an interval that includes 1 is "within noise".
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from 'simple-statistics';
import { buildScenarios } from '../scripts/build.ts';
import { CliError, commandFlags, fail, isMain, repoRoot } from '../scripts/lib/cli.ts';
import { flagHelp } from '../scripts/lib/flags.ts';
import { ensureK6, k6Version } from '../scripts/lib/k6.ts';
import { runK6, startSampleService } from '../scripts/lib/processes.ts';
import { wilcoxonSignedRankInterval } from './stats/wilcoxon-signed-rank-interval.ts';

export interface OverheadOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly vus: number;
  /** VUs of the start-up runs (one request each), where per-VU init work shows; default 100. */
  readonly startupVus?: number;
  /** Coverage of the intervals; default 0.95. */
  readonly confidence?: number;
  /** More bundles measured like dist/constant.js (e.g. one built from an earlier commit), by name. */
  readonly also?: readonly { readonly name: string; readonly script: string }[];
}

export interface Measurement {
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
  /** CPU milliseconds of a run of `startupVus` VUs that make one request each: init, teardown, summary. */
  readonly startupCpuMs: number;
}

/** The cost the library may have against the bare script (issue 10): 2% of throughput or of CPU per request. */
export const COST_GOAL = 0.02;

const LIB_VARS = { MIX: 'health', SUMMARY_PATH: 'none' };

interface Variant {
  readonly name: string;
  readonly script: string;
  readonly vars: Readonly<Record<string, string>>;
}

function variants(also: OverheadOptions['also'] = []): Variant[] {
  return [
    { name: 'bare k6 script', script: path.join(repoRoot, 'bench', 'k6', 'bare.js'), vars: {} },
    { name: 'hand-written equivalent', script: path.join(repoRoot, 'bench', 'k6', 'equivalent.js'), vars: {} },
    { name: 'dist/constant.js', script: path.join(repoRoot, 'dist', 'constant.js'), vars: LIB_VARS },
    { name: 'dist/constant.js, CHECKS=true', script: path.join(repoRoot, 'dist', 'constant.js'), vars: { ...LIB_VARS, CHECKS: 'true' } },
    ...also.map(({ name, script }) => ({ name, script: path.resolve(script), vars: LIB_VARS })),
  ];
}

export async function libOverhead({ rounds, seconds, vus, startupVus = 100, confidence = 0.95, also = [] }: OverheadOptions): Promise<void> {
  const list = variants(also);
  const k6 = await ensureK6();
  await buildScenarios();
  const pin = os.availableParallelism() >= 2;
  const service = await startSampleService({ replicas: 1, ...(pin ? { cpuList: '1' } : {}) });
  const work = mkdtempSync(path.join(os.tmpdir(), 'k6-capacity-bench-'));
  const results = list.map(() => [] as Measurement[]);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const i of roundOrder(round, list.length)) {
        const variant = list[i] as Variant;
        const vars = { BASE_URL: service.url, ...variant.vars };
        const loaded = await measure(k6, variant.script, vars, ['--vus', String(vus), '--duration', `${seconds}s`], { pin, work });
        const startup = await measure(k6, variant.script, vars, ['--vus', String(startupVus), '--iterations', String(startupVus)], { pin, work });
        const measurement = { rps: loaded.rps, cpuMicrosPerRequest: (loaded.cpuSeconds / loaded.requests) * 1e6, startupCpuMs: startup.cpuSeconds * 1000 };
        results[i]?.push(measurement);
        process.stderr.write(
          `round ${round + 1}/${rounds} ${variant.name}: ${measurement.rps.toFixed(0)} req/s, ${measurement.cpuMicrosPerRequest.toFixed(1)} µs CPU/request, ` +
            `start-up ${measurement.startupCpuMs.toFixed(0)} ms CPU\n`,
        );
      }
    }
  } finally {
    await service.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const version = await k6Version(k6);
  const bare = results[0] as Measurement[];
  const lines = [
    `library overhead · k6 v${version} · ${os.availableParallelism()} cores${pin ? ', k6 on CPU 0, service on CPU 1' : ''} · ${vus} VUs closed loop · GET /health · ${seconds} s × ${rounds} rounds in a Williams order`,
    `ratios to the bare script of the same round: Hodges–Lehmann estimate [${percent(confidence)} interval, exact Wilcoxon signed-rank on log ratios]`,
    '',
    `${'variant'.padEnd(32)}${'req/s'.padStart(8)}  ${'ratio [interval]'.padEnd(36)}${'µs CPU/req'.padStart(11)}  ${'ratio [interval]'.padEnd(36)}` +
      `${'start-up ms'.padStart(12)}  more than bare [interval]`,
  ];
  for (const [i, variant] of list.entries()) {
    const measurements = results[i] ?? [];
    const rps = ratioInterval(measurements.map((m) => m.rps), bare.map((m) => m.rps), confidence);
    const cpu = ratioInterval(measurements.map((m) => m.cpuMicrosPerRequest), bare.map((m) => m.cpuMicrosPerRequest), confidence);
    const startup = differenceInterval(measurements.map((m) => m.startupCpuMs), bare.map((m) => m.startupCpuMs), confidence);
    lines.push(
      `${variant.name.padEnd(32)}${median(measurements.map((m) => m.rps)).toFixed(0).padStart(8)}  ${(i === 0 ? '1 (baseline)' : formatRatio(rps)).padEnd(36)}` +
        `${median(measurements.map((m) => m.cpuMicrosPerRequest)).toFixed(1).padStart(11)}  ${(i === 0 ? '1 (baseline)' : formatRatio(cpu)).padEnd(36)}` +
        `${median(measurements.map((m) => m.startupCpuMs)).toFixed(0).padStart(12)}  ${i === 0 ? '(baseline)' : formatDifference(startup, 'ms')}`,
    );
  }
  // The coverage depends only on the number of rounds.
  const { achieved } = wilcoxonSignedRankInterval(bare.map((_, r) => r + 1), { confidence });
  lines.push(`start-up: CPU of a run of ${startupVus} VUs making one request each (init in every VU, teardown, summary); difference: Hodges–Lehmann, same interval`);
  if (achieved < confidence) lines.push(`(${rounds} rounds give at most ${percent(achieved)} coverage: run more rounds for a ${percent(confidence)} interval)`);

  lines.push('');
  for (const [i, variant] of list.entries()) {
    if (variant.vars !== LIB_VARS) continue;
    const rps = ratioInterval((results[i] ?? []).map((m) => m.rps), bare.map((m) => m.rps), confidence);
    const cpu = ratioInterval((results[i] ?? []).map((m) => m.cpuMicrosPerRequest), bare.map((m) => m.cpuMicrosPerRequest), confidence);
    lines.push(`${variant.name} against the bare script: ${costVerdict(rps, cpu, COST_GOAL)}`);
  }
  const lib = list.findIndex((variant) => variant.name === 'dist/constant.js');
  for (const [j, other] of also.entries()) {
    const them = results[list.length - also.length + j] ?? [];
    const rps = ratioInterval((results[lib] ?? []).map((m) => m.rps), them.map((m) => m.rps), confidence);
    const cpu = ratioInterval((results[lib] ?? []).map((m) => m.cpuMicrosPerRequest), them.map((m) => m.cpuMicrosPerRequest), confidence);
    const startup = differenceInterval((results[lib] ?? []).map((m) => m.startupCpuMs), them.map((m) => m.startupCpuMs), confidence);
    lines.push(`dist/constant.js against ${other.name}: throughput ${formatRatio(rps)}, CPU per request ${formatRatio(cpu)}, start-up ${formatDifference(startup, 'ms')}`);
  }
  const equivalent = results[1] as Measurement[];
  const ownRps = ratioInterval((results[lib] ?? []).map((m) => m.rps), equivalent.map((m) => m.rps), confidence);
  const ownCpu = ratioInterval((results[lib] ?? []).map((m) => m.cpuMicrosPerRequest), equivalent.map((m) => m.cpuMicrosPerRequest), confidence);
  lines.push(`dist/constant.js against the hand-written equivalent (the library's own code): throughput ${formatRatio(ownRps)}, CPU per request ${formatRatio(ownCpu)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The order of the variants in round `round`: a Williams design (E. J. Williams, "Experimental designs
 * balanced for the estimation of residual effects of treatments", Australian Journal of Scientific
 * Research A 2(2), 1949). Row r is (0, 1, n−1, 2, n−2, …) + r mod n; for an odd n the next n rows are
 * the same reversed. Over one cycle (n rounds, 2n for odd n) each variant runs once in each position and
 * directly after every other variant equally often, so what a run leaves behind (sockets in TIME_WAIT,
 * a warm service, the machine's other load drifting) does not always fall on the same variant.
 */
export function roundOrder(round: number, count: number): number[] {
  const first = Array.from({ length: count }, (_, k) => (k === 0 ? 0 : k % 2 === 1 ? (k + 1) / 2 : count - k / 2));
  const cycle = count % 2 === 0 ? count : 2 * count;
  const r = round % cycle;
  const row = first.map((v) => (v + r) % count);
  return r >= count ? row.reverse() : row;
}

export interface RatioInterval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly achieved: number;
  readonly rounds: number;
}

/**
 * The centre of the per-round ratios variant[r] / baseline[r] with its interval: the signed-rank
 * interval of their logs, turned back into ratios, so 1.05 and 1/1.05 count as equally far from 1.
 */
export function ratioInterval(variant: readonly number[], baseline: readonly number[], confidence = 0.95): RatioInterval {
  if (variant.length !== baseline.length) {
    throw new RangeError(`ratioInterval: ${variant.length} variant rounds and ${baseline.length} baseline rounds: expected as many of each`);
  }
  const logs = variant.map((value, r) => Math.log(value / (baseline[r] as number)));
  const result = wilcoxonSignedRankInterval(logs, { confidence });
  return { estimate: Math.exp(result.estimate), lower: Math.exp(result.lower), upper: Math.exp(result.upper), achieved: result.achieved, rounds: logs.length };
}

/** The centre of the per-round differences variant[r] − baseline[r], with the signed-rank interval. */
export function differenceInterval(variant: readonly number[], baseline: readonly number[], confidence = 0.95): RatioInterval {
  if (variant.length !== baseline.length) {
    throw new RangeError(`differenceInterval: ${variant.length} variant rounds and ${baseline.length} baseline rounds: expected as many of each`);
  }
  const result = wilcoxonSignedRankInterval(variant.map((value, r) => value - (baseline[r] as number)), { confidence });
  return { estimate: result.estimate, lower: result.lower, upper: result.upper, achieved: result.achieved, rounds: result.n };
}

/** `+31 ms [+20 to +40] more` or `+2 ms [−10 to +10] within noise`. */
export function formatDifference(difference: RatioInterval, unit: string): string {
  const verdict = difference.lower > 0 ? 'more' : difference.upper < 0 ? 'less' : 'within noise';
  const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(0)}`;
  return `${signed(difference.estimate)} ${unit} [${signed(difference.lower)} to ${signed(difference.upper)}] ${verdict}`;
}

/** `0.981 [0.968–0.996] lower` or `1.004 [0.990–1.021] within noise`. */
export function formatRatio(ratio: RatioInterval): string {
  const verdict = ratio.lower > 1 ? 'higher' : ratio.upper < 1 ? 'lower' : 'within noise';
  return `${ratio.estimate.toFixed(3)} [${ratio.lower.toFixed(3)}–${ratio.upper.toFixed(3)}] ${verdict}`;
}

/**
 * Whether the library's cost is under `goal`, from the intervals of its throughput ratio (cost =
 * 1 − ratio) and its CPU-per-request ratio (cost = ratio − 1): met when the upper end of both cost
 * intervals is under the goal, not met when the lower end of either is at or over it, and otherwise
 * not shown either way by this many rounds.
 */
export function costVerdict(rps: RatioInterval, cpu: RatioInterval, goal: number): string {
  const throughput = { estimate: 1 - rps.estimate, lower: 1 - rps.upper, upper: 1 - rps.lower };
  const perRequest = { estimate: cpu.estimate - 1, lower: cpu.lower - 1, upper: cpu.upper - 1 };
  const cost = (c: typeof throughput): string => `${signedPercent(c.estimate)} [${signedPercent(c.lower)} to ${signedPercent(c.upper)}]`;
  const upper = Math.max(throughput.upper, perRequest.upper);
  const lower = Math.max(throughput.lower, perRequest.lower);
  const verdict =
    upper < goal
      ? `goal met: both upper bounds are under ${percent(goal)}`
      : lower >= goal
        ? `goal NOT met: the cost is at least ${signedPercent(lower)}`
        : `goal not shown either way: an interval reaches ${signedPercent(upper)}, above ${percent(goal)}; more rounds or a quieter machine would narrow it`;
  return `cost ${cost(throughput)} throughput, ${cost(perRequest)} k6 CPU per request (goal: under ${percent(goal)}; ${verdict})`;
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

function signedPercent(share: number): string {
  return `${share >= 0 ? '+' : '−'}${Math.abs(share * 100).toFixed(1)}%`;
}

async function measure(
  k6: string,
  script: string,
  vars: Record<string, string>,
  args: readonly string[],
  { pin, work }: { pin: boolean; work: string },
): Promise<{ rps: number; requests: number; cpuSeconds: number }> {
  const exportFile = path.join(work, 'summary-export.json');
  const before = childCpuSeconds();
  const result = await runK6({ k6, script, vars, extraArgs: [...args, '--summary-export', exportFile], cwd: work, ...(pin ? { cpuList: '0' } : {}) });
  const cpuSeconds = childCpuSeconds() - before;
  // 99: a threshold of the SLO was crossed (the start-up runs of 100 VUs on a loaded machine can
  // take over 500 ms at p95); no threshold aborts, so the run did the same work and counts.
  if (result.exitCode !== 0 && result.exitCode !== 99) throw new Error(`k6 exited ${result.exitCode}: ${result.stderr}`);
  const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { metrics: Record<string, { count?: number; rate?: number }> };
  return { rps: exported.metrics.http_reqs?.rate ?? 0, requests: exported.metrics.http_reqs?.count ?? 0, cpuSeconds };
}

/** CPU seconds (user + system) of this process's reaped children: fields 16 and 17 of /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // The command name (field 2) may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

// --- command line --------------------------------------------------------------------------------

/** Defaults: about four minutes on two cores (4 variants × (5 s + k6's start-up) × 10 rounds). */
export const DEFAULT_OVERHEAD: OverheadOptions = { rounds: 10, seconds: 5, vus: 16 };

const FLAGS = {
  rounds: { type: 'string', value: 'N', help: `alternating rounds, 2 to 49 (default ${DEFAULT_OVERHEAD.rounds}; 95% intervals need at least 6;\nthe order is balanced over every 4 rounds, 10 with one --also)` },
  seconds: { type: 'string', value: 'S', help: `length of each k6 run in seconds (default ${DEFAULT_OVERHEAD.seconds})` },
  vus: { type: 'string', value: 'N', help: `closed-loop VUs (default ${DEFAULT_OVERHEAD.vus})` },
  'startup-vus': { type: 'string', value: 'N', help: 'VUs of the start-up runs, one request each (default 100)' },
  also: { type: 'string', multiple: true, value: 'NAME=PATH', help: 'another bundle to measure like dist/constant.js, e.g. one built from an earlier commit' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

export const LIB_OVERHEAD_HELP = `Usage: npm run bench -- lib-overhead [--rounds N] [--seconds S] [--vus N] [--startup-vus N] [--also NAME=PATH]...

Measures dist/constant.js against a bare k6 script and a hand-written equivalent, alternating.

Options:
${flagHelp(FLAGS)}`;

/** `npm run bench -- lib-overhead [flags]` and `node --import tsx bench/lib-overhead.ts [flags]`. */
export function overheadOptions(argv: readonly string[]): OverheadOptions | 'help' {
  const values = commandFlags('bench', FLAGS, argv);
  if (values.help) return 'help';
  const integer = (flag: string, text: string | undefined, fallback: number, min: number, max: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) throw new CliError(`bench: \`--${flag}\` is \`${text}\`: expected an integer from ${min} to ${max}`);
    return value;
  };
  const also = (values.also ?? []).map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1) throw new CliError(`bench: \`--also\` is \`${entry}\`: expected NAME=PATH`);
    return { name: entry.slice(0, at), script: entry.slice(at + 1) };
  });
  return {
    rounds: integer('rounds', values.rounds, DEFAULT_OVERHEAD.rounds, 2, 49),
    seconds: integer('seconds', values.seconds, DEFAULT_OVERHEAD.seconds, 1, 600),
    vus: integer('vus', values.vus, DEFAULT_OVERHEAD.vus, 1, 1000),
    startupVus: integer('startup-vus', values['startup-vus'], 100, 1, 1000),
    also,
  };
}

export async function libOverheadCli(argv: readonly string[]): Promise<void> {
  const options = overheadOptions(argv);
  if (options === 'help') process.stdout.write(LIB_OVERHEAD_HELP);
  else await libOverhead(options);
}

if (isMain(import.meta.url)) libOverheadCli(process.argv.slice(2)).catch(fail);
