/**
 * Kubernetes manifests for in-cluster runs, as plain objects: a k6-operator `TestRun` (N runners sharing
 * the load) or a batch/v1 `Job` and `CronJob` (one runner), each with the bundled script in a ConfigMap,
 * a ReadWriteMany claim every runner writes its own k6 output and summary to, and a collector pod that
 * mounts the claim so `kubectl cp` can fetch the outputs. The builders are pure; `renderYaml` writes
 * what kubectl reads. The command line is scripts/k8s.ts.
 *
 * Every runner tags its samples with the same `run_id` (the run's name), so `npm run analyze` merges
 * the runners' outputs into one run with exact percentiles.
 */
import { stringify } from 'yaml';
import { urlField } from '../../lib/config.ts';
import { ScenarioError } from '../../lib/errors.ts';
import { planScenario, type Plan } from '../../lib/plan.ts';
import { SCENARIOS } from '../../lib/scenarios.ts';
import { totalSeconds } from '../../lib/schedule.ts';
import { CliError } from './cli.ts';
import { K6_VERSION } from './k6.ts';

/** Pinned like the k6 the project builds locally, so in-cluster and local runs use the same k6. */
export const DEFAULT_K6_IMAGE = `grafana/k6:${K6_VERSION}`;
/** Has `sleep` and the `tar` that `kubectl cp` runs in the container. */
export const COLLECTOR_IMAGE = 'busybox:1.37.0';
/**
 * The k6 user of the grafana/k6 image (its Dockerfile: `adduser -D -u 12345 -g 12345 k6`, `USER k6`).
 * The image names its user, so `runAsNonRoot` needs the number; as `fsGroup` it makes the claim
 * writable for k6 on storage that supports ownership management.
 */
export const K6_UID = 12345;
/** A ConfigMap holds at most 1 MiB of data (Kubernetes `MaxSecretSize`, also used for ConfigMaps). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
export const MAX_PARALLELISM = 1000;
/**
 * The operator names a runner's Service `<name>-service-<i>`: up to 13 more characters at
 * parallelism 1000, within Kubernetes' 63.
 */
export const TESTRUN_NAME_MAX = 50;
/** Kubernetes limits CronJob names to 52 characters: its Jobs append `-<minutes since epoch>`. */
export const JOB_NAME_MAX = 52;
export const DEFAULT_RESULTS_CLAIM = 'k6-results';
export const DEFAULT_RESULTS_STORAGE = '1Gi';
export const DEFAULT_RUNNER_CPU = '1';
export const DEFAULT_RUNNER_MEMORY = '1Gi';
/** Where the results claim is seen in every pod; a run writes to `<RESULTS_DIR>/<name>/`. */
export const RESULTS_DIR = '/results';
/** Where the Job mounts the script ConfigMap (the operator mounts its own at /test). */
export const JOB_SCRIPT_DIR = '/scripts';
/**
 * Added to the scenario's planned length for waits and deadlines: image pulls, the operator's
 * initializer and starter, k6's 30 s graceful stop and handleSummary.
 */
export const START_MARGIN_SECONDS = 600;
/** Bounded, so a forgotten collector goes away by itself; copying takes minutes at most. */
export const COLLECTOR_SECONDS = 3600;
/** A finished Job (and its pod's logs) stays a day; the outputs stay on the claim. */
export const JOB_TTL_SECONDS = 86_400;

/** Set by the builders; `--env` may not set them. */
export const RESERVED_ENV = ['POD_NAME', 'JOB_NAME', 'RUN_ID', 'BASE_URL', 'TARGET', 'SUMMARY_PATH'] as const;
const SECRET_LIKE = /TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|AUTH|CREDENTIAL/i;
/** k6's rule for `-e KEY=VALUE` names (k6-facts §9). */
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kubernetes Secret data keys. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** lib/plan.ts's rule for the `target` tag. */
const TARGET_TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CPU_QUANTITY = /^(\d+(\.\d+)?|\.\d+)m?$/;
const BYTES_QUANTITY = /^(\d+(\.\d+)?|\.\d+)(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

// --- the objects ----------------------------------------------------------------------------------

export type Labels = Readonly<Record<string, string>>;

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?:
    | { readonly fieldRef: { readonly fieldPath: string } }
    | { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

export interface ResourceRequirements {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

export interface Volume {
  readonly name: string;
  readonly persistentVolumeClaim?: { readonly claimName: string; readonly readOnly?: boolean };
  readonly configMap?: { readonly name: string };
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly readOnly?: boolean;
}

export interface PodSecurityContext {
  readonly runAsNonRoot: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup?: number;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

export interface ContainerSecurityContext {
  readonly allowPrivilegeEscalation: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly capabilities: { readonly drop: readonly string[] };
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly resources: ResourceRequirements;
  readonly securityContext: ContainerSecurityContext;
  readonly volumeMounts: readonly VolumeMount[];
}

export interface PodSpec {
  readonly restartPolicy: 'Never';
  readonly automountServiceAccountToken: boolean;
  readonly securityContext: PodSecurityContext;
  readonly containers: readonly Container[];
  readonly volumes: readonly Volume[];
}

export interface ConfigMap {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  readonly data: Readonly<Record<string, string>>;
}

export interface PersistentVolumeClaim {
  readonly apiVersion: 'v1';
  readonly kind: 'PersistentVolumeClaim';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly accessModes: readonly ['ReadWriteMany'];
    readonly storageClassName?: string;
    readonly resources: { readonly requests: { readonly storage: string } };
  };
}

/** k6-operator's `TestRun` (api/v1alpha1/testrun_types.go), the fields this tool sets. */
export interface TestRun {
  readonly apiVersion: 'k6.io/v1alpha1';
  readonly kind: 'TestRun';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parallelism: number;
    readonly script: { readonly configMap: { readonly name: string; readonly file: string } };
    readonly separate: boolean;
    readonly cleanup?: 'post';
    readonly args: readonly string[];
    readonly runner: {
      readonly image: string;
      readonly metadata: { readonly labels: Labels };
      readonly env: readonly EnvVar[];
      readonly resources: ResourceRequirements;
      readonly securityContext: PodSecurityContext;
      readonly containerSecurityContext: ContainerSecurityContext;
      readonly volumes: readonly Volume[];
      readonly volumeMounts: readonly VolumeMount[];
    };
  };
}

export interface JobSpec {
  readonly backoffLimit: 0;
  readonly ttlSecondsAfterFinished: number;
  readonly activeDeadlineSeconds?: number;
  readonly template: { readonly metadata: { readonly labels: Labels }; readonly spec: PodSpec };
}

export interface Job {
  readonly apiVersion: 'batch/v1';
  readonly kind: 'Job';
  readonly metadata: ObjectMeta;
  readonly spec: JobSpec;
}

export interface CronJob {
  readonly apiVersion: 'batch/v1';
  readonly kind: 'CronJob';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly schedule: string;
    readonly concurrencyPolicy: 'Forbid';
    readonly jobTemplate: { readonly metadata: { readonly labels: Labels }; readonly spec: JobSpec };
  };
}

export interface Pod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: ObjectMeta;
  readonly spec: PodSpec;
}

export type Manifest = ConfigMap | PersistentVolumeClaim | TestRun | Job | CronJob | Pod;

// --- options --------------------------------------------------------------------------------------

export interface EnvValue {
  readonly name: string;
  readonly value: string;
}

/** `--secret NAME:KEY=ENVVAR`: variable `env` from key `key` of Secret `secret`. */
export interface SecretEnv {
  readonly secret: string;
  readonly key: string;
  readonly env: string;
}

/** The claim the runners write to: created by this tool (results-pvc.yaml) or one that exists. */
export type ResultsClaim =
  | { readonly create: true; readonly claim: string; readonly storage: string; readonly storageClass?: string }
  | { readonly create: false; readonly claim: string };

export interface RunOptions {
  /** The run: names the TestRun or Job, the results folder and the `run_id` tag. */
  readonly name: string;
  readonly namespace: string;
  /** The bundle: `scenarios/<scenario>.ts` → `<scenario>.js`. */
  readonly scenario: string;
  /** The service under test, as the runner pods reach it. */
  readonly baseUrl: string;
  /** The `target` tag; without it lib/ tags host:port of `baseUrl`. */
  readonly target?: string;
  /** Scenario variables, in order. Values are written in plain text, so secret-looking keys are refused. */
  readonly env?: readonly EnvValue[];
  readonly secrets?: readonly SecretEnv[];
  readonly runnerCpu?: string;
  readonly runnerMemory?: string;
  readonly image?: string;
  readonly results?: ResultsClaim;
}

export interface TestRunOptions extends RunOptions {
  readonly parallelism: number;
  readonly separate?: boolean;
  readonly cleanup?: boolean;
}

export interface JobOptions extends RunOptions {
  /** Five cron fields; with it, a CronJob is built as well. */
  readonly schedule?: string;
}

/** The bundled script travels beside the options: checking the options needs no bundle. */
export interface Bundled {
  /** The bundled k6 script (`<scenario>.js`). */
  readonly script: string;
}

export interface TestRunManifests {
  readonly configMap: ConfigMap;
  /** `null` when the claim exists already. */
  readonly pvc: PersistentVolumeClaim | null;
  readonly testRun: TestRun;
  readonly collector: Pod;
}

export interface JobManifests {
  readonly configMap: ConfigMap;
  readonly pvc: PersistentVolumeClaim | null;
  readonly job: Job;
  /** `null` without a schedule. */
  readonly cronJob: CronJob | null;
  readonly collector: Pod;
}

// --- builders -------------------------------------------------------------------------------------

/**
 * A k6-operator TestRun with `parallelism` runners. Each runner runs
 * `k6 run … <args> /test/<scenario>.js …` (the operator adds execution segments and `--tag instance_id=<i>`)
 * and writes `/results/<name>/<pod>.json.gz` and `<pod>-summary.json`, all tagged `run_id=<name>`.
 */
export function testRunManifests(options: TestRunOptions & Bundled): TestRunManifests {
  checkTestRunOptions(options);
  const { name, namespace, scenario, parallelism, separate = false, cleanup = false } = options;
  const common = commonParts(options, 'testrun');
  const testRun: TestRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name, namespace, labels: labels(name, 'testrun') },
    spec: {
      parallelism,
      script: { configMap: { name: common.configMap.metadata.name, file: `${scenario}.js` } },
      separate,
      ...(cleanup ? { cleanup: 'post' as const } : {}),
      // `--out` and its value as two words: the operator's initializer runs `k6 archive` with these
      // arguments, and archive has no --out; the operator drops `--out <value>` for it
      // (pkg/types/k6cli.go, `ParseCLI`) but would pass `--out=<value>` through and fail.
      args: ['--out', `json=${outputFile(name)}`],
      runner: {
        image: common.image,
        metadata: { labels: labels(name, 'runner') },
        env: common.env,
        resources: common.resources,
        securityContext: runnerPodSecurity(),
        containerSecurityContext: containerSecurity(),
        volumes: [common.resultsVolume],
        volumeMounts: [common.resultsMount],
      },
    },
  };
  return { configMap: common.configMap, pvc: common.pvc, testRun, collector: common.collector };
}

/**
 * One runner as a batch/v1 Job, and with `schedule` a CronJob with the same pod template. The run id
 * is the Job's name: `<name>` for the Job, `<name>-<minutes>` for each scheduled run, so scheduled
 * runs stay apart in the analysis.
 */
export function jobManifests(options: JobOptions & Bundled): JobManifests {
  checkJobOptions(options);
  const { name, namespace, scenario, schedule } = options;
  const common = commonParts(options, 'job');
  const seconds = runTimeoutSeconds(options);
  const jobSpec: JobSpec = {
    backoffLimit: 0,
    ttlSecondsAfterFinished: JOB_TTL_SECONDS,
    ...(seconds === null ? {} : { activeDeadlineSeconds: seconds }),
    template: {
      metadata: { labels: labels(name, 'runner') },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        securityContext: runnerPodSecurity(),
        containers: [
          {
            name: 'k6',
            image: common.image,
            // An argv, not a shell string: Kubernetes expands $(POD_NAME) itself.
            command: ['k6', 'run', '--out', `json=${outputFile(name)}`, `${JOB_SCRIPT_DIR}/${scenario}.js`],
            env: common.env,
            resources: common.resources,
            securityContext: containerSecurity(),
            volumeMounts: [{ name: 'script', mountPath: JOB_SCRIPT_DIR, readOnly: true }, common.resultsMount],
          },
        ],
        volumes: [{ name: 'script', configMap: { name: common.configMap.metadata.name } }, common.resultsVolume],
      },
    },
  };
  const job: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace, labels: labels(name, 'job') }, spec: jobSpec };
  const cronJob: CronJob | null =
    schedule === undefined
      ? null
      : {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name, namespace, labels: labels(name, 'cronjob') },
          spec: { schedule, concurrencyPolicy: 'Forbid', jobTemplate: { metadata: { labels: labels(name, 'job') }, spec: jobSpec } },
        };
  return { configMap: common.configMap, pvc: common.pvc, job, cronJob, collector: common.collector };
}

/** The files to write, in the order they are applied. */
export function testRunFiles(manifests: TestRunManifests): [file: string, manifest: Manifest][] {
  return withoutNull([
    ['configmap.yaml', manifests.configMap],
    ['results-pvc.yaml', manifests.pvc],
    ['testrun.yaml', manifests.testRun],
    ['collector.yaml', manifests.collector],
  ]);
}

export function jobFiles(manifests: JobManifests): [file: string, manifest: Manifest][] {
  return withoutNull([
    ['configmap.yaml', manifests.configMap],
    ['results-pvc.yaml', manifests.pvc],
    ['job.yaml', manifests.job],
    ['cronjob.yaml', manifests.cronJob],
    ['collector.yaml', manifests.collector],
  ]);
}

/** Every file name the builders may write, so a folder can be cleared of files from an earlier call. */
export const MANIFEST_FILES = ['configmap.yaml', 'results-pvc.yaml', 'testrun.yaml', 'job.yaml', 'cronjob.yaml', 'collector.yaml'] as const;

/**
 * YAML for kubectl. kubectl reads YAML 1.1, where unquoted `on`, `yes`, `0777` or `1:20` are not
 * strings: writing with the 1.1 rules quotes them, so every value stays the string it is. Long lines
 * (a script may have some) are never folded.
 */
export function renderYaml(manifest: Manifest): string {
  return stringify(manifest, { version: '1.1', lineWidth: 0, blockQuote: 'literal' });
}

/**
 * The wait and deadline for a run: the scenario's planned length (from lib/, with the given `--env`
 * values) plus `START_MARGIN_SECONDS`; `null` for a scenario lib/ does not define.
 */
export function runTimeoutSeconds(options: RunOptions): number | null {
  const plan = scenarioPlan(options);
  return plan === null ? null : Math.ceil(totalSeconds(plan.schedule)) + START_MARGIN_SECONDS;
}

/**
 * The most VUs the run may use, as k6 (and the operator's `k6 inspect`) will see it: `MAX_VUS`, or
 * the default lib/executors.ts `vuSizing` derives from the rate; `null` for a scenario lib/ does not define.
 */
export function maxVus(options: RunOptions): number | null {
  return scenarioPlan(options)?.run.vus.max ?? null;
}

/** The plan lib/ makes from the given `--env` values, the one k6 will run; `null` for a scenario lib/ does not define. */
function scenarioPlan(options: RunOptions): Plan | null {
  const definition = (SCENARIOS as Record<string, (typeof SCENARIOS)[keyof typeof SCENARIOS] | undefined>)[options.scenario];
  if (definition === undefined) return null;
  const env: Record<string, string> = { BASE_URL: options.baseUrl, RUN_ID: options.name };
  if (options.target !== undefined) env.TARGET = options.target;
  for (const { name, value } of options.env ?? []) env[name] = value;
  try {
    return planScenario(definition() as Parameters<typeof planScenario>[0], env, { now: new Date(0), random: 0 });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    throw new CliError(
      error.message
        .split('\n')
        .map((line) => `k8s: ${line}`)
        .join('\n'),
      { note: 'fix the `--env` values: k6 would stop with exit code 108 before sending anything' },
    );
  }
}

// --- checks ---------------------------------------------------------------------------------------

/** Throws `CliError` for the first problem, in the order of the flags. */
export function checkTestRunOptions(options: TestRunOptions): void {
  checkName(options.name, TESTRUN_NAME_MAX, 'the operator derives names such as `<name>-service-<i>` (up to 13 more characters) and Kubernetes allows 63');
  const { parallelism } = options;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > MAX_PARALLELISM) {
    throw new CliError(`k8s: \`--parallelism\` is \`${parallelism}\`: expected an integer from 1 to ${MAX_PARALLELISM}`);
  }
  checkRunOptions(options);
  // After the variables: the ceiling follows from them.
  checkParallelismFitsVus(options);
}

export function checkJobOptions(options: JobOptions): void {
  checkName(options.name, JOB_NAME_MAX, 'a CronJob name may have 52 characters at most (its Jobs append `-<minutes>`)');
  checkRunOptions(options);
  if (options.schedule !== undefined) checkSchedule(options.schedule);
}

/**
 * Every runner needs a VU of its own: the operator's initializer runs `k6 inspect` and, when the
 * script's maximum VUs are fewer than `parallelism`, ends the TestRun in stage `error` ("number of
 * instances > number of VUs", internal/controller/k6_initialize.go) without starting a runner.
 */
function checkParallelismFitsVus(options: TestRunOptions): void {
  const max = maxVus(options);
  if (max === null || options.parallelism <= max) return;
  const raise = options.env?.some(({ name }) => name === 'MAX_VUS')
    ? 'raise `--env MAX_VUS`'
    : `set \`--env MAX_VUS=${options.parallelism}\` (the default is 10 × peak rate × EXPECTED_LATENCY_MS / 1000, at least 20: a higher \`TPS\` raises it)`;
  throw new CliError(`k8s: \`--parallelism\` is \`${options.parallelism}\`: expected at most the scenario's maximum VUs, \`${max}\` (each runner needs one)`, {
    note: `the k6-operator would end the TestRun in stage \`error\` ("number of instances > number of VUs"); lower \`--parallelism\` to ${max}, or ${raise}`,
  });
}

function checkRunOptions(options: RunOptions): void {
  const { scenario, namespace, baseUrl, target, env = [], secrets = [], runnerCpu, runnerMemory, image, results } = options;
  // The CLI offers only scenarios/*.ts; here the name just has to make a ConfigMap key.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(scenario)) {
    throw new CliError(`k8s: \`--scenario\` is \`${scenario}\`: expected the name of a file in scenarios/ without \`.ts\``);
  }
  checkLabel('`--namespace`', namespace);
  checkBaseUrl(baseUrl);
  if (target !== undefined && !TARGET_TAG.test(target)) {
    throw new CliError(`k8s: \`--target\` is \`${target}\`: expected letters, digits, \`.\`, \`_\` or \`-\` (at most 128), starting with a letter or digit`);
  }
  const seen = new Set<string>();
  const once = (variable: string): void => {
    if (seen.has(variable)) {
      throw new CliError(`k8s: variable \`${variable}\` is set more than once: expected one \`--env\` or \`--secret\` per variable`);
    }
    seen.add(variable);
  };
  for (const { name } of env) {
    checkEnvKey(name);
    once(name);
  }
  for (const secret of secrets) {
    checkSecret(secret);
    once(secret.env);
  }
  if (runnerCpu !== undefined && !CPU_QUANTITY.test(runnerCpu)) {
    throw new CliError(`k8s: \`--runner-cpu\` is \`${runnerCpu}\`: expected a Kubernetes CPU quantity such as \`1\`, \`1.5\` or \`500m\``);
  }
  if (runnerMemory !== undefined && !BYTES_QUANTITY.test(runnerMemory)) {
    throw new CliError(`k8s: \`--runner-memory\` is \`${runnerMemory}\`: expected a Kubernetes memory quantity such as \`512Mi\` or \`2Gi\``);
  }
  if (image !== undefined) checkImage(image);
  if (results !== undefined) {
    checkLabel(results.create ? '`--results-pvc`' : '`--existing-results-pvc`', results.claim);
    if (results.create && !BYTES_QUANTITY.test(results.storage)) {
      throw new CliError(`k8s: \`--results-storage\` is \`${results.storage}\`: expected a Kubernetes storage quantity such as \`1Gi\` or \`500Mi\``);
    }
    if (results.create && results.storageClass !== undefined) checkLabel('`--results-storage-class`', results.storageClass);
  }
  // Runs the scenario's own validation of the variables (lib/), so a typo fails here, not in the cluster.
  runTimeoutSeconds(options);
}

const LABEL_RULE = 'lowercase letters, digits and `-`, starting and ending with a letter or digit';

function checkName(name: string, max: number, why: string): void {
  if (RFC1123_LABEL.test(name) && name.length <= max) return;
  throw new CliError(`k8s: \`--name\` is \`${name}\`: expected an RFC 1123 label of at most ${max} characters (${LABEL_RULE})`, {
    ...(RFC1123_LABEL.test(name) ? { note: why } : {}),
  });
}

function checkLabel(flag: string, value: string): void {
  if (RFC1123_LABEL.test(value) && value.length <= 63) return;
  throw new CliError(`k8s: ${flag} is \`${value}\`: expected an RFC 1123 label of at most 63 characters (${LABEL_RULE})`);
}

function checkBaseUrl(baseUrl: string): void {
  if (urlField().parse(baseUrl) === undefined) {
    throw new CliError(`k8s: \`--base-url\` is \`${baseUrl}\`: expected an http:// or https:// URL of the service under test, such as \`http://checkout.shop.svc:8080\``);
  }
  const host = /^https?:\/\/(\[[^\]]+\]|[^/:]+)/.exec(baseUrl)?.[1]?.toLowerCase() ?? '';
  if (host === 'localhost' || host.startsWith('127.') || host === '[::1]') {
    throw new CliError(`k8s: \`--base-url\` is \`${baseUrl}\`: expected an address the runner pods can reach`, {
      note: `${host} is the runner pod itself; use the Service's DNS name, such as http://checkout.shop.svc:8080`,
    });
  }
}

function checkEnvKey(key: string): void {
  if (!ENV_KEY.test(key)) {
    throw new CliError(`k8s: \`--env\` key \`${key}\`: expected a name matching \`${ENV_KEY.source}\` (k6's rule for \`__ENV\`)`);
  }
  if ((RESERVED_ENV as readonly string[]).includes(key)) {
    throw new CliError(`k8s: \`--env\` key \`${key}\` is set by this tool`, {
      note: '`RUN_ID`, `POD_NAME`, `JOB_NAME` and `SUMMARY_PATH` follow from `--name` and the pod; `BASE_URL` and `TARGET` come from `--base-url` and `--target`',
    });
  }
  if (SECRET_LIKE.test(key)) {
    // The value is not repeated: it may be the secret.
    throw new CliError(`k8s: \`--env\` key \`${key}\` looks like a secret: its value would be written in plain text into the manifests`, {
      note: `keep it in a Secret and pass \`--secret NAME:KEY=${key}\`, e.g. \`kubectl create secret generic k6-auth --from-literal=token=…\` then \`--secret k6-auth:token=${key}\``,
    });
  }
}

function checkSecret({ secret, key, env }: SecretEnv): void {
  const given = `${secret}:${key}=${env}`;
  if (!RFC1123_LABEL.test(secret) || secret.length > 63) {
    throw new CliError(`k8s: \`--secret\` Secret name \`${secret}\` (in \`${given}\`): expected an RFC 1123 label of at most 63 characters (${LABEL_RULE})`);
  }
  if (!SECRET_KEY.test(key) || key.length > 253) {
    throw new CliError(`k8s: \`--secret\` key \`${key}\` (in \`${given}\`): expected letters, digits, \`-\`, \`_\` or \`.\``);
  }
  if (!ENV_KEY.test(env)) {
    throw new CliError(`k8s: \`--secret\` variable \`${env}\` (in \`${given}\`): expected a name matching \`${ENV_KEY.source}\` (k6's rule for \`__ENV\`)`);
  }
  if ((RESERVED_ENV as readonly string[]).includes(env)) {
    throw new CliError(`k8s: \`--secret\` variable \`${env}\` (in \`${given}\`) is set by this tool`);
  }
}

function checkImage(image: string): void {
  // name[:tag][@sha256:digest]; a registry port (`host:5000/k6`) is a colon before the last `/`.
  const [reference = '', digest] = image.split('@');
  const lastPart = reference.slice(reference.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : undefined;
  const digestOk = digest === undefined || /^sha256:[a-f0-9]{64}$/.test(digest);
  const tagOk = tag === undefined || /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag);
  const pinned = digest !== undefined || (tag !== undefined && tag !== 'latest');
  if (/\s/.test(image) || reference === '' || !digestOk || !tagOk || !pinned) {
    throw new CliError(`k8s: \`--image\` is \`${image}\`: expected an image pinned to a version tag or a digest, such as \`${DEFAULT_K6_IMAGE}\``, {
      note: 'a moving tag (`latest`, or no tag) makes runs irreproducible: nobody could tell which k6 produced the results',
    });
  }
}

function checkSchedule(schedule: string): void {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((field) => /^[0-9A-Za-z*,/?-]+$/.test(field))) {
    throw new CliError(`k8s: \`--schedule\` is \`${schedule}\`: expected 5 cron fields (minute hour day-of-month month day-of-week), such as \`0 3 * * *\``);
  }
}

function checkScriptSize(scenario: string, script: string): void {
  const bytes = Buffer.byteLength(script, 'utf8');
  if (bytes <= CONFIGMAP_MAX_BYTES) return;
  throw new CliError(`k8s: the bundled \`${scenario}.js\` is ${bytes} bytes: expected at most ${CONFIGMAP_MAX_BYTES} (1 MiB), the most a ConfigMap holds`, {
    note: 'k6-operator can also read a script from a PersistentVolumeClaim (spec.script.volumeClaim); this tool writes ConfigMaps only',
  });
}

// --- shared parts ---------------------------------------------------------------------------------

function commonParts(options: RunOptions & Bundled, kind: 'testrun' | 'job') {
  const { name, namespace, scenario, script, baseUrl, env = [], secrets = [] } = options;
  const { runnerCpu = DEFAULT_RUNNER_CPU, runnerMemory = DEFAULT_RUNNER_MEMORY, image = DEFAULT_K6_IMAGE } = options;
  const { results = { create: true, claim: DEFAULT_RESULTS_CLAIM, storage: DEFAULT_RESULTS_STORAGE } } = options;
  checkScriptSize(scenario, script);

  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-script`, namespace, labels: labels(name, 'script') },
    data: { [`${scenario}.js`]: script },
  };
  const pvc: PersistentVolumeClaim | null = results.create
    ? {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        // Shared by runs (each writes its own folder), so it carries no run's name.
        metadata: { name: results.claim, namespace, labels: { 'app.kubernetes.io/part-of': 'k6-capacity', 'app.kubernetes.io/component': 'results' } },
        spec: {
          accessModes: ['ReadWriteMany'],
          ...(results.storageClass === undefined ? {} : { storageClassName: results.storageClass }),
          resources: { requests: { storage: results.storage } },
        },
      }
    : null;

  // Order matters: Kubernetes expands $(VAR) only from variables defined before it in the list.
  const runEnv: EnvVar[] =
    kind === 'testrun'
      ? [fieldEnv('POD_NAME', 'metadata.name'), { name: 'RUN_ID', value: name }]
      : [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('JOB_NAME', "metadata.labels['batch.kubernetes.io/job-name']"), { name: 'RUN_ID', value: '$(JOB_NAME)' }];
  const envVars: EnvVar[] = [
    ...runEnv,
    { name: 'BASE_URL', value: baseUrl },
    // Without --target, lib/ tags host:port of BASE_URL, like local runs; TARGET itself allows no `:`.
    ...(options.target === undefined ? [] : [{ name: 'TARGET', value: options.target }]),
    { name: 'SUMMARY_PATH', value: `${RESULTS_DIR}/${name}/$(POD_NAME)-summary.json` },
    ...env.map(({ name: key, value }) => ({ name: key, value })),
    ...secrets.map(({ secret, key, env: variable }) => ({ name: variable, valueFrom: { secretKeyRef: { name: secret, key } } })),
  ];

  const resultsVolume: Volume = { name: 'results', persistentVolumeClaim: { claimName: results.claim } };
  // The run's folder as a subPath: the kubelet creates it if missing (k6 creates no folders, and
  // handleSummary needs SUMMARY_PATH's folder to exist), so no init container or shell is needed.
  const resultsMount: VolumeMount = { name: 'results', mountPath: `${RESULTS_DIR}/${name}`, subPath: name };

  const collector: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${name}-collector`, namespace, labels: labels(name, 'collector') },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      // The k6 user: it can read whatever the runners wrote.
      securityContext: { runAsNonRoot: true, runAsUser: K6_UID, runAsGroup: K6_UID, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'collector',
          image: COLLECTOR_IMAGE,
          command: ['sleep', String(COLLECTOR_SECONDS)],
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
          securityContext: { ...containerSecurity(), readOnlyRootFilesystem: true },
          volumeMounts: [{ name: 'results', mountPath: RESULTS_DIR, readOnly: true }],
        },
      ],
      volumes: [{ name: 'results', persistentVolumeClaim: { claimName: results.claim, readOnly: true } }],
    },
  };

  return {
    configMap,
    pvc,
    image,
    env: envVars,
    resources: { requests: { cpu: runnerCpu, memory: runnerMemory }, limits: { cpu: runnerCpu, memory: runnerMemory } },
    resultsVolume,
    resultsMount,
    collector,
  };
}

/** Each runner's own gzip NDJSON file, named after its pod. */
function outputFile(name: string): string {
  return `${RESULTS_DIR}/${name}/$(POD_NAME).json.gz`;
}

function fieldEnv(name: string, fieldPath: string): EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

function labels(name: string, component: string): Labels {
  return { 'app.kubernetes.io/part-of': 'k6-capacity', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': component };
}

function runnerPodSecurity(): PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: K6_UID, runAsGroup: K6_UID, fsGroup: K6_UID, seccompProfile: { type: 'RuntimeDefault' } };
}

function containerSecurity(): ContainerSecurityContext {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
}

function withoutNull(entries: [string, Manifest | null][]): [string, Manifest][] {
  return entries.filter((entry): entry is [string, Manifest] => entry[1] !== null);
}
