/**
 * What the k6-side library costs: dist/constant.js against a bare k6 script making the same request
 * (GET /health, the cheapest endpoint) and against a hand-written script with the same k6 options,
 * in the same run, several rounds.
 *
 * k6 is made the bottleneck: each runs as a closed loop of VUs (`--vus N --duration D` on the command
 * line replaces the script's arrival-rate scenario, so all use the identical executor and go as fast
 * as k6 can), k6 on CPU 0 and the sample service on CPU 1.
 *
 * Each variant runs **at the same time as a bare script**, both on CPU 0, and is compared with that
 * bare run only. Runs one after the other were at the mercy of the VM's host: the bare script alone
 * ranged from 6 000 to 19 000 req/s between rounds, and 30 such rounds still left ±6% on the CPU per
 * request. Two runs sharing one core for the same seconds see the same host; measured on this
 * machine (2026-12-02, bare against bare, 6 pairs of 5 s) their CPU per request differed by 2.9% at
 * most. Measured per run: k6's CPU time per request (user + system time of that k6 process, from
 * bash's `times` in bench/k6/timed.sh, start-up and handleSummary included, since a library that
 * plans in every VU pays there) and the requests it made in its run (the two share the core as the
 * scheduler divides it, so the ratio of requests is the noisier of the two).
 *
 * The start-up cost is measured alone, one run after the other: a run of 100 VUs making one request
 * each, where per-VU init work shows.
 *
 * Each round runs every pair once, in the order of a Williams design (each variant in each position,
 * and after each other one, equally often); the ratios are taken within the pair (start-up
 * differences within the round), and the rounds' ratios are summarised by the Hodges–Lehmann estimate
 * of their centre with the exact Wilcoxon signed-rank interval, on their logs
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
  /** The bare script that ran beside it, on the same core at the same time. */
  readonly beside: { readonly rps: number; readonly cpuMicrosPerRequest: number };
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
  const bareStartup: number[] = [];
  const cpuList = pin ? '0' : undefined;
  try {
    for (let round = 0; round < rounds; round++) {
      // Start-up: every variant alone, the bare script too, in this round's order.
      const startups = new Map<number, number>();
      for (const i of roundOrder(round, list.length)) {
        const variant = list[i] as Variant;
        const vars = { BASE_URL: service.url, ...variant.vars };
        startups.set(i, (await timedRun(k6, variant.script, vars, ['--vus', String(startupVus), '--iterations', String(startupVus)], { cpuList, work, name: 'startup' })).cpuSeconds * 1000);
      }
      bareStartup.push(startups.get(0) as number);
      // Loaded: each other variant beside a bare script, in this round's order of them.
      for (const k of roundOrder(round, list.length - 1)) {
        const i = k + 1;
        const variant = list[i] as Variant;
        const bare = list[0] as Variant;
        const loop = ['--vus', String(vus), '--duration', `${seconds}s`];
        // Who is started first alternates, so that neither always has the core to itself for the first moment.
        const [mine, beside] = await pair(
          round % 2 === 0,
          () => timedRun(k6, variant.script, { BASE_URL: service.url, ...variant.vars }, loop, { cpuList, work, name: 'variant' }),
          () => timedRun(k6, bare.script, { BASE_URL: service.url, ...bare.vars }, loop, { cpuList, work, name: 'bare' }),
        );
        const measurement: Measurement = {
          rps: mine.rps,
          cpuMicrosPerRequest: (mine.cpuSeconds / mine.requests) * 1e6,
          startupCpuMs: startups.get(i) as number,
          beside: { rps: beside.rps, cpuMicrosPerRequest: (beside.cpuSeconds / beside.requests) * 1e6 },
        };
        results[i]?.push(measurement);
        process.stderr.write(
          `round ${round + 1}/${rounds} ${variant.name}: ${measurement.rps.toFixed(0)} req/s, ${measurement.cpuMicrosPerRequest.toFixed(1)} µs CPU/request ` +
            `(bare beside it: ${measurement.beside.rps.toFixed(0)} req/s, ${measurement.beside.cpuMicrosPerRequest.toFixed(1)} µs), start-up ${measurement.startupCpuMs.toFixed(0)} ms CPU\n`,
        );
      }
    }
  } finally {
    await service.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const version = await k6Version(k6);
  // The bare script's own row: every bare run beside the others, and its start-up alone.
  const bareRuns = results.slice(1).flat().map((m) => m.beside);
  const ofPair = (i: number) => {
    const measurements = results[i] ?? [];
    return {
      rps: ratioInterval(measurements.map((m) => m.rps), measurements.map((m) => m.beside.rps), confidence),
      cpu: ratioInterval(measurements.map((m) => m.cpuMicrosPerRequest), measurements.map((m) => m.beside.cpuMicrosPerRequest), confidence),
      startup: differenceInterval(measurements.map((m) => m.startupCpuMs), bareStartup, confidence),
    };
  };
  // One variant against another: the ratio of their ratios to the bare script beside each, round by round.
  const between = (a: readonly Measurement[], b: readonly Measurement[]) => ({
    rps: ratioInterval(a.map((m) => m.rps / m.beside.rps), b.map((m) => m.rps / m.beside.rps), confidence),
    cpu: ratioInterval(a.map((m) => m.cpuMicrosPerRequest / m.beside.cpuMicrosPerRequest), b.map((m) => m.cpuMicrosPerRequest / m.beside.cpuMicrosPerRequest), confidence),
    startup: differenceInterval(a.map((m) => m.startupCpuMs), b.map((m) => m.startupCpuMs), confidence),
  });
  const lines = [
    `library overhead · k6 v${version} · ${os.availableParallelism()} cores${pin ? ', k6 on CPU 0, service on CPU 1' : ''} · ${vus} VUs closed loop · GET /health · ${seconds} s × ${rounds} rounds in a Williams order`,
    `each variant beside a bare script on the same core at the same time; ratios to that bare run: Hodges–Lehmann estimate [${percent(confidence)} interval, exact Wilcoxon signed-rank on log ratios]`,
    '',
    `${'variant'.padEnd(32)}${'req/s'.padStart(8)}  ${'ratio [interval]'.padEnd(36)}${'µs CPU/req'.padStart(11)}  ${'ratio [interval]'.padEnd(36)}` +
      `${'start-up ms'.padStart(12)}  more than bare [interval]`,
  ];
  for (const [i, variant] of list.entries()) {
    const runs = i === 0 ? bareRuns : (results[i] ?? []);
    const startups = i === 0 ? bareStartup : (results[i] ?? []).map((m) => m.startupCpuMs);
    const ratios = i === 0 ? null : ofPair(i);
    lines.push(
      `${variant.name.padEnd(32)}${median(runs.map((m) => m.rps)).toFixed(0).padStart(8)}  ${(ratios === null ? '1 (baseline)' : formatRatio(ratios.rps)).padEnd(36)}` +
        `${median(runs.map((m) => m.cpuMicrosPerRequest)).toFixed(1).padStart(11)}  ${(ratios === null ? '1 (baseline)' : formatRatio(ratios.cpu)).padEnd(36)}` +
        `${median(startups).toFixed(0).padStart(12)}  ${ratios === null ? '(baseline)' : formatDifference(ratios.startup, 'ms')}`,
    );
  }
  // The coverage depends only on the number of rounds.
  const { achieved } = wilcoxonSignedRankInterval(bareStartup.map((_, r) => r + 1), { confidence });
  lines.push(`start-up: CPU of a run of ${startupVus} VUs making one request each (init in every VU, teardown, summary), each variant alone; difference: Hodges–Lehmann, same interval`);
  if (achieved < confidence) lines.push(`(${rounds} rounds give at most ${percent(achieved)} coverage: run more rounds for a ${percent(confidence)} interval)`);

  lines.push('');
  for (const [i, variant] of list.entries()) {
    if (variant.vars !== LIB_VARS) continue;
    const { rps, cpu } = ofPair(i);
    lines.push(`${variant.name} against the bare script: ${costVerdict(rps, cpu, COST_GOAL)}`);
  }
  const lib = results[list.findIndex((variant) => variant.name === 'dist/constant.js')] ?? [];
  for (const [j, other] of also.entries()) {
    const { rps, cpu, startup } = between(lib, results[list.length - also.length + j] ?? []);
    lines.push(`dist/constant.js against ${other.name}: throughput ${formatRatio(rps)}, CPU per request ${formatRatio(cpu)}, start-up ${formatDifference(startup, 'ms')}`);
  }
  const own = between(lib, results[1] ?? []);
  lines.push(`dist/constant.js against the hand-written equivalent (the library's own code): throughput ${formatRatio(own.rps)}, CPU per request ${formatRatio(own.cpu)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Runs the two at once, starting `first` first when `firstFirst`; their results in the order given. */
async function pair<T>(firstFirst: boolean, first: () => Promise<T>, second: () => Promise<T>): Promise<[T, T]> {
  if (firstFirst) {
    const a = first();
    return Promise.all([a, second()]);
  }
  const b = second();
  return Promise.all([first(), b]);
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

/** bench/k6/timed.sh: k6, then bash's `times` of it on stderr. */
const TIMED = path.join(repoRoot, 'bench', 'k6', 'timed.sh');

async function timedRun(
  k6: string,
  script: string,
  vars: Record<string, string>,
  args: readonly string[],
  { cpuList, work, name }: { cpuList: string | undefined; work: string; name: string },
): Promise<{ rps: number; requests: number; cpuSeconds: number }> {
  const exportFile = path.join(work, `summary-export-${name}.json`);
  const result = await runK6({ k6: TIMED, secretVars: { K6_TIMED_PROGRAM: k6 }, script, vars, extraArgs: [...args, '--summary-export', exportFile], cwd: work, ...(cpuList !== undefined ? { cpuList } : {}) });
  // 99: a threshold of the SLO was crossed (the start-up runs of 100 VUs on a loaded machine can
  // take over 500 ms at p95); no threshold aborts, so the run did the same work and counts.
  if (result.exitCode !== 0 && result.exitCode !== 99) throw new Error(`k6 exited ${result.exitCode}: ${result.stderr}`);
  const cpuSeconds = childCpuSeconds(result.stderr);
  const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { metrics: Record<string, { count?: number; rate?: number }> };
  return { rps: exported.metrics.http_reqs?.rate ?? 0, requests: exported.metrics.http_reqs?.count ?? 0, cpuSeconds };
}

/**
 * User + system CPU seconds of the k6 that bench/k6/timed.sh ran: the last line of its stderr, the
 * second line of bash's `times` (its children), e.g. `0m2.345s 0m0.456s`.
 */
export function childCpuSeconds(stderr: string): number {
  const last = stderr.trimEnd().split('\n').at(-1) ?? '';
  const match = /^(\d+)m(\d+(?:\.\d+)?)s (\d+)m(\d+(?:\.\d+)?)s$/.exec(last);
  if (match === null) throw new Error(`bench/k6/timed.sh: expected its children's CPU times (bash \`times\`) on its last line, got \`${last}\``);
  const [, userMinutes, userSeconds, systemMinutes, systemSeconds] = match.map(Number) as [number, number, number, number, number];
  return userMinutes * 60 + userSeconds + systemMinutes * 60 + systemSeconds;
}

// --- command line --------------------------------------------------------------------------------

/** Defaults: about four minutes on two cores (each round: 3 pairs of 5 s and 4 start-up runs; 10 rounds). */
export const DEFAULT_OVERHEAD: OverheadOptions = { rounds: 10, seconds: 5, vus: 16 };

const FLAGS = {
  rounds: { type: 'string', value: 'N', help: `alternating rounds, 2 to 49 (default ${DEFAULT_OVERHEAD.rounds}; 95% intervals need at least 6;\nthe orders are balanced over every 12 rounds, 20 with one --also)` },
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
