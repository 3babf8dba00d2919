/**
 * Manifests for in-cluster runs and the commands that run them: a k6-operator TestRun (N runners) or a
 * plain Job / CronJob (one runner). Writes YAML files and prints the kubectl commands, in order, that
 * apply them, wait for the run, copy every runner's output back and analyse it as one run.
 *
 *   npm run k8s -- testrun --scenario constant --name checkout-1 --namespace shop \
 *     --base-url http://checkout.shop.svc:8080 --parallelism 4 --env TPS=200 --env DURATION=10m
 *   npm run k8s -- job --scenario soak --name nightly --namespace shop --base-url … --schedule "0 3 * * *"
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildScenarios } from './build.ts';
import { parseFlags as parseSharedFlags } from './lib/flags.ts';
import { CliError, fail, isMain, repoRoot } from './lib/cli.ts';
import {
  checkJobOptions,
  checkTestRunOptions,
  COLLECTOR_SECONDS,
  DEFAULT_K6_IMAGE,
  DEFAULT_RESULTS_CLAIM,
  DEFAULT_RESULTS_STORAGE,
  DEFAULT_RUNNER_CPU,
  DEFAULT_RUNNER_MEMORY,
  jobFiles,
  jobManifests,
  JOB_NAME_MAX,
  MANIFEST_FILES,
  MAX_PARALLELISM,
  renderYaml,
  RESULTS_DIR,
  runTimeoutSeconds,
  TESTRUN_NAME_MAX,
  testRunFiles,
  testRunManifests,
  type EnvValue,
  type JobOptions,
  type ResultsClaim,
  type RunOptions,
  type SecretEnv,
  type TestRunOptions,
} from './lib/k8s-manifests.ts';

const HELP = `Usage: npm run k8s -- <command> [options]

Writes Kubernetes manifests that run a scenario in the cluster, and prints the kubectl commands that
apply them, wait for the run, copy every runner's output back and analyse it as one run.

Commands:
  testrun   a k6-operator TestRun: N runners share the load (needs k6-operator v1.6.0 or newer in the cluster)
  job       one runner as a batch/v1 Job; with --schedule also a CronJob

\`npm run k8s -- <command> --help\` lists a command's options.
`;

const COMMON_OPTIONS = `  --target NAME                 the \`target\` tag (default: host:port of --base-url)
  --env KEY=VALUE               a scenario variable (TPS, DURATION, MIX, SLO_P95_MS, …; see the README),
                                repeatable; values are written in plain text, so secret-like keys are refused
  --secret NAME:KEY=ENVVAR      variable ENVVAR from key KEY of the Secret NAME, repeatable,
                                e.g. k6-auth:token=AUTH_TOKEN
  --runner-cpu CPU              CPU request and limit of a runner (default ${DEFAULT_RUNNER_CPU})
  --runner-memory MEM           memory request and limit of a runner (default ${DEFAULT_RUNNER_MEMORY})
  --image IMAGE                 the k6 image, pinned to a version or digest (default ${DEFAULT_K6_IMAGE})
  --results-pvc NAME            the ReadWriteMany claim to create for the outputs (default ${DEFAULT_RESULTS_CLAIM});
                                runs share it, each in its own folder
  --results-storage SIZE        its size (default ${DEFAULT_RESULTS_STORAGE})
  --results-storage-class NAME  its storage class, one that supports ReadWriteMany (NFS, CephFS, EFS,
                                Azure Files, Filestore…; default: the cluster's default class)
  --existing-results-pvc NAME   write to this existing ReadWriteMany claim; results-pvc.yaml is not written
  --out DIR                     where the files go (default k8s/<name>/)
  -h, --help                    this text`;

const testRunHelp = (scenarios: readonly string[]): string => `Usage: npm run k8s -- testrun --scenario NAME --name NAME --namespace NS --base-url URL
                           --parallelism N [options]

Bundles scenarios/<scenario>.ts and writes, to k8s/<name>/ unless --out says otherwise:
  configmap.yaml    ConfigMap <name>-script holding the bundled <scenario>.js (without a source map)
  results-pvc.yaml  the ReadWriteMany PersistentVolumeClaim the runners write to
  testrun.yaml      TestRun <name> (k6.io/v1alpha1): N runners, each writing ${RESULTS_DIR}/<name>/<pod>.json.gz
                    (k6 --out json) and <pod>-summary.json, all tagged run_id=<name>
  collector.yaml    Pod <name>-collector mounting the claim read-only, for kubectl cp after the run
then prints the commands to run, in order.

Required:
  --scenario NAME               a bundle from scenarios/: ${scenarios.join(', ')}
  --name NAME                   the TestRun, its results folder and run_id: lowercase letters, digits and
                                '-', at most ${TESTRUN_NAME_MAX} characters; a new one per run (a re-run under the
                                same name writes into the same folder, and the analysis would merge both)
  --namespace NS                the namespace of everything written
  --base-url URL                the service under test as the runner pods reach it,
                                e.g. http://checkout.shop.svc:8080
  --parallelism N               runners, 1 to ${MAX_PARALLELISM}; k6 splits the load between them (TPS is the total),
                                so at most the scenario's maximum VUs (MAX_VUS, by default sized from the rate)

Options:
  --separate                    at most one runner per node (pod anti-affinity)
  --cleanup                     the operator deletes the TestRun and its pods when the run ends
${COMMON_OPTIONS}

Example:
  npm run k8s -- testrun --scenario constant --name checkout-20261124 --namespace shop \\
    --base-url http://checkout.shop.svc:8080 --parallelism 4 --env TPS=400 --env DURATION=10m \\
    --secret k6-auth:token=AUTH_TOKEN --runner-cpu 2 --runner-memory 2Gi --separate
`;

const jobHelp = (scenarios: readonly string[]): string => `Usage: npm run k8s -- job --scenario NAME --name NAME --namespace NS --base-url URL
                       [--schedule "MIN HOUR DOM MONTH DOW"] [options]

Bundles scenarios/<scenario>.ts and writes, to k8s/<name>/ unless --out says otherwise:
  configmap.yaml    ConfigMap <name>-script holding the bundled <scenario>.js (without a source map)
  results-pvc.yaml  the ReadWriteMany PersistentVolumeClaim the runner writes to
  job.yaml          Job <name> (batch/v1): one k6 runner writing ${RESULTS_DIR}/<name>/<pod>.json.gz and
                    <pod>-summary.json, tagged run_id=<name>
  cronjob.yaml      with --schedule: CronJob <name> with the same pod; each scheduled run is tagged
                    run_id=<its Job's name>, so the analysis keeps them apart
  collector.yaml    Pod <name>-collector mounting the claim read-only, for kubectl cp after the run
then prints the commands to run, in order. Needs no operator.

Required:
  --scenario NAME               a bundle from scenarios/: ${scenarios.join(', ')}
  --name NAME                   the Job, its results folder and run_id: lowercase letters, digits and '-',
                                at most ${JOB_NAME_MAX} characters; a new one per one-off run
  --namespace NS                the namespace of everything written
  --base-url URL                the service under test as the runner pod reaches it,
                                e.g. http://checkout.shop.svc:8080

Options:
  --schedule "0 3 * * *"        5 cron fields, in kube-controller-manager's time zone (usually UTC);
                                a run never starts while the previous one is still going
${COMMON_OPTIONS}

Example:
  npm run k8s -- job --scenario soak --name checkout-nightly --namespace shop \\
    --base-url http://checkout.shop.svc:8080 --env TPS=50 --env DURATION=2h --schedule "0 3 * * *"
`;

const COMMON_FLAGS = {
  scenario: { type: 'string' },
  name: { type: 'string' },
  namespace: { type: 'string' },
  'base-url': { type: 'string' },
  target: { type: 'string' },
  env: { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
  'runner-cpu': { type: 'string' },
  'runner-memory': { type: 'string' },
  image: { type: 'string' },
  'results-pvc': { type: 'string' },
  'results-storage': { type: 'string' },
  'results-storage-class': { type: 'string' },
  'existing-results-pvc': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const TESTRUN_FLAGS = { ...COMMON_FLAGS, parallelism: { type: 'string' }, separate: { type: 'boolean' }, cleanup: { type: 'boolean' } } as const;
const JOB_FLAGS = { ...COMMON_FLAGS, schedule: { type: 'string' } } as const;

export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'testrun'; readonly options: TestRunOptions; readonly out: string }
  | { readonly kind: 'job'; readonly options: JobOptions; readonly out: string };

/** The bundles a run can use: `scenarios/*.ts`, sorted. */
export function knownScenarios(dir = path.join(repoRoot, 'scenarios')): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

/**
 * From argv (after `npm run k8s --`) to a command with checked options; throws `CliError`. The
 * manifests' own checks (names, variables, quantities) run here too, before anything is bundled.
 */
export function parseCommand(argv: readonly string[], scenarios: readonly string[] = knownScenarios()): Command {
  const [command, ...rest] = argv;
  if (command === undefined) {
    throw new CliError('k8s: no command: expected `testrun` or `job`', { note: '`npm run k8s -- --help` shows the usage' });
  }
  if (command === '--help' || command === '-h') return { kind: 'help', text: HELP };
  if (command !== 'testrun' && command !== 'job') {
    throw new CliError(`k8s: unknown command \`${command}\`: expected \`testrun\` or \`job\``, { note: '`npm run k8s -- --help` shows the usage' });
  }

  if (command === 'testrun') {
    const values = parseFlags(command, rest, TESTRUN_FLAGS);
    if (values.help) return { kind: 'help', text: testRunHelp(scenarios) };
    const common = commonOptions(values, scenarios);
    const options: TestRunOptions = {
      ...common,
      parallelism: parallelism(required(values.parallelism, '--parallelism', `an integer from 1 to ${MAX_PARALLELISM}`)),
      separate: values.separate === true,
      cleanup: values.cleanup === true,
    };
    checkTestRunOptions(options);
    return { kind: 'testrun', options, out: outDir(values.out, common.name) };
  }

  const values = parseFlags(command, rest, JOB_FLAGS);
  if (values.help) return { kind: 'help', text: jobHelp(scenarios) };
  const common = commonOptions(values, scenarios);
  const options: JobOptions = { ...common, ...(values.schedule === undefined ? {} : { schedule: values.schedule }) };
  checkJobOptions(options);
  return { kind: 'job', options, out: outDir(values.out, common.name) };
}

type CommonValues = {
  scenario?: string;
  name?: string;
  namespace?: string;
  'base-url'?: string;
  target?: string;
  env?: string[];
  secret?: string[];
  'runner-cpu'?: string;
  'runner-memory'?: string;
  image?: string;
  'results-pvc'?: string;
  'results-storage'?: string;
  'results-storage-class'?: string;
  'existing-results-pvc'?: string;
};

function commonOptions(values: CommonValues, scenarios: readonly string[]): RunOptions {
  const known = scenarios.map((name) => `\`${name}\``).join(', ');
  const scenario = required(values.scenario, '--scenario', `one of ${known}`);
  if (!scenarios.includes(scenario)) throw new CliError(`k8s: \`--scenario\` is \`${scenario}\`: expected one of ${known}`);
  const name = required(values.name, '--name', 'a name for the run, such as `checkout-20261124`');
  const namespace = required(values.namespace, '--namespace', 'the namespace to run in');
  const baseUrl = required(values['base-url'], '--base-url', 'the URL of the service under test, such as `http://checkout.shop.svc:8080`');
  return {
    name,
    namespace,
    scenario,
    baseUrl,
    ...(values.target === undefined ? {} : { target: values.target }),
    env: (values.env ?? []).map(envValue),
    secrets: (values.secret ?? []).map(secretEnv),
    ...(values['runner-cpu'] === undefined ? {} : { runnerCpu: values['runner-cpu'] }),
    ...(values['runner-memory'] === undefined ? {} : { runnerMemory: values['runner-memory'] }),
    ...(values.image === undefined ? {} : { image: values.image }),
    results: resultsClaim(values),
  };
}

function resultsClaim(values: CommonValues): ResultsClaim {
  const existing = values['existing-results-pvc'];
  if (existing === undefined) {
    return {
      create: true,
      claim: values['results-pvc'] ?? DEFAULT_RESULTS_CLAIM,
      storage: values['results-storage'] ?? DEFAULT_RESULTS_STORAGE,
      ...(values['results-storage-class'] === undefined ? {} : { storageClass: values['results-storage-class'] }),
    };
  }
  for (const flag of ['results-pvc', 'results-storage', 'results-storage-class'] as const) {
    if (values[flag] !== undefined) {
      throw new CliError(`k8s: \`--${flag}\` and \`--existing-results-pvc\` both given: expected one or the other`, {
        note: '`--results-pvc`, `--results-storage` and `--results-storage-class` describe a claim this tool creates; `--existing-results-pvc` uses one that exists',
      });
    }
  }
  return { create: false, claim: existing };
}

function envValue(raw: string): EnvValue {
  const equals = raw.indexOf('=');
  if (equals <= 0) throw new CliError(`k8s: \`--env\` is \`${raw}\`: expected \`KEY=VALUE\`, such as \`TPS=50\``);
  return { name: raw.slice(0, equals), value: raw.slice(equals + 1) };
}

function secretEnv(raw: string): SecretEnv {
  const match = /^([^:=]+):([^=]+)=(.+)$/.exec(raw);
  if (match === null) {
    throw new CliError(`k8s: \`--secret\` is \`${raw}\`: expected \`NAME:KEY=ENVVAR\` (the Secret, its key, the variable k6 reads), such as \`k6-auth:token=AUTH_TOKEN\``);
  }
  return { secret: match[1] as string, key: match[2] as string, env: match[3] as string };
}

function parallelism(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > MAX_PARALLELISM) {
    throw new CliError(`k8s: \`--parallelism\` is \`${raw}\`: expected an integer from 1 to ${MAX_PARALLELISM}`);
  }
  return value;
}

function required(value: string | undefined, flag: string, expected: string): string {
  if (value === undefined) throw new CliError(`k8s: \`${flag}\` is not set: expected ${expected}`);
  return value;
}

function outDir(out: string | undefined, name: string): string {
  return out === undefined ? path.join(repoRoot, 'k8s', name) : path.resolve(out);
}

type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly multiple?: boolean; readonly short?: string }>>;

/** The shared flag parser (scripts/lib/flags.ts); this command's help is written by hand, per scenario list. */
function parseFlags<T extends FlagSpec>(command: string, args: readonly string[], options: T) {
  const flags = Object.fromEntries(Object.entries(options).map(([name, flag]) => [name, { ...flag, help: '' }])) as { [K in keyof T]: T[K] & { help: string } };
  return parseSharedFlags(args, flags, {
    command: `k8s ${command}`,
    note: `\`npm run k8s -- ${command} --help\` lists the options`,
    error: (message, note) => new CliError(message, { note }),
  }).values;
}

// --- running -------------------------------------------------------------------------------------

/**
 * Bundles the one scenario into a private temporary folder (dist/ may be in use) and returns its text,
 * without a source map: the inline map would be four fifths of the ConfigMap and carry paths of this
 * machine (relative to the temporary folder). A k6 stack trace then names lines of the bundle, which
 * is unminified and marks each module with a `// lib/….ts` comment.
 */
export async function bundle(scenario: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k6-capacity-k8s-'));
  try {
    await buildScenarios(dir, { sourceMap: false });
    return readFileSync(path.join(dir, `${scenario}.js`), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The commands that run the written files, in order, for a shell in the current folder (where
 * `npm run` runs). `files` are the written paths by file name.
 */
export function runCommands(command: Exclude<Command, { kind: 'help' }>, files: ReadonlyMap<string, string>): string[] {
  const { name, namespace } = command.options;
  const ns = `-n ${namespace}`;
  const file = (fileName: string): string => shellQuote(path.relative(process.cwd(), files.get(fileName) ?? fileName) || '.');
  const apply = (...names: string[]): string => `kubectl apply --server-side ${ns} ${names.map((n) => `-f ${file(n)}`).join(' ')}`;
  const timeout = runTimeoutSeconds(command.options);
  const timeoutFlag = `--timeout=${timeout === null ? '24h' : `${timeout}s`}`;
  const runsDir = shellQuote(path.join('runs', name));
  const lines = [
    `# server-side apply: a large script would overflow the client-side last-applied annotation (256 KiB)`,
    apply(...['configmap.yaml', 'results-pvc.yaml'].filter((n) => files.has(n))),
  ];
  if (command.kind === 'testrun') {
    lines.push(
      `kubectl delete testrun/${name} ${ns} --ignore-not-found`,
      apply('testrun.yaml'),
      `# a TestRun in stage \`error\` (see \`kubectl describe testrun/${name} ${ns}\`) never finishes: this wait then runs out`,
      command.options.cleanup === true
        ? `kubectl wait testrun/${name} ${ns} --for=delete ${timeoutFlag}`
        : `kubectl wait testrun/${name} ${ns} --for=jsonpath='{.status.stage}'=finished ${timeoutFlag}`,
    );
  } else {
    lines.push(
      `kubectl delete job/${name} ${ns} --ignore-not-found`,
      apply('job.yaml'),
      `# a run whose SLO thresholds fail (k6 exit 99) ends as Failed, not complete: this wait then runs out; the outputs are there all the same`,
      `kubectl wait job/${name} ${ns} --for=condition=complete ${timeoutFlag}`,
    );
  }
  lines.push(
    apply('collector.yaml'),
    `kubectl wait pod/${name}-collector ${ns} --for=condition=Ready --timeout=300s`,
    `kubectl cp ${ns} ${name}-collector:${RESULTS_DIR}/${name} ${runsDir}`,
    `kubectl delete pod/${name}-collector ${ns}`,
    `npm run analyze -- ${runsDir}`,
  );
  if (command.kind === 'job' && files.has('cronjob.yaml')) {
    lines.push(
      `# on the schedule instead: each run writes ${RESULTS_DIR}/${name}/${name}-<minutes>-….json.gz; collect and analyse them as above`,
      apply('cronjob.yaml'),
    );
  }
  return lines;
}

export async function main(argv: readonly string[]): Promise<void> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    process.stdout.write(command.text);
    return;
  }
  const script = await bundle(command.options.scenario);
  const files = command.kind === 'testrun' ? testRunFiles(testRunManifests({ ...command.options, script })) : jobFiles(jobManifests({ ...command.options, script }));

  mkdirSync(command.out, { recursive: true });
  const written = new Map<string, string>();
  for (const [fileName, manifest] of files) {
    const target = path.join(command.out, fileName);
    writeFileSync(target, renderYaml(manifest));
    written.set(fileName, target);
  }
  // Files of an earlier call that this one did not write (no claim, no schedule, the other command)
  // would be applied by `kubectl apply -f <folder>`.
  for (const fileName of MANIFEST_FILES) if (!written.has(fileName)) rmSync(path.join(command.out, fileName), { force: true });

  for (const target of written.values()) process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
  process.stdout.write(`\nThen, in this order (the collector sleeps ${COLLECTOR_SECONDS} s at most):\n\n`);
  for (const line of runCommands(command, written)) process.stdout.write(`${line}\n`);
}

/** Quotes for a POSIX shell when needed; names are RFC 1123 labels, paths may be anything. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

if (isMain(import.meta.url)) main(process.argv.slice(2)).catch(fail);
