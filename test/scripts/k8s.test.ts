/**
 * `npm run k8s`: the manifest builders, pure and tested directly, and the command line, run as users
 * run it with its YAML parsed back. Field names are k6-operator's (api/v1alpha1/testrun_types.go,
 * k6-facts §8) and Kubernetes' own.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundle, knownScenarios, parseCommand, runCommands } from '../../scripts/k8s.ts';
import { CliError, repoRoot } from '../../scripts/lib/cli.ts';
import {
  CONFIGMAP_MAX_BYTES,
  jobFiles,
  jobManifests,
  renderYaml,
  testRunFiles,
  testRunManifests,
  type EnvVar,
  type JobOptions,
  type TestRunOptions,
} from '../../scripts/lib/k8s-manifests.ts';
import { K6_VERSION } from '../../scripts/lib/k6.ts';

const execFileAsync = promisify(execFile);

const SCRIPT = 'export default function () {}\n';
const BASE = {
  name: 'checkout-1',
  namespace: 'shop',
  scenario: 'constant',
  baseUrl: 'http://checkout.shop.svc:8080',
  script: SCRIPT,
} as const;

const TESTRUN: TestRunOptions & { script: string } = {
  ...BASE,
  parallelism: 4,
  env: [
    { name: 'TPS', value: '200' },
    { name: 'DURATION', value: '10m' },
  ],
  secrets: [{ secret: 'k6-auth', key: 'token', env: 'AUTH_TOKEN' }],
  runnerCpu: '2',
  runnerMemory: '2Gi',
};

const RUNNER_POD_SECURITY = { runAsNonRoot: true, runAsUser: 12345, runAsGroup: 12345, fsGroup: 12345, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const labels = (component: string) => ({ 'app.kubernetes.io/part-of': 'k6-capacity', 'app.kubernetes.io/instance': 'checkout-1', 'app.kubernetes.io/component': component });

/** Throws unless `run` throws a CliError; returns its message and note. */
function cliError(run: () => unknown): { message: string; note: string | undefined } {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return { message: error.message, note: error.note };
    throw error;
  }
  throw new Error('expected a CliError');
}

/** Names of `$(VAR)` references in a string. */
function references(text: string): string[] {
  return [...text.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((match) => match[1] as string);
}

/** Kubernetes expands `$(VAR)` only from variables defined before it: every reference must be. */
function expectReferencesDefinedEarlier(env: readonly EnvVar[], argv: readonly string[]): void {
  const names = env.map((variable) => variable.name);
  env.forEach((variable, index) => {
    for (const ref of references(variable.value ?? '')) expect(names.slice(0, index), `${variable.name} refers to ${ref}`).toContain(ref);
  });
  for (const word of argv) for (const ref of references(word)) expect(names).toContain(ref);
}

// --- TestRun -------------------------------------------------------------------------------------

describe('testRunManifests', () => {
  it('builds a k6-operator TestRun with the CRD field names', () => {
    const { testRun } = testRunManifests(TESTRUN);
    expect(testRun).toEqual({
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name: 'checkout-1', namespace: 'shop', labels: labels('testrun') },
      spec: {
        parallelism: 4,
        script: { configMap: { name: 'checkout-1-script', file: 'constant.js' } },
        separate: false,
        args: ['--out', 'json=/results/checkout-1/$(POD_NAME).json.gz'],
        runner: {
          image: `grafana/k6:${K6_VERSION}`,
          metadata: { labels: labels('runner') },
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'RUN_ID', value: 'checkout-1' },
            { name: 'BASE_URL', value: 'http://checkout.shop.svc:8080' },
            { name: 'SUMMARY_PATH', value: '/results/checkout-1/$(POD_NAME)-summary.json' },
            { name: 'TPS', value: '200' },
            { name: 'DURATION', value: '10m' },
            { name: 'AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'k6-auth', key: 'token' } } },
          ],
          resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
          securityContext: RUNNER_POD_SECURITY,
          containerSecurityContext: CONTAINER_SECURITY,
          volumes: [{ name: 'results', persistentVolumeClaim: { claimName: 'k6-results' } }],
          volumeMounts: [{ name: 'results', mountPath: '/results/checkout-1', subPath: 'checkout-1' }],
        },
      },
    });
  });

  it('puts POD_NAME before every value and argument that refers to it', () => {
    const { testRun } = testRunManifests(TESTRUN);
    expect(testRun.spec.runner.env[0]?.name).toBe('POD_NAME');
    expectReferencesDefinedEarlier(testRun.spec.runner.env, testRun.spec.args);
    expect(references(testRun.spec.args.join(' '))).toEqual(['POD_NAME']);
  });

  it('passes `--out` and its value as two words, which the operator keeps out of `k6 archive`', () => {
    expect(testRunManifests(TESTRUN).testRun.spec.args).toEqual(['--out', 'json=/results/checkout-1/$(POD_NAME).json.gz']);
  });

  it('holds secrets only as secretKeyRef, never as values', () => {
    const { testRun } = testRunManifests({ ...TESTRUN, secrets: [...(TESTRUN.secrets ?? []), { secret: 'db', key: 'pass.word', env: 'DB_PASSWORD' }] });
    const secretVars = testRun.spec.runner.env.filter((variable) => ['AUTH_TOKEN', 'DB_PASSWORD'].includes(variable.name));
    expect(secretVars).toEqual([
      { name: 'AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'k6-auth', key: 'token' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'pass.word' } } },
    ]);
    for (const variable of secretVars) expect(variable).not.toHaveProperty('value');
  });

  it('stores exactly the bundled script in the ConfigMap', () => {
    const script = 'import http from "k6/http";\n// ü, 😀 and a trailing space \nexport default function () { http.get(__ENV.BASE_URL); }\n';
    const { configMap } = testRunManifests({ ...TESTRUN, script });
    expect(configMap).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'checkout-1-script', namespace: 'shop', labels: labels('script') },
      data: { 'constant.js': script },
    });
  });

  it('creates a ReadWriteMany claim, by default `k6-results` of 1Gi', () => {
    expect(testRunManifests(TESTRUN).pvc).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'k6-results', namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'k6-capacity', 'app.kubernetes.io/component': 'results' } },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    });
    const custom = testRunManifests({ ...TESTRUN, results: { create: true, claim: 'perf-out', storage: '20Gi', storageClass: 'nfs-client' } });
    expect(custom.pvc?.metadata.name).toBe('perf-out');
    expect(custom.pvc?.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs-client', resources: { requests: { storage: '20Gi' } } });
    expect(custom.testRun.spec.runner.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'perf-out' } }]);
  });

  it('mounts an existing claim without creating one', () => {
    const manifests = testRunManifests({ ...TESTRUN, results: { create: false, claim: 'shared-nfs' } });
    expect(manifests.pvc).toBeNull();
    expect(manifests.testRun.spec.runner.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'shared-nfs' } }]);
    expect(manifests.collector.spec.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'shared-nfs', readOnly: true } }]);
    expect(testRunFiles(manifests).map(([file]) => file)).toEqual(['configmap.yaml', 'testrun.yaml', 'collector.yaml']);
  });

  it.each([
    [{}, { separate: false }],
    [{ separate: true }, { separate: true }],
    [{ cleanup: true }, { separate: false, cleanup: 'post' }],
    [{ separate: true, cleanup: true }, { separate: true, cleanup: 'post' }],
  ])('sets separate and cleanup from %j', (flags, expected) => {
    const { spec } = testRunManifests({ ...TESTRUN, ...flags }).testRun;
    expect({ separate: spec.separate, ...('cleanup' in spec ? { cleanup: spec.cleanup } : {}) }).toEqual(expected);
  });

  it('uses defaults for image and resources, the given image when pinned', () => {
    const { runner } = testRunManifests({ ...BASE, parallelism: 1 }).testRun.spec;
    expect(runner.image).toBe('grafana/k6:2.2.0');
    expect(runner.resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } });
    const digest = `registry.local:5000/k6@sha256:${'a'.repeat(64)}`;
    expect(testRunManifests({ ...BASE, parallelism: 1, image: digest }).testRun.spec.runner.image).toBe(digest);
  });

  it('sets TARGET only when given: lib/ tags host:port of BASE_URL otherwise, as in local runs', () => {
    const names = (options: TestRunOptions & { script: string }) => testRunManifests(options).testRun.spec.runner.env.map((variable) => variable.name);
    expect(names({ ...BASE, parallelism: 1 })).toEqual(['POD_NAME', 'RUN_ID', 'BASE_URL', 'SUMMARY_PATH']);
    const env = testRunManifests({ ...BASE, parallelism: 1, target: 'checkout' }).testRun.spec.runner.env;
    expect(env.slice(2, 4)).toEqual([
      { name: 'BASE_URL', value: 'http://checkout.shop.svc:8080' },
      { name: 'TARGET', value: 'checkout' },
    ]);
  });

  it('builds a collector that mounts the claim read-only and sleeps a bounded time', () => {
    expect(testRunManifests(TESTRUN).collector).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'checkout-1-collector', namespace: 'shop', labels: labels('collector') },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 12345, runAsGroup: 12345, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'collector',
            image: 'busybox:1.37.0',
            command: ['sleep', '3600'],
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
            securityContext: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: true },
            volumeMounts: [{ name: 'results', mountPath: '/results', readOnly: true }],
          },
        ],
        volumes: [{ name: 'results', persistentVolumeClaim: { claimName: 'k6-results', readOnly: true } }],
      },
    });
  });

  it('does not change its options', () => {
    const options = structuredClone(TESTRUN);
    const frozen = deepFreeze(structuredClone(TESTRUN));
    testRunManifests(frozen);
    expect(frozen).toEqual(options);
  });
});

// --- Job and CronJob -----------------------------------------------------------------------------

describe('jobManifests', () => {
  const JOB: JobOptions & { script: string } = { ...BASE, scenario: 'soak', env: [{ name: 'TPS', value: '50' }, { name: 'DURATION', value: '2h' }] };

  it('builds a one-runner Job whose command is an argv', () => {
    const { job, cronJob } = jobManifests(JOB);
    expect(cronJob).toBeNull();
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'checkout-1', namespace: 'shop', labels: labels('job') },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 86_400,
        // soak: 5m warm-up + 2h, plus 600 s to start and stop
        activeDeadlineSeconds: 300 + 7200 + 600,
        template: {
          metadata: { labels: labels('runner') },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: RUNNER_POD_SECURITY,
            containers: [
              {
                name: 'k6',
                image: 'grafana/k6:2.2.0',
                command: ['k6', 'run', '--out', 'json=/results/checkout-1/$(POD_NAME).json.gz', '/scripts/soak.js'],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } },
                  { name: 'RUN_ID', value: '$(JOB_NAME)' },
                  { name: 'BASE_URL', value: 'http://checkout.shop.svc:8080' },
                  { name: 'SUMMARY_PATH', value: '/results/checkout-1/$(POD_NAME)-summary.json' },
                  { name: 'TPS', value: '50' },
                  { name: 'DURATION', value: '2h' },
                ],
                resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
                securityContext: CONTAINER_SECURITY,
                volumeMounts: [
                  { name: 'script', mountPath: '/scripts', readOnly: true },
                  { name: 'results', mountPath: '/results/checkout-1', subPath: 'checkout-1' },
                ],
              },
            ],
            volumes: [
              { name: 'script', configMap: { name: 'checkout-1-script' } },
              { name: 'results', persistentVolumeClaim: { claimName: 'k6-results' } },
            ],
          },
        },
      },
    });
  });

  it('orders the env so every $(VAR) is defined before it is used', () => {
    const container = jobManifests(JOB).job.spec.template.spec.containers[0];
    expectReferencesDefinedEarlier(container?.env ?? [], container?.command ?? []);
    expect(container?.env?.[0]?.name).toBe('POD_NAME');
  });

  it('builds a CronJob with the same Job spec, the schedule, and no overlapping runs', () => {
    const { job, cronJob } = jobManifests({ ...JOB, schedule: '0 3 * * 1-5' });
    expect(cronJob).toEqual({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'checkout-1', namespace: 'shop', labels: labels('cronjob') },
      spec: { schedule: '0 3 * * 1-5', concurrencyPolicy: 'Forbid', jobTemplate: { metadata: { labels: labels('job') }, spec: job.spec } },
    });
  });

  it('leaves out the deadline for a scenario lib/ does not define', () => {
    expect(jobManifests({ ...JOB, scenario: 'custom', env: [] }).job.spec).not.toHaveProperty('activeDeadlineSeconds');
  });

  it('lists its files in the order they are applied', () => {
    expect(jobFiles(jobManifests({ ...JOB, schedule: '0 3 * * *' })).map(([file]) => file)).toEqual([
      'configmap.yaml',
      'results-pvc.yaml',
      'job.yaml',
      'cronjob.yaml',
      'collector.yaml',
    ]);
  });
});

// --- YAML ----------------------------------------------------------------------------------------

describe('renderYaml', () => {
  it('parses back to the object the builder returned, for every file', () => {
    const files = [
      ...testRunFiles(testRunManifests({ ...TESTRUN, cleanup: true, separate: true })),
      ...jobFiles(jobManifests({ ...BASE, schedule: '*/30 * * * *', results: { create: true, claim: 'out', storage: '5Gi', storageClass: 'nfs' } })),
    ];
    expect(files).toHaveLength(9);
    for (const [, manifest] of files) {
      expect(parse(renderYaml(manifest))).toEqual(manifest);
      expect(parse(renderYaml(manifest), { version: '1.1' })).toEqual(manifest);
    }
  });

  it('quotes what YAML 1.1 (kubectl) would not read as a string', () => {
    const values = ['on', 'yes', 'N', 'off', '0777', '1:20', '10', '1e3', '2026-11-24', 'null', '~', '0x1F'];
    const { testRun } = testRunManifests({ ...TESTRUN, env: values.map((value, i) => ({ name: `V${i}`, value })) });
    const text = renderYaml(testRun);
    for (const value of values) expect(text).toContain(`value: "${value}"`);
    const parsed = parse(text, { version: '1.1' }) as typeof testRun;
    expect(parsed.spec.runner.env.filter((variable) => /^V\d+$/.test(variable.name)).map((variable) => variable.value)).toEqual(values);
  });

  it('writes the script as a literal block, lines unfolded', () => {
    const line = `//# sourceMappingURL=data:application/json;base64,${'A'.repeat(5000)}`;
    const script = `export default function () {}\n${line}\n`;
    const text = renderYaml(testRunManifests({ ...TESTRUN, script }).configMap);
    expect(text).toContain(`  constant.js: |\n    export default function () {}\n    ${line}\n`);
  });
});

// --- checks --------------------------------------------------------------------------------------

describe('checks', () => {
  const LABEL = 'lowercase letters, digits and `-`, starting and ending with a letter or digit';

  it.each<[string, Partial<TestRunOptions>, string, string | undefined]>([
    ['a name with capitals', { name: 'Checkout' }, `k8s: \`--name\` is \`Checkout\`: expected an RFC 1123 label of at most 50 characters (${LABEL})`, undefined],
    ['a name with `_`', { name: 'check_out' }, `k8s: \`--name\` is \`check_out\`: expected an RFC 1123 label of at most 50 characters (${LABEL})`, undefined],
    ['a name ending in `-`', { name: 'checkout-' }, `k8s: \`--name\` is \`checkout-\`: expected an RFC 1123 label of at most 50 characters (${LABEL})`, undefined],
    [
      'a name without room for the operator’s suffixes',
      { name: 'a'.repeat(51) },
      `k8s: \`--name\` is \`${'a'.repeat(51)}\`: expected an RFC 1123 label of at most 50 characters (${LABEL})`,
      'the operator derives names such as `<name>-service-<i>` (up to 13 more characters) and Kubernetes allows 63',
    ],
    ['parallelism 0', { parallelism: 0 }, 'k8s: `--parallelism` is `0`: expected an integer from 1 to 1000', undefined],
    ['parallelism 1001', { parallelism: 1001 }, 'k8s: `--parallelism` is `1001`: expected an integer from 1 to 1000', undefined],
    ['parallelism 2.5', { parallelism: 2.5 }, 'k8s: `--parallelism` is `2.5`: expected an integer from 1 to 1000', undefined],
    ['a namespace with `.`', { namespace: 'shop.prod' }, `k8s: \`--namespace\` is \`shop.prod\`: expected an RFC 1123 label of at most 63 characters (${LABEL})`, undefined],
    [
      'a base URL without scheme',
      { baseUrl: 'checkout:8080' },
      'k8s: `--base-url` is `checkout:8080`: expected an http:// or https:// URL of the service under test, such as `http://checkout.shop.svc:8080`',
      undefined,
    ],
    [
      'a loopback base URL',
      { baseUrl: 'http://127.0.0.1:18080' },
      'k8s: `--base-url` is `http://127.0.0.1:18080`: expected an address the runner pods can reach',
      "127.0.0.1 is the runner pod itself; use the Service's DNS name, such as http://checkout.shop.svc:8080",
    ],
    [
      'a target with `:`',
      { target: 'checkout:8080' },
      'k8s: `--target` is `checkout:8080`: expected letters, digits, `.`, `_` or `-` (at most 128), starting with a letter or digit',
      undefined,
    ],
    [
      'an env key k6 refuses',
      { env: [{ name: '1TPS', value: '5' }] },
      'k8s: `--env` key `1TPS`: expected a name matching `^[A-Za-z_][A-Za-z0-9_]*$` (k6\'s rule for `__ENV`)',
      undefined,
    ],
    ...['AUTH_TOKEN', 'api_key', 'DbPassword', 'SMTP_PASSWD', 'MY_SECRET', 'GIT_CREDENTIALS', 'Authorization'].map(
      (key): [string, Partial<TestRunOptions>, string, string] => [
        `a secret-looking env key ${key}`,
        { env: [{ name: key, value: 'hunter2' }] },
        `k8s: \`--env\` key \`${key}\` looks like a secret: its value would be written in plain text into the manifests`,
        `keep it in a Secret and pass \`--secret NAME:KEY=${key}\`, e.g. \`kubectl create secret generic k6-auth --from-literal=token=…\` then \`--secret k6-auth:token=${key}\``,
      ],
    ),
    ...['RUN_ID', 'POD_NAME', 'SUMMARY_PATH', 'BASE_URL', 'TARGET', 'JOB_NAME'].map((key): [string, Partial<TestRunOptions>, string, string] => [
      `the reserved env key ${key}`,
      { env: [{ name: key, value: 'x' }] },
      `k8s: \`--env\` key \`${key}\` is set by this tool`,
      '`RUN_ID`, `POD_NAME`, `JOB_NAME` and `SUMMARY_PATH` follow from `--name` and the pod; `BASE_URL` and `TARGET` come from `--base-url` and `--target`',
    ]),
    [
      'a variable given twice',
      { env: [{ name: 'TPS', value: '5' }, { name: 'TPS', value: '6' }] },
      'k8s: variable `TPS` is set more than once: expected one `--env` or `--secret` per variable',
      undefined,
    ],
    [
      'a variable from --env and --secret',
      { env: [{ name: 'X_HEADER', value: '5' }], secrets: [{ secret: 's', key: 'k', env: 'X_HEADER' }] },
      'k8s: variable `X_HEADER` is set more than once: expected one `--env` or `--secret` per variable',
      undefined,
    ],
    [
      'a secret name with capitals',
      { secrets: [{ secret: 'K6Auth', key: 'token', env: 'AUTH_TOKEN' }] },
      `k8s: \`--secret\` Secret name \`K6Auth\` (in \`K6Auth:token=AUTH_TOKEN\`): expected an RFC 1123 label of at most 63 characters (${LABEL})`,
      undefined,
    ],
    [
      'a secret key with a space',
      { secrets: [{ secret: 'k6-auth', key: 'my token', env: 'AUTH_TOKEN' }] },
      'k8s: `--secret` key `my token` (in `k6-auth:my token=AUTH_TOKEN`): expected letters, digits, `-`, `_` or `.`',
      undefined,
    ],
    [
      'a secret variable k6 refuses',
      { secrets: [{ secret: 'k6-auth', key: 'token', env: 'AUTH-TOKEN' }] },
      'k8s: `--secret` variable `AUTH-TOKEN` (in `k6-auth:token=AUTH-TOKEN`): expected a name matching `^[A-Za-z_][A-Za-z0-9_]*$` (k6\'s rule for `__ENV`)',
      undefined,
    ],
    [
      'a secret into a reserved variable',
      { secrets: [{ secret: 'k6-auth', key: 'url', env: 'BASE_URL' }] },
      'k8s: `--secret` variable `BASE_URL` (in `k6-auth:url=BASE_URL`) is set by this tool',
      undefined,
    ],
    ['a CPU quantity', { runnerCpu: '2 cores' }, 'k8s: `--runner-cpu` is `2 cores`: expected a Kubernetes CPU quantity such as `1`, `1.5` or `500m`', undefined],
    ['a memory quantity', { runnerMemory: '2GB' }, 'k8s: `--runner-memory` is `2GB`: expected a Kubernetes memory quantity such as `512Mi` or `2Gi`', undefined],
    ...['grafana/k6', 'grafana/k6:latest', 'registry.local:5000/k6', 'grafana/k6@sha256:abc'].map((image): [string, Partial<TestRunOptions>, string, string] => [
      `the unpinned image ${image}`,
      { image },
      `k8s: \`--image\` is \`${image}\`: expected an image pinned to a version tag or a digest, such as \`grafana/k6:2.2.0\``,
      'a moving tag (`latest`, or no tag) makes runs irreproducible: nobody could tell which k6 produced the results',
    ]),
    [
      'a claim name with `_`',
      { results: { create: true, claim: 'k6_results', storage: '1Gi' } },
      `k8s: \`--results-pvc\` is \`k6_results\`: expected an RFC 1123 label of at most 63 characters (${LABEL})`,
      undefined,
    ],
    [
      'an existing claim name with capitals',
      { results: { create: false, claim: 'NFS' } },
      `k8s: \`--existing-results-pvc\` is \`NFS\`: expected an RFC 1123 label of at most 63 characters (${LABEL})`,
      undefined,
    ],
    [
      'a storage quantity',
      { results: { create: true, claim: 'k6-results', storage: 'lots' } },
      'k8s: `--results-storage` is `lots`: expected a Kubernetes storage quantity such as `1Gi` or `500Mi`',
      undefined,
    ],
    [
      'scenario variables lib/ refuses, all at once',
      { env: [{ name: 'TPS', value: 'fast' }, { name: 'DURATION', value: '10' }] },
      'k8s: config: `TPS` is `fast`: expected a number > 0\nk8s: config: `DURATION` is `10`: expected a k6 duration such as `30s`, `5m` or `1h30m` (more than zero)',
      'fix the `--env` values: k6 would stop with exit code 108 before sending anything',
    ],
  ])('testRunManifests refuses %s', (_, change, message, note) => {
    expect(cliError(() => testRunManifests({ ...TESTRUN, ...change }))).toEqual({ message, note });
  });

  it.each<[string, Partial<JobOptions>, string, string | undefined]>([
    [
      'a name too long for a CronJob',
      { name: 'a'.repeat(53) },
      `k8s: \`--name\` is \`${'a'.repeat(53)}\`: expected an RFC 1123 label of at most 52 characters (${LABEL})`,
      'a CronJob name may have 52 characters at most (its Jobs append `-<minutes>`)',
    ],
    ...['0 3 * *', '0 3 * * * *', '@daily', '0 3 * * $(reboot)', ''].map((schedule): [string, Partial<JobOptions>, string, undefined] => [
      `the schedule ${JSON.stringify(schedule)}`,
      { schedule },
      `k8s: \`--schedule\` is \`${schedule}\`: expected 5 cron fields (minute hour day-of-month month day-of-week), such as \`0 3 * * *\``,
      undefined,
    ]),
  ])('jobManifests refuses %s', (_, change, message, note) => {
    expect(cliError(() => jobManifests({ ...BASE, ...change }))).toEqual({ message, note });
  });

  it('accepts a 50-character TestRun name and a 52-character Job name', () => {
    expect(testRunManifests({ ...TESTRUN, name: 'a'.repeat(50) }).testRun.metadata.name).toHaveLength(50);
    expect(jobManifests({ ...BASE, name: 'b'.repeat(52), schedule: '0 3 * * *' }).cronJob?.metadata.name).toHaveLength(52);
  });

  it('refuses a script over the 1 MiB a ConfigMap holds, counted in bytes', () => {
    expect(testRunManifests({ ...TESTRUN, script: 'x'.repeat(CONFIGMAP_MAX_BYTES) }).configMap.data['constant.js']).toHaveLength(CONFIGMAP_MAX_BYTES);
    // 'é' is 2 bytes in UTF-8: half as many characters already overflow by one byte.
    const script = `${'é'.repeat(CONFIGMAP_MAX_BYTES / 2)}x`;
    for (const build of [() => testRunManifests({ ...TESTRUN, script }), () => jobManifests({ ...BASE, script })]) {
      expect(cliError(build)).toEqual({
        message: 'k8s: the bundled `constant.js` is 1048577 bytes: expected at most 1048576 (1 MiB), the most a ConfigMap holds',
        note: 'k6-operator can also read a script from a PersistentVolumeClaim (spec.script.volumeClaim); this tool writes ConfigMaps only',
      });
    }
  });
});

// --- command line: parsing -----------------------------------------------------------------------

describe('parseCommand', () => {
  const SCENARIOS = ['constant', 'ramp', 'soak', 'stress'];
  const REQUIRED = ['--scenario', 'constant', '--name', 'checkout-1', '--namespace', 'shop', '--base-url', 'http://checkout.shop.svc:8080'];

  it('knows the scenarios in scenarios/', () => {
    expect(knownScenarios()).toEqual(SCENARIOS);
  });

  it('turns flags into builder options', () => {
    const command = parseCommand(
      ['testrun', ...REQUIRED, '--parallelism', '4', '--env', 'TPS=200', '--env', 'MIX=predict:1', '--env', 'NOTE=a=b', '--secret', 'k6-auth:token=AUTH_TOKEN', '--separate', '--results-storage-class', 'nfs', '--out', 'x'],
      SCENARIOS,
    );
    expect(command).toEqual({
      kind: 'testrun',
      out: path.resolve('x'),
      options: {
        name: 'checkout-1',
        namespace: 'shop',
        scenario: 'constant',
        baseUrl: 'http://checkout.shop.svc:8080',
        env: [
          { name: 'TPS', value: '200' },
          { name: 'MIX', value: 'predict:1' },
          { name: 'NOTE', value: 'a=b' },
        ],
        secrets: [{ secret: 'k6-auth', key: 'token', env: 'AUTH_TOKEN' }],
        results: { create: true, claim: 'k6-results', storage: '1Gi', storageClass: 'nfs' },
        parallelism: 4,
        separate: true,
        cleanup: false,
      },
    });
    expect(parseCommand(['job', ...REQUIRED, '--existing-results-pvc', 'nfs', '--schedule', '0 3 * * *'], SCENARIOS)).toEqual({
      kind: 'job',
      out: path.join(repoRoot, 'k8s', 'checkout-1'),
      options: {
        name: 'checkout-1',
        namespace: 'shop',
        scenario: 'constant',
        baseUrl: 'http://checkout.shop.svc:8080',
        env: [],
        secrets: [],
        results: { create: false, claim: 'nfs' },
        schedule: '0 3 * * *',
      },
    });
  });

  it.each<[string[], string, string | undefined]>([
    [[], 'k8s: no command: expected `testrun` or `job`', '`npm run k8s -- --help` shows the usage'],
    [['run'], 'k8s: unknown command `run`: expected `testrun` or `job`', '`npm run k8s -- --help` shows the usage'],
    [['testrun', '--name', 'x'], 'k8s: `--scenario` is not set: expected one of `constant`, `ramp`, `soak`, `stress`', undefined],
    [['testrun', '--scenario', 'spike'], 'k8s: `--scenario` is `spike`: expected one of `constant`, `ramp`, `soak`, `stress`', undefined],
    [['job', '--scenario', 'soak'], 'k8s: `--name` is not set: expected a name for the run, such as `checkout-20261124`', undefined],
    [['testrun', ...REQUIRED], 'k8s: `--parallelism` is not set: expected an integer from 1 to 1000', undefined],
    [['testrun', ...REQUIRED, '--parallelism', 'four'], 'k8s: `--parallelism` is `four`: expected an integer from 1 to 1000', undefined],
    [['testrun', ...REQUIRED, '--parallelism=-1'], 'k8s: `--parallelism` is `-1`: expected an integer from 1 to 1000', undefined],
    [['testrun', ...REQUIRED, '--parallelism', '1e2'], 'k8s: `--parallelism` is `1e2`: expected an integer from 1 to 1000', undefined],
    [['job', ...REQUIRED, '--env', 'TPS'], 'k8s: `--env` is `TPS`: expected `KEY=VALUE`, such as `TPS=50`', undefined],
    [['job', ...REQUIRED, '--env', '=5'], 'k8s: `--env` is `=5`: expected `KEY=VALUE`, such as `TPS=50`', undefined],
    [
      ['job', ...REQUIRED, '--secret', 'k6-auth=AUTH_TOKEN'],
      'k8s: `--secret` is `k6-auth=AUTH_TOKEN`: expected `NAME:KEY=ENVVAR` (the Secret, its key, the variable k6 reads), such as `k6-auth:token=AUTH_TOKEN`',
      undefined,
    ],
    [
      ['job', ...REQUIRED, '--existing-results-pvc', 'nfs', '--results-storage', '5Gi'],
      'k8s: `--results-storage` and `--existing-results-pvc` both given: expected one or the other',
      '`--results-pvc`, `--results-storage` and `--results-storage-class` describe a claim this tool creates; `--existing-results-pvc` uses one that exists',
    ],
    [['job', ...REQUIRED, '--parallelism', '2'], 'k8s job: unknown option `--parallelism`', '`npm run k8s -- job --help` lists the options'],
    [['testrun', ...REQUIRED, '--schedule', '0 3 * * *'], 'k8s testrun: unknown option `--schedule`', '`npm run k8s -- testrun --help` lists the options'],
    [['testrun', ...REQUIRED, 'extra'], 'k8s testrun: unexpected argument `extra`: expected options only', '`npm run k8s -- testrun --help` lists the options'],
    [['testrun', ...REQUIRED, '--parallelism'], 'k8s testrun: `--parallelism` needs a value', '`npm run k8s -- testrun --help` lists the options'],
    [
      ['testrun', ...REQUIRED, '--parallelism', '2', '--env', 'API_KEY=abc123'],
      'k8s: `--env` key `API_KEY` looks like a secret: its value would be written in plain text into the manifests',
      'keep it in a Secret and pass `--secret NAME:KEY=API_KEY`, e.g. `kubectl create secret generic k6-auth --from-literal=token=…` then `--secret k6-auth:token=API_KEY`',
    ],
  ])('refuses %j', (argv, message, note) => {
    expect(cliError(() => parseCommand(argv, SCENARIOS))).toEqual({ message, note });
  });

  it('never repeats a refused secret value', () => {
    const { message, note } = cliError(() => parseCommand(['testrun', ...REQUIRED, '--parallelism', '2', '--env', 'AUTH_TOKEN=s3cr3t-value'], SCENARIOS));
    expect(`${message}\n${note}`).not.toContain('s3cr3t-value');
  });

  it.each([
    [['--help'], 'Usage: npm run k8s -- <command> [options]\n'],
    [['-h'], 'Usage: npm run k8s -- <command> [options]\n'],
    [['testrun', '--help'], 'Usage: npm run k8s -- testrun --scenario NAME'],
    [['job', '-h'], 'Usage: npm run k8s -- job --scenario NAME'],
  ])('gives help for %j', (argv, start) => {
    const command = parseCommand(argv, SCENARIOS);
    expect(command.kind).toBe('help');
    expect(command.kind === 'help' && command.text.startsWith(start)).toBe(true);
  });

  it('lists the scenarios it is given in the help', () => {
    const command = parseCommand(['job', '--help'], ['constant', 'spike']);
    expect(command.kind === 'help' && command.text).toContain('  --scenario NAME               a bundle from scenarios/: constant, spike\n');
  });
});

// --- command line: running -----------------------------------------------------------------------

describe('npm run k8s', () => {
  let dir: string;
  let constantJs: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8s-cli-'));
    constantJs = await bundle('constant');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function k8s(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'k8s.ts'), ...args], { cwd: repoRoot });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const readYaml = (file: string): unknown => parse(readFileSync(file, 'utf8'));
  const shown = (file: string): string => path.relative(repoRoot, file);

  it('testrun writes the four files, each parsing back to the builder’s object, and prints the commands in order', async () => {
    const out = path.join(dir, 'testrun');
    const args = ['--scenario', 'constant', '--name', 'checkout-1', '--namespace', 'shop', '--base-url', 'http://checkout.shop.svc:8080'];
    const result = await k8s(['testrun', ...args, '--parallelism', '3', '--env', 'TPS=90', '--secret', 'k6-auth:token=AUTH_TOKEN', '--runner-cpu', '500m', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['collector.yaml', 'configmap.yaml', 'results-pvc.yaml', 'testrun.yaml']);

    const expected = testRunManifests({
      name: 'checkout-1',
      namespace: 'shop',
      scenario: 'constant',
      baseUrl: 'http://checkout.shop.svc:8080',
      parallelism: 3,
      env: [{ name: 'TPS', value: '90' }],
      secrets: [{ secret: 'k6-auth', key: 'token', env: 'AUTH_TOKEN' }],
      runnerCpu: '500m',
      script: constantJs,
    });
    expect(readYaml(path.join(out, 'configmap.yaml'))).toEqual(expected.configMap);
    expect(readYaml(path.join(out, 'results-pvc.yaml'))).toEqual(expected.pvc);
    expect(readYaml(path.join(out, 'testrun.yaml'))).toEqual(expected.testRun);
    expect(readYaml(path.join(out, 'collector.yaml'))).toEqual(expected.collector);
    // The ConfigMap holds exactly the bundle k6 would run.
    expect((readYaml(path.join(out, 'configmap.yaml')) as { data: Record<string, string> }).data).toEqual({ 'constant.js': constantJs });
    expect(constantJs).toContain('handleSummary');

    const f = (name: string) => shown(path.join(out, name));
    expect(result.stdout).toBe(
      [
        `wrote ${f('configmap.yaml')}`,
        `wrote ${f('results-pvc.yaml')}`,
        `wrote ${f('testrun.yaml')}`,
        `wrote ${f('collector.yaml')}`,
        '',
        'Then, in this order (the collector sleeps 3600 s at most):',
        '',
        '# server-side apply: a large script would overflow the client-side last-applied annotation (256 KiB)',
        `kubectl apply --server-side -n shop -f ${f('configmap.yaml')} -f ${f('results-pvc.yaml')}`,
        'kubectl delete testrun/checkout-1 -n shop --ignore-not-found',
        `kubectl apply --server-side -n shop -f ${f('testrun.yaml')}`,
        '# a TestRun in stage `error` (see `kubectl describe testrun/checkout-1 -n shop`) never finishes: this wait then runs out',
        // constant: DURATION 1m by default, plus 600 s
        "kubectl wait testrun/checkout-1 -n shop --for=jsonpath='{.status.stage}'=finished --timeout=660s",
        `kubectl apply --server-side -n shop -f ${f('collector.yaml')}`,
        'kubectl wait pod/checkout-1-collector -n shop --for=condition=Ready --timeout=300s',
        'kubectl cp -n shop checkout-1-collector:/results/checkout-1 runs/checkout-1',
        'kubectl delete pod/checkout-1-collector -n shop',
        'npm run analyze -- runs/checkout-1',
        '',
      ].join('\n'),
    );
  });

  it('job writes job.yaml and cronjob.yaml, drops what an earlier call wrote and this one did not', async () => {
    const out = path.join(dir, 'job');
    const args = ['--scenario', 'ramp', '--name', 'nightly', '--namespace', 'perf', '--base-url', 'https://api.example.com', '--env', 'STAGES=1m:10,5m:50', '--out', out];
    const first = await k8s(['job', ...args, '--schedule', '0 3 * * *']);
    expect(first.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['collector.yaml', 'configmap.yaml', 'cronjob.yaml', 'job.yaml', 'results-pvc.yaml']);
    const job = readYaml(path.join(out, 'job.yaml')) as ReturnType<typeof jobManifests>['job'];
    const cronJob = readYaml(path.join(out, 'cronjob.yaml')) as NonNullable<ReturnType<typeof jobManifests>['cronJob']>;
    expect(job.spec.template.spec.containers[0]?.command).toEqual(['k6', 'run', '--out', 'json=/results/nightly/$(POD_NAME).json.gz', '/scripts/ramp.js']);
    expect(job.spec.activeDeadlineSeconds).toBe(60 + 300 + 600);
    expect(cronJob.spec).toEqual({ schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', jobTemplate: { metadata: { labels: job.metadata.labels }, spec: job.spec } });
    expect(first.stdout).toContain(
      [
        'kubectl delete job/nightly -n perf --ignore-not-found',
        `kubectl apply --server-side -n perf -f ${shown(path.join(out, 'job.yaml'))}`,
        '# a run whose SLO thresholds fail (k6 exit 99) ends as Failed, not complete: this wait then runs out; the outputs are there all the same',
        'kubectl wait job/nightly -n perf --for=condition=complete --timeout=960s',
      ].join('\n'),
    );
    expect(first.stdout.endsWith(`npm run analyze -- runs/nightly\n# on the schedule instead: each run writes /results/nightly/nightly-<minutes>-….json.gz; collect and analyse them as above\nkubectl apply --server-side -n perf -f ${shown(path.join(out, 'cronjob.yaml'))}\n`)).toBe(true);

    writeFileSync(path.join(out, 'testrun.yaml'), 'stale\n');
    const second = await k8s(['job', ...args, '--existing-results-pvc', 'shared-nfs']);
    expect(second.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['collector.yaml', 'configmap.yaml', 'job.yaml']);
    expect(second.stdout).toContain(`kubectl apply --server-side -n perf -f ${shown(path.join(out, 'configmap.yaml'))}\n`);
    expect(second.stdout).not.toContain('cronjob');
  });

  it('writes to k8s/<name>/ by default', () => {
    const command = parseCommand(['testrun', '--scenario', 'constant', '--name', 'abc', '--namespace', 'x', '--base-url', 'http://svc:80', '--parallelism', '1']);
    expect(command.kind === 'testrun' && command.out).toBe(path.join(repoRoot, 'k8s', 'abc'));
  });

  it('waits for the deletion when the operator cleans up', () => {
    const command = parseCommand(['testrun', '--scenario', 'stress', '--name', 'abc', '--namespace', 'x', '--base-url', 'http://svc:80', '--parallelism', '2', '--cleanup']);
    if (command.kind !== 'testrun') throw new Error('expected a testrun');
    const files = new Map(testRunFiles(testRunManifests({ ...command.options, script: SCRIPT })).map(([file]) => [file, path.join(repoRoot, 'k8s', 'abc', file)]));
    // stress: 10 steps of 30 s with 9 ramps of 5 s between them, plus 600 s
    expect(runCommands(command, files)).toContain('kubectl wait testrun/abc -n x --for=delete --timeout=945s');
  });

  it('exits 1 with one line and a note on bad usage, writing nothing', async () => {
    const out = path.join(dir, 'refused');
    const result = await k8s(['testrun', '--scenario', 'constant', '--name', 'Checkout', '--namespace', 'shop', '--base-url', 'http://svc:80', '--parallelism', '2', '--out', out]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'k8s: `--name` is `Checkout`: expected an RFC 1123 label of at most 50 characters (lowercase letters, digits and `-`, starting and ending with a letter or digit)\n',
    });
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['--help'], 'Usage: npm run k8s -- <command> [options]'],
    [['testrun', '--help'], 'Usage: npm run k8s -- testrun'],
    [['job', '--help'], 'Usage: npm run k8s -- job'],
  ])('prints help for %j and exits 0', async (argv, start) => {
    const result = await k8s(argv);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(start)).toBe(true);
    expect(result.stderr).toBe('');
  });
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
