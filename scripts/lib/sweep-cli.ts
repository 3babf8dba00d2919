/**
 * Command-line parsing shared by `npm run sweep` and `npm run matrix`: flags to a plan, with the
 * validation messages a user needs, secrets split off and redacted from the recorded command line.
 */
import path from 'node:path';
import { utcStamp } from '../../lib/tags.ts';
import { parseDuration, parseNumber } from '../../lib/config.ts';
import { bytes as quantityBytes, cpuMillicores } from '../../analysis/snapshots/quantity.ts';
import { CliError, repoRoot } from './cli.ts';
import { parseDisruptions } from './disruptions.ts';
import { flagHelp, parseFlags, type Flags } from './flags.ts';
import { cellId, readManifestFile, type Cell, type SweepPlan } from './sweep.ts';
import { DEFAULT_TARGETS_FILE, checkContext, checkK8sName, resolveTarget, type Target } from './targets.ts';

/** k6's rule for `-e` names. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables whose values must never be written down: passed to k6 through its environment only. */
export const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|AUTH|CREDENTIAL/i;

export interface ParsedSweep {
  readonly target: Target;
  readonly plan: SweepPlan;
  readonly outDir: string;
  readonly resume: boolean;
  readonly secretVars: Record<string, string>;
  readonly commandLine: string[];
  /** `--force`: a sweep already in `outDir` is moved aside instead of stopping. */
  readonly force: boolean;
  /** How long k6 may take to stop after Ctrl-C or SIGTERM before it is killed. */
  readonly stopGraceMs: number;
  /** Flags given with `--resume` that it does not read (the plan comes from the manifest). */
  readonly ignored: readonly string[];
}

/** Flags of both programs, in help order; `--replicas` and `--cooldown` are the matrix's own. */
const COMMON_FLAGS = {
  scenario: { type: 'string', value: 'NAME', help: 'scenario of scenarios/*.ts (default constant)' },
  duration: { type: 'string', value: 'D', help: 'how long each level runs, a k6 duration (default 1m)' },
  namespace: { type: 'string', value: 'NS', help: "override the target's namespace (kubernetes targets)" },
  context: { type: 'string', value: 'NAME', help: "override the target's kube context (kubernetes targets)" },
  pause: { type: 'string', value: 'D', help: 'stabilisation pause between levels (default 15s)' },
  'health-timeout': { type: 'string', value: 'D', help: "how long to wait for the target's health endpoint (default 300s)" },
  'skip-health-wait': { type: 'boolean', help: 'do not wait for the health endpoint' },
  'skip-data': { type: 'boolean', help: "do not run the target's data hook" },
  'snapshot-interval': { type: 'string', value: 'D', help: 'captures during each level (default 10s)' },
  'stop-grace': { type: 'string', value: 'D', help: 'after Ctrl-C or SIGTERM, how long k6 may take to stop before it is killed (default 15s)' },
  disrupt: {
    type: 'string',
    multiple: true,
    value: 'KIND@TIME',
    help:
      'disrupt the target TIME (a k6 duration) after k6 starts, in every level: `kill-replica[:N]`\n' +
      'SIGKILLs replica N (default 0) of a process target, which restarts it; `delete-pod[:NAME]`\n' +
      'deletes that pod of a kubernetes target (default the first Running pod by name) with\n' +
      '`kubectl delete pod --wait=false`; repeatable; each is recorded in the manifest',
  },
  env: {
    type: 'string',
    multiple: true,
    value: 'KEY=VALUE',
    help: 'a k6 variable (-e); keys that look secret (TOKEN, SECRET, PASSWORD, AUTH, KEY…)\nare passed through k6\'s environment instead and never written down',
  },
  'secret-env': { type: 'string', multiple: true, value: 'NAME', help: 'pass the environment variable NAME to k6 as a secret variable' },
  out: { type: 'string', value: 'DIR', help: 'the run directory (default runs/<target>-<scenario>-<UTC time>); it must not hold a sweep' },
  force: { type: 'boolean', help: 'when --out holds a sweep, move it aside to DIR.replaced-<UTC time> first (nothing is deleted)' },
  resume: { type: 'string', value: 'DIR', help: 'continue an interrupted sweep in DIR (levels not finished are run); the plan comes from its manifest' },
  targets: { type: 'string', value: 'FILE', help: 'the targets file (default targets.json)' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const satisfies Flags;

const MATRIX_FLAGS = {
  target: { type: 'string', value: 'NAME', help: 'a kubernetes target of targets.json, or a process target such as `sample`' },
  replicas: { type: 'string', value: 'R,R,…', help: 'replica counts' },
  cpu: { type: 'string', value: 'C,C,…', help: 'CPU per replica, e.g. 250m,500m,1 (requests = limits; cgroups for a process target)' },
  memory: { type: 'string', value: 'M,M,…', help: 'memory per replica, e.g. 256Mi,512Mi (requests = limits; cgroups for a process target)' },
  'tps-levels': { type: 'string', value: 'L,L,…', help: 'target rates, iterations per second' },
  cooldown: { type: 'string', value: 'D', help: 'wait after a replica change (default 30s)' },
  ...COMMON_FLAGS,
} as const satisfies Flags;

const SWEEP_FLAGS = {
  target: { type: 'string', value: 'NAME', help: 'a target of targets.json, or `sample`' },
  'tps-levels': { type: 'string', value: 'L,L,…', help: 'target rates, iterations per second' },
  ...COMMON_FLAGS,
} as const satisfies Flags;

/** What `--resume` still reads from the command line; the plan comes from the manifest. */
const RESUME_FLAGS: readonly string[] = ['resume', 'targets', 'stop-grace', 'help'];

export const SWEEP_HELP = `Usage: npm run sweep -- --target NAME --tps-levels 10,25,50 [options]

Runs the scenario at each load level against the target, with captures of its state (kubectl top,
HPA, events, pods; or /proc for the sample service) before, during and after each level, then
analyses the run directory. manifest.json is rewritten after every level; Ctrl-C or SIGTERM keeps
finished levels (exit 130) and --resume continues. The built-in target \`sample\` needs no configuration.

Options:
${flagHelp(SWEEP_FLAGS)}`;

export const MATRIX_HELP = `Usage: npm run matrix -- --target NAME --replicas 1,2,4,8 --tps-levels 10,25,50 [options]

Runs every load level at every replica count and size: scales the deployment (kubectl scale) and
sets its CPU and memory (kubectl set resources, requests = limits), waiting for each rollout, or
restarts the sample service with N replicas in cgroups of that size; waits a cooldown, then runs the
levels. One run directory, cells named [cpu<size>-][mem<size>-]r<replicas>-tps-<level>.

Options:
${flagHelp(MATRIX_FLAGS)}`;

export function parseSweepArgs(argv: readonly string[], mode: 'sweep' | 'matrix', env: NodeJS.ProcessEnv = process.env): ParsedSweep | 'help' {
  const flags: Flags = mode === 'matrix' ? MATRIX_FLAGS : { ...SWEEP_FLAGS, replicas: MATRIX_FLAGS.replicas, cpu: MATRIX_FLAGS.cpu, memory: MATRIX_FLAGS.memory, cooldown: MATRIX_FLAGS.cooldown };
  // Both programs read the same keys (sweep refuses `--replicas` itself, with a pointer to matrix).
  const parsed = parseFlags(argv, flags as typeof MATRIX_FLAGS, {
    command: mode,
    note: `\`npm run ${mode} -- --help\` lists the options`,
    error: (message, note) => new CliError(message, { note }),
  });
  const { values } = parsed;
  if (values.help) return 'help';

  // Variables: public ones into the plan, secret ones only into k6's environment.
  const vars: Record<string, string> = {};
  const secretVars: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0 || !ENV_NAME.test(key)) throw new CliError(`${mode}: \`--env\` is \`${redactPair(pair)}\`: expected KEY=VALUE with KEY of letters, digits and _`);
    if (SECRET_NAME.test(key)) secretVars[key] = pair.slice(eq + 1);
    else vars[key] = pair.slice(eq + 1);
  }
  for (const name of values['secret-env'] ?? []) {
    if (!ENV_NAME.test(name)) throw new CliError(`${mode}: \`--secret-env\` is \`${name}\`: expected an environment variable name`);
    const value = env[name];
    if (value === undefined) throw new CliError(`${mode}: \`--secret-env ${name}\`: the environment variable \`${name}\` is not set`);
    secretVars[name] = value;
  }
  const commandLine = ['npm', 'run', mode, '--', ...redactArgv(argv)];

  const stopGraceMs = ms(mode, '--stop-grace', values['stop-grace'] ?? '15s');

  if (values.resume !== undefined) {
    const outDir = path.resolve(values.resume);
    const manifest = readManifestFile(outDir);
    const targetsFile = values.targets === undefined ? DEFAULT_TARGETS_FILE : path.resolve(values.targets);
    const target = resolveTarget(manifest.target.name, targetsFile);
    // Secrets are never written down, so a resume needs them again; everything else is in the plan.
    const missing = manifest.plan.secret_names.filter((name) => secretVars[name] === undefined);
    if (missing.length > 0) {
      throw new CliError(`${mode}: \`--resume\` needs the secret variable${missing.length === 1 ? '' : 's'} ${missing.map((n) => `\`${n}\``).join(', ')} again: they were never written down`, {
        note: `pass ${missing.map((n) => `--env ${n}=… or --secret-env ${n}`).join(', ')}`,
      });
    }
    const ignored = Object.keys(values)
      .filter((name) => !RESUME_FLAGS.includes(name) && name !== 'env' && name !== 'secret-env')
      .map((name) => `--${name}`);
    if (Object.keys(vars).length > 0) ignored.push(...Object.keys(vars).map((key) => `--env ${key}`));
    return { target, plan: manifest.plan, outDir, resume: true, secretVars, commandLine, force: false, stopGraceMs, ignored };
  }

  if (values.target === undefined) throw new CliError(`${mode}: \`--target\` is missing: expected a target name such as \`sample\``);
  let target = resolveTarget(values.target, values.targets === undefined ? DEFAULT_TARGETS_FILE : path.resolve(values.targets));
  if (values.namespace !== undefined || values.context !== undefined) {
    if (target.kind !== 'kubernetes') throw new CliError(`${mode}: \`--namespace\` and \`--context\` apply to kubernetes targets; \`${target.name}\` is a ${target.kind} target`);
    target = {
      ...target,
      ...(values.namespace === undefined ? {} : { namespace: checkK8sName(`${mode}: \`--namespace\``, values.namespace) }),
      ...(values.context === undefined ? {} : { context: checkContext(`${mode}: \`--context\``, values.context) }),
    };
  }
  const levels = list(mode, '--tps-levels', values['tps-levels'], (n) => n > 0, 'a number > 0');
  let replicas: (number | null)[] = [null];
  let cpus: (number | null)[] = [null];
  let memories: (number | null)[] = [null];
  if (mode === 'matrix') {
    if (target.kind === 'url') throw new CliError(`matrix: target \`${target.name}\` is a url target: expected a kubernetes or process target whose replicas can be changed`);
    if (values.replicas === undefined && values.cpu === undefined && values.memory === undefined) {
      throw new CliError('matrix: `--replicas`, `--cpu` or `--memory` is missing: expected at least one dimension, e.g. `--replicas 1,2,4` or `--cpu 250m,500m,1`');
    }
    if (values.replicas !== undefined && target.kind === 'process' && target.autoscale !== null) {
      throw new CliError(`matrix: target \`${target.name}\` autoscales (\`autoscale\` in targets.json): its HPA sets the replicas, so \`--replicas\` cannot; drop it, or use a target without \`autoscale\``);
    }
    if (values.replicas !== undefined) replicas = list(mode, '--replicas', values.replicas, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000');
    if (values.cpu !== undefined) cpus = quantities(mode, '--cpu', values.cpu, (q) => { const m = cpuMillicores(q); return m === undefined || m <= 0 ? undefined : m / 1000; }, 'CPU sizes such as `250m`, `0.5` or `1`');
    if (values.memory !== undefined) memories = quantities(mode, '--memory', values.memory, (q) => { const b = quantityBytes(q); return b === undefined || b < 4 * 2 ** 20 ? undefined : b; }, 'memory sizes of at least 4Mi such as `256Mi` or `1Gi`');
  } else {
    for (const flag of ['replicas', 'cpu', 'memory'] as const) if (values[flag] !== undefined) throw new CliError(`sweep: \`--${flag}\` belongs to \`npm run matrix\``);
  }
  // Tiers outermost, then replica counts, then levels: a tier's cells run together, each size set once.
  const cells: Cell[] = cpus.flatMap((cores) =>
    memories.flatMap((memoryBytes) =>
      replicas.flatMap((r) =>
        levels.map((level) => ({
          id: cellId(level, r, { cores, memoryBytes }),
          level,
          replicas: r,
          ...(cores === null ? {} : { cores }),
          ...(memoryBytes === null ? {} : { memory_bytes: memoryBytes }),
        })),
      ),
    ),
  );
  const scenario = values.scenario ?? 'constant';
  if (!/^[a-z][a-z0-9-]*$/.test(scenario)) throw new CliError(`${mode}: \`--scenario\` is \`${scenario}\`: expected the name of a file in scenarios/`);
  const duration = durationText(mode, '--duration', values.duration ?? '1m');
  const plan: SweepPlan = {
    mode,
    scenario,
    duration,
    cells,
    pause_ms: ms(mode, '--pause', values.pause ?? '15s'),
    cooldown_ms: ms(mode, '--cooldown', values.cooldown ?? '30s'),
    snapshot_interval_ms: Math.max(1000, ms(mode, '--snapshot-interval', values['snapshot-interval'] ?? '10s')),
    health_timeout_ms: ms(mode, '--health-timeout', values['health-timeout'] ?? '300s'),
    skip_health_wait: values['skip-health-wait'] === true,
    skip_data: values['skip-data'] === true,
    vars,
    secret_names: Object.keys(secretVars).sort(),
    // Checked against the target and each level's length by the sweep, before any load.
    disruptions: parseDisruptions(mode, values.disrupt ?? []),
  };
  const stamp = utcStamp(new Date());
  const outDir = path.resolve(values.out ?? path.join(repoRoot, 'runs', `${target.name}-${mode === 'matrix' ? 'matrix' : scenario}-${stamp}`));
  return { target, plan, outDir, resume: false, secretVars, commandLine, force: values.force === true, stopGraceMs, ignored: [] };
}

function list(mode: string, flag: string, raw: string | undefined, ok: (n: number) => boolean, expected: string): number[] {
  if (raw === undefined) throw new CliError(`${mode}: \`${flag}\` is missing: expected a comma-separated list of ${expected}`);
  const values = raw.split(',').map((part) => parseNumber(part.trim()));
  if (values.length === 0 || values.some((v) => v === undefined || !ok(v))) {
    throw new CliError(`${mode}: \`${flag}\` is \`${raw}\`: expected a comma-separated list of ${expected}`);
  }
  const numbers = values as number[];
  if (new Set(numbers).size !== numbers.length) throw new CliError(`${mode}: \`${flag}\` is \`${raw}\`: a value is repeated`);
  return numbers;
}

function quantities(mode: string, flag: string, raw: string, parse: (q: string) => number | undefined, expected: string): number[] {
  const values = raw.split(',').map((part) => parse(part.trim()));
  if (values.some((v) => v === undefined)) throw new CliError(`${mode}: \`${flag}\` is \`${raw}\`: expected a comma-separated list of ${expected}`);
  const numbers = values as number[];
  if (new Set(numbers).size !== numbers.length) throw new CliError(`${mode}: \`${flag}\` is \`${raw}\`: a value is repeated`);
  return numbers;
}

function durationText(mode: string, flag: string, raw: string): string {
  const duration = parseDuration(raw);
  if (duration === undefined || duration.seconds <= 0) throw new CliError(`${mode}: \`${flag}\` is \`${raw}\`: expected a k6 duration such as \`30s\` or \`3m\``);
  return raw;
}

function ms(mode: string, flag: string, raw: string): number {
  const duration = parseDuration(raw);
  if (duration === undefined) throw new CliError(`${mode}: \`${flag}\` is \`${raw}\`: expected a duration such as \`15s\` or \`0s\``);
  return duration.seconds * 1000;
}

/** The command line with the values of secret-looking variables replaced. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    if (arg.startsWith('--env=')) return `--env=${redactPair(arg.slice('--env='.length))}`;
    if (argv[i - 1] === '--env') return redactPair(arg);
    return arg;
  });
}

function redactPair(pair: string): string {
  const eq = pair.indexOf('=');
  if (eq < 0) return pair;
  const key = pair.slice(0, eq);
  return SECRET_NAME.test(key) ? `${key}=<redacted>` : pair;
}

export { repoRoot };
