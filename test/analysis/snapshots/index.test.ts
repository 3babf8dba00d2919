import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../analysis/errors.ts';
import * as snapshots from '../../../analysis/snapshots/index.ts';
import { detectKind, parseSnapshot, readSnapshotFile, readSnapshots, timeFromFileName } from '../../../analysis/snapshots/index.ts';
import type { HpaSample, SnapshotKind, SnapshotProblem, SnapshotResult } from '../../../analysis/snapshots/types.ts';

// Short excerpts from ../shared/reference/formats.md (sources named per excerpt).
const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const Mi = (n: number): number => n * 1024 * 1024;
const AT = Date.UTC(2026, 10, 24, 1, 7, 14);

// formats.md 1.1 (vyking-devops-task log)
const TOP_PODS = text('NAMESPACE       NAME                                                CPU(cores)   MEMORY(bytes)   ', 'argocd-dev      argocd-application-controller-0                     14m          152Mi           ');
// formats.md 1.5a (same log)
const TOP_NODES = text('NAME                      CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   ', 'k3d-vyking-dev-agent-0    703m         23%      407Mi           5%          ');
// formats.md 1.8b values (kubernetes-sigs/metrics-server#575), compacted
const POD_METRICS = JSON.stringify({
  kind: 'PodMetricsList',
  apiVersion: 'metrics.k8s.io/v1beta1',
  metadata: {},
  items: [{ metadata: { name: 'chaosblade-tool-6qbvv', namespace: 'kube-system' }, timestamp: '2020-08-17T09:25:01Z', window: '30s', containers: [{ name: 'chaosblade-tool', usage: { cpu: '43481n', memory: '864Ki' } }] }],
});
// formats.md 2.3 (kubernetes/kubernetes#68276)
const HPA = text('NAME      REFERENCE           TARGETS     MINPODS   MAXPODS   REPLICAS   AGE', 'webapp    Deployment/webapp   46% / 10%   1         3         3          46m');
// formats.md 4.3 (kubernetes/autoscaler#2619)
const EVENTS = text('LAST SEEN   TYPE     REASON             OBJECT                                MESSAGE', '110s        Normal   ScaledUpGroup      configmap/cluster-autoscaler-status   Scale-up: setting group <redacted> size to 2');
// formats.md 5 (kubernetes/website#4557)
const PODS = text('NAME                           READY     STATUS    RESTARTS   AGE       IP           NODE', 'redis-cache-1450370735-6dzlj   1/1       Running   0          8m        10.192.4.2   kube-node-3');

describe('detectKind', () => {
  it.each<[string, string, SnapshotKind]>([
    // --- headers and JSON kinds
    ['top pods header', TOP_PODS, 'top-pods'],
    ['top pods --containers header', text('POD   NAME   CPU(cores)   MEMORY(bytes)'), 'top-pods'],
    ['top nodes header', TOP_NODES, 'top-nodes'],
    ['pre-1.5 top nodes header', text('NAME   CPU   MEMORY   STORAGE   TIMESTAMP'), 'top-nodes'],
    ['PodMetricsList', POD_METRICS, 'metrics-api'],
    ['NodeMetrics', '{"kind":"NodeMetrics","metadata":{"name":"n"}}', 'metrics-api'],
    ['hpa table', HPA, 'hpa'],
    ['HPA object', '{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler"}', 'hpa-json'],
    ['List of HPAs', '{"apiVersion":"v1","kind":"List","items":[{"kind":"HorizontalPodAutoscaler"}]}', 'hpa-json'],
    ['events header', EVENTS, 'events'],
    ['pods header', PODS, 'pods-wide'],
    ['header after an error', text('error: Metrics API not available', 'microk8s enable metrics-server', TOP_NODES), 'top-nodes'],
    // --- rows without header (formats.md 4.1, 4.2 and shapes of --no-headers)
    ['events without header', text('40m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp6   New size: 2; reason: All metrics below target'), 'events'],
    ['-A events without header', text('backend-dev     114s        Normal    Created   pod/backend-backend-549575788c-2dn8t   Created container backend'), 'events'],
    ['pods without header', text('web-1   1/1   Running   0   5m   10.0.0.7   node-1'), 'pods-wide'],
    ['hpa without header', text('web   Deployment/web   45%/80%   1   10   3   5m'), 'hpa'],
    ['top nodes without header', text('node-1   38m   1%   410Mi   5%'), 'top-nodes'],
    ['top pods without header', text('default   web-1   5m   10Mi'), 'top-pods'],
    // --- nothing to read
    ['an error only', text('error: Metrics API not available'), 'error'],
    ['klog and error (kubernetes/kubernetes#44540)', text('W0416 17:58:15.174555    1159 top_pod.go:190] Metrics not available for pod monitoring/grafana-2017641066-rlq7c, age: 26m33.174541702s', 'error: Metrics not available for pod monitoring/grafana-2017641066-rlq7c, age: 26m33.174541702s'), 'error'],
    ['No resources found', text('No resources found in default namespace.'), 'unknown'],
    ['something else', text('hello world'), 'unknown'],
  ])('%s', (_, input, kind) => {
    expect(detectKind(input)).toBe(kind);
  });

  it.each<[readonly string[], SnapshotKind]>([
    [['kubectl', 'top', 'pods', '-A', '--no-headers'], 'top-pods'],
    [['kubectl', 'top', 'node'], 'top-nodes'],
    [['kubectl', 'get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods'], 'metrics-api'],
    [['kubectl', 'get', 'hpa', '-A', '-o', 'json'], 'hpa-json'],
    [['kubectl', 'get', 'horizontalpodautoscalers.autoscaling'], 'hpa'],
    [['kubectl', 'get', 'events', '-A'], 'events'],
    [['kubectl', 'get', 'pods', '-o', 'wide'], 'pods-wide'],
  ])('from the command %j when the output has no header', (command, kind) => {
    expect(detectKind('', { command })).toBe(kind);
  });

  it('takes the command from an echoed prompt line', () => {
    expect(detectKind(text('+ kubectl get pods -A -o wide --no-headers', 'No resources found'))).toBe('pods-wide');
  });
});

describe('parseSnapshot', () => {
  const empty = { entry: null, command: null, pods: [], containers: [], nodes: [], hpas: [], events: [], placements: [], problems: [] };

  it('ties every record to the capture time and leaves the context alone', () => {
    const context = Object.freeze({ file: 'top.txt', capturedAtMs: AT });
    expect(parseSnapshot(TOP_PODS, context)).toEqual({
      ...empty,
      file: 'top.txt',
      kind: 'top-pods',
      capturedAtMs: AT,
      pods: [{ namespace: 'argocd-dev', pod: 'argocd-application-controller-0', container: null, cpuMillicores: 14, memoryBytes: Mi(152), scrapedAtMs: null, windowMs: null, capturedAtMs: AT }],
    });
    expect(context).toEqual({ file: 'top.txt', capturedAtMs: AT });
  });

  it.each<[string, string, keyof SnapshotResult, number]>([
    ['top-nodes', TOP_NODES, 'nodes', 1],
    ['metrics-api', POD_METRICS, 'pods', 1],
    ['hpa', HPA, 'hpas', 1],
    ['events', EVENTS, 'events', 1],
    ['pods-wide', PODS, 'placements', 1],
  ])('fills the %s records', (kind, input, field, count) => {
    const result = parseSnapshot(input, { file: 'x', capturedAtMs: AT });
    expect(result.kind).toBe(kind);
    const records = result[field] as readonly { capturedAtMs: number }[];
    expect(records).toHaveLength(count);
    expect(records.every((r) => r.capturedAtMs === AT)).toBe(true);
    expect(result.problems).toEqual([]);
  });

  it('gives events their absolute time from the capture time', () => {
    expect(parseSnapshot(EVENTS, { file: 'x', capturedAtMs: AT }).events[0]?.timeMs).toBe(AT - 110_000);
  });

  it('keeps containers and their per-pod sums apart for `top pods --containers`', () => {
    const input = text('POD       NAME      CPU(cores)   MEMORY(bytes)', 'web-1     app       3m           48Mi', 'web-1     sidecar   1m           2Mi');
    const result = parseSnapshot(input, { file: 'x', capturedAtMs: AT });
    expect(result.pods.map((p) => [p.pod, p.container, p.cpuMillicores, p.memoryBytes])).toEqual([['web-1', null, 4, Mi(50)]]);
    expect(result.containers.map((p) => [p.pod, p.container, p.cpuMillicores])).toEqual([
      ['web-1', 'app', 3],
      ['web-1', 'sidecar', 1],
    ]);
  });

  it('uses the given kind and command over detection', () => {
    const result = parseSnapshot(text('web-1   app   5m   10Mi'), { file: 'x', capturedAtMs: AT, kind: 'top-pods', command: Object.freeze(['kubectl', 'top', 'pods', '--containers', '--no-headers']) });
    expect(result.command).toEqual(['kubectl', 'top', 'pods', '--containers', '--no-headers']);
    expect(result.containers.map((c) => [c.pod, c.container])).toEqual([['web-1', 'app']]);
    expect(result.problems).toEqual([]);
  });

  it('reports an error-only capture as kind `error` with the error', () => {
    expect(parseSnapshot('error: Metrics API not available\n', { file: 'top.txt', capturedAtMs: AT })).toEqual({
      ...empty,
      file: 'top.txt',
      kind: 'error',
      capturedAtMs: AT,
      problems: [{ line: 1, severity: 'error', message: 'kubectl: `error: Metrics API not available`: nothing from this command at line 1' }],
    });
  });

  it('says when it cannot tell what a capture is, but not for an empty result', () => {
    expect(parseSnapshot('hello world\n', { file: 'notes.txt', capturedAtMs: AT }).problems).toEqual([
      {
        line: null,
        severity: 'error',
        message: 'snapshot: cannot tell what `notes.txt` holds: expected `kubectl top pods|nodes`, `kubectl get hpa|events|pods -o wide`, `kubectl describe hpa` output or Metrics API JSON',
      },
    ]);
    expect(parseSnapshot('No resources found\n', { file: 'x', capturedAtMs: AT }).problems).toEqual([]);
    expect(parseSnapshot('{\n  "apiVersion": "v1",\n  "items": [],\n  "kind": "List"\n}\n', { file: 'x', capturedAtMs: AT })).toMatchObject({ kind: 'unknown', problems: [] });
  });
});

describe('timeFromFileName', () => {
  it.each([
    ['top-pods-20261124T010714Z.txt', { ms: AT, zoned: true }],
    ['top-pods-20261124T010714.123Z.txt', { ms: AT + 123, zoned: true }],
    ['hpa-2026-11-24T01-07-14Z.log', { ms: AT, zoned: true }],
    ['hpa-2026-11-24T01:07:14Z.log', { ms: AT, zoned: true }],
    ['events-2026-11-24T02-07-14+01:00.txt', { ms: AT, zoned: true }],
    ['events-20261124T010714.txt', { ms: AT, zoned: false }],
  ])('%s', (name, time) => {
    expect(timeFromFileName(name)).toEqual(time);
  });

  it.each(['top.txt', '20261324T010714Z.txt', '20260231T010714Z.txt', '20261124T250714Z.txt'])('finds no time in %s', (name) => {
    expect(timeFromFileName(name)).toBeUndefined();
  });
});

describe('readSnapshots', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'k6-capacity-snapshots-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // --- (a) the sweep's JSON-lines capture log
  it('reads a capture log entry by entry, a broken line included', () => {
    const folder = join(dir, 'log');
    mkdirSync(folder);
    const entry = (fields: Record<string, unknown>): string => JSON.stringify({ exit_code: 0, stderr: '', ...fields });
    writeFileSync(
      join(folder, 'sweep.jsonl'),
      [
        entry({ captured_at: '2026-11-24T01:07:14Z', kind: 'top-pods', command: ['kubectl', 'top', 'pods', '-A'], stdout: TOP_PODS }),
        // metrics-server missing: kubectl fails, the message is on stderr
        entry({ captured_at: '2026-11-24T01:07:15Z', kind: 'top-nodes', command: ['kubectl', 'top', 'nodes'], exit_code: 1, stdout: '', stderr: 'error: Metrics API not available\n' }),
        '{"captured_at":"2026-11-24T01:07:16Z","kind":"top-pods","stdout":"NAME',
        '',
        entry({ captured_at: '2026-11-24T01:07:17.250Z', kind: 'process', command: ['sampler'], stdout: POD_METRICS }),
        // kubectl prints `No resources found` on stderr: an empty, valid result
        entry({ captured_at: '2026-11-24T01:07:18Z', kind: 'events', command: ['kubectl', 'get', 'events', '-n', 'load'], stdout: '', stderr: 'No resources found in load namespace.\n' }),
        entry({ captured_at: '2026-11-24T01:07:19Z', kind: 'hpa-table', command: ['kubectl', 'get', 'hpa'], stdout: HPA }),
        entry({ captured_at: 'yesterday', kind: 'hpa', stdout: HPA }),
        entry({ captured_at: '2026-11-24T01:07:20Z', kind: 'pods-wide', command: ['kubectl', 'get', 'pods', '-o', 'wide'], stdout: PODS, stderr: 'W1124 01:07:20.000000   4242 warnings.go:70] v1 Endpoints is deprecated in v1.33+\n' }),
      ].join('\n'),
    );
    const file = join(folder, 'sweep.jsonl');
    const results = readSnapshots(folder);
    expect(results.map((r) => [r.entry, r.kind, r.capturedAtMs])).toEqual([
      [1, 'top-pods', AT],
      [2, 'top-nodes', AT + 1000],
      [3, 'unknown', null],
      [5, 'metrics-api', AT + 3250],
      [6, 'events', AT + 4000],
      [7, 'hpa', AT + 5000],
      [8, 'unknown', null],
      [9, 'pods-wide', AT + 6000],
    ]);
    const [top, nodes, broken, process, events, hpa, badTime, pods] = results;
    expect(top?.pods.map((p) => [p.pod, p.capturedAtMs])).toEqual([['argocd-application-controller-0', AT]]);
    expect(top?.command).toEqual(['kubectl', 'top', 'pods', '-A']);
    expect(nodes?.problems).toEqual([
      { line: null, severity: 'error', message: `snapshot log: \`kubectl top nodes\` exited with code 1 at ${file}:2` },
      { line: null, severity: 'error', message: `kubectl: \`error: Metrics API not available\`: no resource metrics from this command, on stderr at ${file}:2` },
    ]);
    expect(broken?.problems).toEqual([{ line: 3, severity: 'error', message: `snapshot log: invalid JSON (Unterminated string) at ${file}:3` }]);
    expect(process?.pods.map((p) => [p.pod, p.cpuMillicores, p.capturedAtMs, p.scrapedAtMs])).toEqual([['chaosblade-tool-6qbvv', 0.043481, AT + 3250, Date.UTC(2020, 7, 17, 9, 25, 1)]]);
    expect(process?.problems).toEqual([]);
    expect(events?.problems).toEqual([]);
    expect(hpa?.hpas.map((h) => h.name)).toEqual(['webapp']);
    expect(hpa?.problems).toEqual([{ line: null, severity: 'warning', message: `snapshot log: \`kind\` \`hpa-table\` is unknown: read as \`hpa\` from the content at ${file}:7` }]);
    expect(badTime?.problems).toEqual([
      { line: 8, severity: 'error', message: `snapshot log: \`captured_at\` is \`yesterday\`: expected an ISO-8601 time such as \`2026-11-24T01:07:14Z\` at ${file}:8` },
    ]);
    expect(pods?.placements.map((p) => p.node)).toEqual(['kube-node-3']);
    expect(pods?.problems).toEqual([
      { line: null, severity: 'warning', message: `kubectl: skipped the klog line \`W1124 01:07:20.000000   4242 warnings.go:70] v1 Endpoints is deprecated in v1.33+\` on stderr at ${file}:9` },
    ]);
  });

  it("skips the sweep's `disruption` lines without a problem, even a failed one's", () => {
    const folder = join(dir, 'disruptions');
    mkdirSync(folder);
    // As scripts/lib/disruptions.ts writes them: the command's raw result and the manifest's record.
    const failed = {
      captured_at: '2026-11-24T01:07:16Z',
      kind: 'disruption',
      phase: 'during',
      command: ['kubectl', '--context', 'kind-test', '-n', 'demo', 'delete', 'pod', 'inference-gone', '--wait=false'],
      exit_code: 1,
      stdout: '',
      // kubernetes/website#35877
      stderr: 'Error from server (NotFound): pods "inference-gone" not found\n',
      disruption: { kind: 'delete-pod', at_s: 2, time: '2026-11-24T01:07:16Z', target: 'inference-gone', pid: null, ok: false, detail: 'Error from server (NotFound): pods "inference-gone" not found' },
    };
    const killed = {
      captured_at: '2026-11-24T01:07:17Z',
      kind: 'disruption',
      phase: 'during',
      command: ['kill', '-KILL', '4242'],
      exit_code: 0,
      stdout: '',
      stderr: '',
      disruption: { kind: 'kill-replica', at_s: 3, time: '2026-11-24T01:07:17Z', target: 'sample-replica-0', pid: 4242, ok: true, detail: 'killed sample-replica-0 (PID 4242) with SIGKILL' },
    };
    const top = { captured_at: '2026-11-24T01:07:18Z', kind: 'top-pods', command: ['kubectl', 'top', 'pods', '-A'], exit_code: 0, stdout: TOP_PODS, stderr: '' };
    writeFileSync(join(folder, 'captures.jsonl'), `${[failed, killed, top].map((line) => JSON.stringify(line)).join('\n')}\n`);
    const results = readSnapshots(folder);
    expect(results.map((r) => [r.entry, r.kind, r.problems])).toEqual([[3, 'top-pods', []]]);
  });

  // --- (b) files saved by hand
  it('reads hand-saved files with the time from the name, else the mtime, and says what it skipped', () => {
    const folder = join(dir, 'hand');
    mkdirSync(folder);
    mkdirSync(join(folder, 'older'));
    writeFileSync(join(folder, 'a-top-pods-20261124T010714Z.txt'), TOP_PODS);
    writeFileSync(join(folder, 'b-hpa-2026-11-24T01-07-14.500Z.log'), HPA);
    writeFileSync(join(folder, 'c-metrics-20261124T010714.json'), POD_METRICS);
    writeFileSync(join(folder, 'd-pods.txt'), PODS);
    utimesSync(join(folder, 'd-pods.txt'), new Date(AT + 60_000), new Date(AT + 60_000));
    writeFileSync(join(folder, 'e-hpa.yaml'), 'status:\n  currentReplicas: 2\n');
    writeFileSync(join(folder, 'f-notes.md'), '# notes\n');
    writeFileSync(join(folder, 'g-empty-20261124T010714Z.txt'), '');
    writeFileSync(join(folder, '.DS_Store'), 'x');
    const results = readSnapshots(folder);
    const at = (name: string): string => join(folder, name);
    expect(results.map((r) => [r.file, r.kind, r.capturedAtMs, r.entry])).toEqual([
      [at('a-top-pods-20261124T010714Z.txt'), 'top-pods', AT, null],
      [at('b-hpa-2026-11-24T01-07-14.500Z.log'), 'hpa', AT + 500, null],
      [at('c-metrics-20261124T010714.json'), 'metrics-api', AT, null],
      [at('d-pods.txt'), 'pods-wide', AT + 60_000, null],
      [at('e-hpa.yaml'), 'unknown', null, null],
      [at('f-notes.md'), 'unknown', null, null],
      [at('g-empty-20261124T010714Z.txt'), 'unknown', AT, null],
    ]);
    expect(results.map((r) => r.problems)).toEqual([
      [],
      [],
      [{ line: null, severity: 'warning', message: 'snapshots: the time in the file name `c-metrics-20261124T010714.json` has no zone: read as UTC' }],
      [
        {
          line: null,
          severity: 'warning',
          message: "snapshots: no capture time in the file name `d-pods.txt`: used the file's modification time `2026-11-24T01:08:14.000Z`, expected a name with a time such as `top-pods-20261124T010714Z.txt`",
        },
      ],
      [
        {
          line: null,
          severity: 'error',
          message: `snapshots: skipped \`${at('e-hpa.yaml')}\`: YAML is read only for HPAs: expected \`kind\` HorizontalPodAutoscaler, HorizontalPodAutoscalerList or a List of them (\`kubectl get hpa -o yaml\`), else \`kubectl get … -o json\` or a table`,
        },
      ],
      [{ line: null, severity: 'warning', message: `snapshots: skipped \`${at('f-notes.md')}\`: expected \`.jsonl\`, \`.ndjson\`, \`.txt\`, \`.log\`, \`.out\`, \`.json\`, \`.yaml\`, \`.yml\`` }],
      [{ line: null, severity: 'error', message: `snapshots: \`${at('g-empty-20261124T010714Z.txt')}\` is empty` }],
    ]);
    expect(results[3]?.placements[0]?.capturedAtMs).toBe(AT + 60_000);
  });

  it('throws AnalysisError(unreadable) for a folder that does not exist', () => {
    const missing = join(dir, 'nope');
    expect(() => readSnapshots(missing)).toThrow(new AnalysisError('unreadable', `snapshots: cannot read the folder \`${missing}\`: ENOENT`));
    try {
      readSnapshots(missing);
    } catch (error) {
      expect((error as AnalysisError).code).toBe('unreadable');
    }
  });
});

describe('HPA captures: each format to its reader (formats.md §2, §4)', () => {
  // --- the captures, verbatim unless said
  // formats.md 2.1 (vyking-devops-task log)
  const HPA_A = [
    '+ kubectl get hpa -A',
    'NAMESPACE      NAME                REFERENCE                      TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE',
    'backend-dev    backend-backend     Deployment/backend-backend     cpu: 1%/70%, memory: 33%/70%   1         5         2          2m8s',
    'frontend-dev   frontend-frontend   Deployment/frontend-frontend   cpu: 1%/70%, memory: 7%/80%    1         3         1          2m4s',
  ];
  // formats.md 2.1, inside `kubectl get all` (code-index file id 55884485767)
  const HPA_ALL = [
    'NAME                                                     REFERENCE                   TARGETS                                     MINPODS   MAXPODS   REPLICAS   AGE',
    'horizontalpodautoscaler.autoscaling/fiware-orionld-hpa   Deployment/fiware-orionld   cpu: <unknown>/30%, memory: <unknown>/70%   3         15        3          3m38s',
  ];
  // formats.md 2.3 (kubernetes/kubernetes#68276, #48793, tangcong/codis-operator#13, kubernetes/kubernetes#21649)
  const HPA_SPACED = ['kubectl.exe get hpa', 'NAME      REFERENCE           TARGETS     MINPODS   MAXPODS   REPLICAS   AGE', 'webapp    Deployment/webapp   46% / 10%   1         3         3          46m'];
  const HPA_UNKNOWN = ['kubectl get hpa', 'NAME         REFERENCE               TARGETS           MINPODS   MAXPODS   REPLICAS   AGE', 'php-apache   Deployment/php-apache   <unknown> / 50%   1         10        1          15m'];
  const HPA_ANCIENT = ['# kubectl get hpa', 'NAME         REFERENCE                                TARGET    CURRENT   MINPODS   MAXPODS   AGE', 'php-apache   ReplicationController/php-apache/scale   50%       0%        1         10        1h'];
  // The 2.1 table followed by a row of backend-backend 15 s later, as `kubectl get hpa -A -w` prints
  // one (the watch-log data of hpa-watch.test.ts): the same HPA twice under one header.
  const AGAIN = 'backend-dev    backend-backend     Deployment/backend-backend     cpu: 9%/70%, memory: 33%/70%   1         5         2          2m23s';
  const WATCH = [...HPA_A.slice(1), AGAIN];
  // formats.md 2.4 (TheOutdoorProgrammer/manifests.io#92, EKS 1.25): the `status:` block verbatim;
  // the issue quoted only the status, so the head is typed as `kubectl get hpa web -n shop -o yaml`
  // prints it (as in hpa.test.ts).
  const HPA_STATUS = [
    'status:',
    '  conditions:',
    '  - lastTransitionTime: "2023-04-02T08:28:36Z"',
    '    message: recent recommendations were higher than current one, applying the highest',
    '      recent recommendation',
    '    reason: ScaleDownStabilized',
    '    status: "True"',
    '    type: AbleToScale',
    '  - lastTransitionTime: "2023-04-02T12:32:04Z"',
    '    message: the HPA was able to successfully calculate a replica count from cpu resource',
    '      utilization (percentage of request)',
    '    reason: ValidMetricFound',
    '    status: "True"',
    '    type: ScalingActive',
    '  - lastTransitionTime: "2023-04-02T09:07:55Z"',
    '    message: the desired replica count is more than the maximum replica count',
    '    reason: TooManyReplicas',
    '    status: "True"',
    '    type: ScalingLimited',
    '  currentMetrics:',
    '  - resource:',
    '      current:',
    '        averageUtilization: 150',
    '        averageValue: 301m',
    '      name: cpu',
    '    type: Resource',
    '  currentReplicas: 2',
    '  desiredReplicas: 2',
    '  lastScaleTime: "2023-04-02T09:07:40Z"',
  ];
  const HPA_HEAD = [
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    '  name: web',
    '  namespace: shop',
    'spec:',
    '  maxReplicas: 2',
    '  metrics:',
    '  - resource:',
    '      name: cpu',
    '      target:',
    '        averageUtilization: 50',
    '        type: Utilization',
    '    type: Resource',
    '  minReplicas: 1',
    '  scaleTargetRef:',
    '    apiVersion: apps/v1',
    '    kind: Deployment',
    '    name: web',
  ];
  const HPA_YAML = ['$ kubectl get hpa web -n shop -o yaml', ...HPA_HEAD, ...HPA_STATUS];
  const HPA_LIST_YAML = ['apiVersion: v1', 'items:', ...[...HPA_HEAD, ...HPA_STATUS].map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`)), 'kind: List', 'metadata:', '  resourceVersion: ""'];
  // What `kubectl get hpa -o yaml` prints when there is no HPA.
  const NO_HPA_YAML = ['apiVersion: v1', 'items: []', 'kind: List', 'metadata:', '  resourceVersion: ""'];
  const WEB: HpaSample = {
    namespace: 'shop',
    name: 'web',
    reference: 'Deployment/web',
    minReplicas: 1,
    maxReplicas: 2,
    currentReplicas: 2,
    desiredReplicas: 2,
    metrics: [{ name: 'cpu', current: '150%', target: '50%', currentValue: 150, targetValue: 50, unit: 'percent' }],
    conditions: [
      { type: 'AbleToScale', status: true, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' },
      { type: 'ScalingActive', status: true, reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' },
      { type: 'ScalingLimited', status: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' },
    ],
    lastScaleTimeMs: Date.UTC(2023, 3, 2, 9, 7, 40),
  };
  // formats.md 2.5 (kubernetes/kubernetes#129228 and NatLabRockies/openstudio-server-helm#4), as the
  // issues quote them: from `Metrics:`, and from the metric line.
  const DESCRIBE_MEMORY = [
    'Metrics:                                                  ( current / target )',
    '  resource memory on pods  (as a percentage of request):  42% (4503324444m) / 50%',
    'Min replicas:                                             3',
    'Max replicas:                                             50',
    'Deployment pods:                                          8 current / 8 desired',
    'Conditions:',
    '  Type            Status  Reason              Message',
    '  ----            ------  ------              -------',
    '  AbleToScale     True    ReadyForNewScale    recommended size matches current size',
    '  ScalingActive   True    ValidMetricFound    the HPA was able to successfully calculate a replica count from memory resource utilization (percentage of request)',
    '  ScalingLimited  False   DesiredWithinRange  the desired count is within the acceptable range',
  ];
  const DESCRIBE_FAILING = [
    '  resource cpu on pods  (as a percentage of request):  <unknown> / 50%',
    'Min replicas:                                          1',
    'Max replicas:                                          15',
    'Deployment pods:                                       1 current / 0 desired',
    'Conditions:',
    '  Type           Status  Reason                   Message',
    '  ----           ------  ------                   -------',
    "  AbleToScale    True    SucceededGetScale        the HPA controller was able to get the target's current scale",
    '  ScalingActive  False   FailedGetResourceMetric  the HPA was unable to compute the replica count: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
  ];
  // formats.md 4.4 (kubernetes/kubernetes#97473) under the Events header describe prints; the first
  // row lost its indent in the issue, so it gets it back.
  const DESCRIBE_EVENTS = [
    'Events:',
    '  Type    Reason             Age                    From                       Message',
    '  ----    ------             ----                   ----                       -------',
    '  Normal  SuccessfulRescale  20m (x3 over 5h43m)    horizontal-pod-autoscaler  New size: 2; reason: All metrics below target',
    '  Normal  SuccessfulRescale  8m30s (x2 over 5h37m)  horizontal-pod-autoscaler  New size: 3; reason: external metric sqs_approximatenumberofmessages(&LabelSelector{MatchLabels:map[string]string{namespace: ns-ethos-6a9700c94e7c128f35d508b11fc-dev,queue: chandanb-sqs-dev,service: ob3b49fb5655c,},MatchExpressions:[]LabelSelectorRequirement{},}) above target',
  ];
  // The lines the issues left out before `Metrics:`, typed in describe's layout.
  const DESCRIBE = [
    'Name:                                                     web',
    'Namespace:                                                shop',
    'Reference:                                                Deployment/web',
    ...DESCRIBE_MEMORY,
    ...DESCRIBE_EVENTS,
  ];
  const DESCRIBE_FAILING_NAMED = [
    'Name:                                                  openstudio-server-worker',
    'Namespace:                                             default',
    'Reference:                                             Deployment/worker',
    'Metrics:                                               ( current / target )',
    ...DESCRIBE_FAILING,
    'Events:           <none>',
  ];
  // formats.md 4.1 (vyking-devops-task log, header cut by `tail`), 4.2 (llm-proxy HPA experiment logs,
  // code-index file ids 62460602127 and 62567145928), 4.3 (kubernetes/autoscaler#2619; duyet/charts#241)
  const EVENTS_A = [
    'backend-dev     114s        Normal    Created                          pod/backend-backend-549575788c-2dn8t                     Created container backend',
    'backend-dev     99s         Warning   FailedGetResourceMetric          horizontalpodautoscaler/backend-backend                  failed to get memory utilization: unable to get metrics for resource memory: no metrics returned from resource metrics API',
    'backend-dev     99s         Warning   FailedGetResourceMetric          horizontalpodautoscaler/backend-backend                  failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    'backend-dev     99s         Warning   FailedComputeMetricsReplicas     horizontalpodautoscaler/backend-backend                  invalid metrics (2 invalid out of 2), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    'frontend-dev    110s        Warning   FailedGetResourceMetric          horizontalpodautoscaler/frontend-frontend                failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)',
    'ingress-nginx   104s        Normal    ScalingReplicaSet                deployment/ingress-nginx-controller                      Scaled up replica set ingress-nginx-controller-b4b575f8 to 1',
    'ingress-nginx   104s        Normal    SuccessfulCreate                 replicaset/ingress-nginx-controller-b4b575f8             Created pod: ingress-nginx-controller-b4b575f8-kkknw',
  ];
  const EVENTS_UP = [
    '--- events ---',
    '40m     Normal    SuccessfulCreate    replicaset/llm-proxy-857bf6d79d          Created pod: llm-proxy-857bf6d79d-ncklk',
    '40m     Normal    Scheduled           pod/llm-proxy-857bf6d79d-ncklk           Successfully assigned default/llm-proxy-857bf6d79d-ncklk to ip-172-31-41-114.us-west-2.compute.internal',
    '40m     Normal    ScalingReplicaSet   deployment/llm-proxy                     Scaled up replica set llm-proxy-857bf6d79d from 1 to 2',
    '40m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp6   New size: 2; reason: cpu resource utilization (percentage of request) above target',
  ];
  const EVENTS_DOWN = [
    '44m     Normal    Killing             pod/llm-proxy-857bf6d79d-gbrzg           Stopping container fastapi-proxy',
    '44m     Normal    Killing             pod/llm-proxy-857bf6d79d-gbrzg           Stopping container llama-server',
    '44m     Normal    SuccessfulDelete    replicaset/llm-proxy-857bf6d79d          Deleted pod: llm-proxy-857bf6d79d-gbrzg',
    '44m     Normal    ScalingReplicaSet   deployment/llm-proxy                     Scaled down replica set llm-proxy-857bf6d79d from 4 to 3',
    '44m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp4   New size: 3; reason: All metrics below target',
    '44m     Warning   Unhealthy           pod/llm-proxy-857bf6d79d-gbrzg           Readiness probe failed: Get "http://10.244.4.2:8000/health": dial tcp 10.244.4.2:8000: connect: connection refused',
  ];
  const EVENTS_HEADER = ['> kubectl get events -n kube-system', 'LAST SEEN   TYPE     REASON             OBJECT                                MESSAGE', '110s        Normal   ScaledUpGroup      configmap/cluster-autoscaler-status   Scale-up: setting group <redacted> size to 2'];
  const EVENTS_WIDE = [
    'LAST SEEN   TYPE     REASON              OBJECT                                         SUBOBJECT                       SOURCE                                 MESSAGE                                                                                                                FIRST SEEN   COUNT   NAME',
    '2s          Normal   Scheduled           pod/applause-btn-ixwmw7iur5-6f66d5799-ppjc5                                    default-scheduler                      Successfully assigned applause-btn-ixwmw7iur5/applause-btn-ixwmw7iur5-6f66d5799-ppjc5 to chart-testing-control-plane   2s           1       applause-btn-ixwmw7iur5-6f66d5799-ppjc5.18d5e3851972a1db',
    '2s          Normal   SuccessfulCreate    replicaset/applause-btn-ixwmw7iur5-6f66d5799                                   replicaset-controller                  Created pod: applause-btn-ixwmw7iur5-6f66d5799-ppjc5                                                                   2s           1       applause-btn-ixwmw7iur5-6f66d5799.18d5e3851906d05d',
  ];

  /** A watch row as the tests compare it: line, HPA, replicas, AGE, time relative to AT and ± in seconds. */
  const watched = (result: SnapshotResult): unknown[] =>
    (result.hpaWatch ?? []).map((r) => [r.line, r.name, r.currentReplicas, r.age, r.timeMs === null ? null : (r.timeMs - AT) / 1000, r.timeUncertaintyMs === null ? null : r.timeUncertaintyMs / 1000]);
  const ESTIMATED = (line: number, also = ''): SnapshotProblem => ({
    line: null,
    severity: 'warning',
    message: `hpa watch: row times are estimated from the AGE column (±1 s at most), with the last row (line ${line}) as printed at the capture time \`2026-11-24T01:07:14.000Z\`${also}: a watch log has no clock of its own`,
  });

  describe('detectKind', () => {
    it.each<[string, string, SnapshotKind]>([
      // --- tables and watch logs
      ['2.1 `get hpa -A` with its echoed command', text(...HPA_A), 'hpa'],
      ['2.1 inside `kubectl get all`', text(...HPA_ALL), 'hpa'],
      ['2.3 spaced TARGETS after `kubectl.exe get hpa`', text(...HPA_SPACED), 'hpa'],
      ['2.3 `<unknown> / 50%`', text(...HPA_UNKNOWN), 'hpa'],
      ['2.3 the pre-v1 TARGET CURRENT header', text(...HPA_ANCIENT), 'hpa'],
      ['2.1 echoed with `-w`', text('+ kubectl get hpa -A -w', ...HPA_A.slice(1)), 'hpa-watch'],
      ['2.1 with an HPA twice under one header', text(...WATCH), 'hpa-watch'],
      // --- objects
      ['2.4 as `-o yaml` prints it, after the echoed command', text(...HPA_YAML), 'hpa-yaml'],
      ['2.4 in a List', text(...HPA_LIST_YAML), 'hpa-yaml'],
      ['`-o yaml` with no HPA', text(...NO_HPA_YAML), 'hpa-yaml'],
      ['2.4 the status alone: no kind says what it is', text(...HPA_STATUS), 'unknown'],
      // --- descriptions
      ['2.5 with its Name and Reference lines', text(...DESCRIBE), 'hpa-describe'],
      ['2.5 the failing HPA with its Name and Reference lines', text(...DESCRIBE_FAILING_NAMED), 'hpa-describe'],
      ['2.5 as quoted, from `Metrics:`: no `Name:` line', text(...DESCRIBE_MEMORY), 'unknown'],
      ['`kubectl describe pod`: `Name:` without a scale target', text('Name:             web-1', 'Namespace:        shop', 'Node:             node-1/10.0.0.7'), 'unknown'],
      // --- events, which the HPA readers must leave alone
      ['4.1 `-A` without header', text(...EVENTS_A), 'events'],
      ['4.2 after a `--- events ---` marker', text(...EVENTS_UP), 'events'],
      ['4.2 the scale-down', text(...EVENTS_DOWN), 'events'],
      ['4.3 with header', text(...EVENTS_HEADER), 'events'],
      ['4.3 `-o wide`', text(...EVENTS_WIDE), 'events'],
    ])('%s', (_, input, kind) => {
      expect(detectKind(input)).toBe(kind);
    });

    it.each<[readonly string[], SnapshotKind]>([
      [['kubectl', 'get', 'hpa', '-A', '-w'], 'hpa-watch'],
      [['kubectl', 'get', 'hpa', '--watch-only'], 'hpa-watch'],
      [['kubectl', 'get', 'hpa', '-n', 'shop', '-o', 'yaml'], 'hpa-yaml'],
      [['kubectl', 'get', 'hpa', '-oyaml'], 'hpa-yaml'],
      [['kubectl', 'get', 'horizontalpodautoscalers.autoscaling', '--output=yaml'], 'hpa-yaml'],
      [['kubectl', 'describe', 'hpa', 'web', '-n', 'shop'], 'hpa-describe'],
      [['kubectl', 'describe', 'horizontalpodautoscaler/web'], 'hpa-describe'],
      [['kubectl', 'describe', 'pod', 'web-1'], 'unknown'],
    ])('from the command %j when the output has no header', (command, kind) => {
      expect(detectKind('', { command })).toBe(kind);
    });

    it('takes `describe hpa` from the command for the descriptions as the issues quote them', () => {
      expect(detectKind(text(...DESCRIBE_MEMORY), { command: ['kubectl', 'describe', 'hpa'] })).toBe('hpa-describe');
      expect(detectKind(text('$ kubectl describe hpa openstudio-server-worker', ...DESCRIBE_FAILING))).toBe('hpa-describe');
    });
  });

  describe('parseSnapshot', () => {
    it.each<[string, string, SnapshotKind, keyof SnapshotResult, number]>([
      ['2.1', text(...HPA_A), 'hpa', 'hpas', 2],
      ['2.1 get all', text(...HPA_ALL), 'hpa', 'hpas', 1],
      ['2.3 spaced', text(...HPA_SPACED), 'hpa', 'hpas', 1],
      ['2.3 unknown', text(...HPA_UNKNOWN), 'hpa', 'hpas', 1],
      ['2.3 pre-v1', text(...HPA_ANCIENT), 'hpa', 'hpas', 1],
      ['2.1 watched', text(...WATCH), 'hpa-watch', 'hpaWatch', 3],
      ['2.4 yaml', text(...HPA_YAML), 'hpa-yaml', 'hpas', 1],
      ['2.4 yaml List', text(...HPA_LIST_YAML), 'hpa-yaml', 'hpas', 1],
      ['empty yaml List', text(...NO_HPA_YAML), 'hpa-yaml', 'hpas', 0],
      ['2.5 described', text(...DESCRIBE), 'hpa-describe', 'hpas', 1],
      ['2.5 described, its events', text(...DESCRIBE), 'hpa-describe', 'events', 2],
      ['2.5 failing, described', text(...DESCRIBE_FAILING_NAMED), 'hpa-describe', 'hpas', 1],
      ['4.1', text(...EVENTS_A), 'events', 'events', 7],
      ['4.2 up', text(...EVENTS_UP), 'events', 'events', 4],
      ['4.2 down', text(...EVENTS_DOWN), 'events', 'events', 6],
      ['4.3 header', text(...EVENTS_HEADER), 'events', 'events', 1],
      ['4.3 wide', text(...EVENTS_WIDE), 'events', 'events', 2],
    ])('reads %s as `%s` into %s (%i), each record at the capture time', (_, input, kind, field, count) => {
      const result = parseSnapshot(input, { file: 'x', capturedAtMs: AT });
      expect(result.kind).toBe(kind);
      const records = result[field] as readonly { capturedAtMs: number }[];
      expect(records).toHaveLength(count);
      expect(records.every((r) => r.capturedAtMs === AT)).toBe(true);
      // Only a watch log's reader warns: its times are estimates.
      expect(result.problems).toEqual(kind === 'hpa-watch' ? [ESTIMATED(4)] : []);
    });

    it('keeps a watch log out of `hpas`: each row at its own time, not the capture time', () => {
      // The last row (`2m23s`) is at AT, so backend-backend was created in [AT − 144 s, AT − 143 s] and
      // its `2m8s` row printed in [AT − 16 s, AT − 14 s]; the frontend row was listed with it.
      const result = parseSnapshot(text('+ kubectl get hpa -A -w', ...WATCH), { file: 'hpa.log', capturedAtMs: AT });
      expect(result.kind).toBe('hpa-watch');
      expect(result.hpas).toEqual([]);
      expect(watched(result)).toEqual([
        [3, 'backend-backend', 2, '2m8s', -15, 1],
        [4, 'frontend-frontend', 1, '2m4s', -15, 1],
        [5, 'backend-backend', 2, '2m23s', 0, 0],
      ]);
      expect(result.hpaWatch?.[2]).toEqual({
        namespace: 'backend-dev',
        name: 'backend-backend',
        reference: 'Deployment/backend-backend',
        minReplicas: 1,
        maxReplicas: 5,
        currentReplicas: 2,
        desiredReplicas: null,
        metrics: [
          { name: 'cpu', current: '9%', target: '70%', currentValue: 9, targetValue: 70, unit: 'percent' },
          { name: 'memory', current: '33%', target: '70%', currentValue: 33, targetValue: 70, unit: 'percent' },
        ],
        conditions: [],
        lastScaleTimeMs: null,
        line: 5,
        event: null,
        age: '2m23s',
        timeMs: AT,
        timeUncertaintyMs: 0,
        capturedAtMs: AT,
      });
      expect(result.problems).toEqual([ESTIMATED(5)]);
    });

    it('hands `startedAtMs` to the watch reader: the first row is tied to the start too', () => {
      // Started at AT − 15 s: the first row was printed in [AT − 15 s, AT − 13 s], and with [AT − 16 s,
      // AT − 14 s] from the last row, in [AT − 15 s, AT − 14 s].
      const result = parseSnapshot(text(...WATCH), { file: 'hpa.log', capturedAtMs: AT, startedAtMs: AT - 15_000 });
      expect(watched(result)).toEqual([
        [2, 'backend-backend', 2, '2m8s', -14.5, 0.5],
        [3, 'frontend-frontend', 1, '2m4s', -14.5, 0.5],
        [4, 'backend-backend', 2, '2m23s', 0, 0],
      ]);
      expect(result.problems).toEqual([
        {
          line: null,
          severity: 'warning',
          message:
            'hpa watch: row times are estimated from the AGE column (±500 ms at most), with the last row (line 4) as printed at the capture time `2026-11-24T01:07:14.000Z` and the first row (line 2) as printed at the start time `2026-11-24T01:06:59.000Z` (or up to 2000 ms after): a watch log has no clock of its own',
        },
      ]);
    });

    it('reads `-o yaml` (2.4) as the objects they are', () => {
      expect(parseSnapshot(text(...HPA_YAML), { file: 'hpa.yaml', capturedAtMs: AT })).toEqual({
        file: 'hpa.yaml',
        entry: null,
        kind: 'hpa-yaml',
        capturedAtMs: AT,
        command: null,
        pods: [],
        containers: [],
        nodes: [],
        hpas: [{ ...WEB, capturedAtMs: AT }],
        events: [],
        placements: [],
        problems: [],
      });
    });

    it('reads `describe hpa` (2.5) into the HPA and its events (4.4), the events at capture time − Age', () => {
      const result = parseSnapshot(text('$ kubectl describe hpa web -n shop', ...DESCRIBE), { file: 'describe.txt', capturedAtMs: AT });
      expect(result.kind).toBe('hpa-describe');
      expect(result.hpas).toEqual([
        {
          namespace: 'shop',
          name: 'web',
          reference: 'Deployment/web',
          minReplicas: 3,
          maxReplicas: 50,
          currentReplicas: 8,
          desiredReplicas: 8,
          metrics: [{ name: 'memory', current: '42%', target: '50%', currentValue: 42, targetValue: 50, unit: 'percent' }],
          conditions: [
            { type: 'AbleToScale', status: true, reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
            { type: 'ScalingActive', status: true, reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from memory resource utilization (percentage of request)' },
            { type: 'ScalingLimited', status: false, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
          ],
          lastScaleTimeMs: null,
          capturedAtMs: AT,
        },
      ]);
      expect(result.events.map((e) => [e.namespace, e.object, e.type, e.reason, e.lastSeen, e.timeMs === null ? null : (AT - e.timeMs) / 1000, e.count, e.newSize, e.rescaleReason, e.capturedAtMs])).toEqual([
        ['shop', 'horizontalpodautoscaler/web', 'Normal', 'SuccessfulRescale', '20m', 1200, 3, 2, 'All metrics below target', AT],
        [
          'shop',
          'horizontalpodautoscaler/web',
          'Normal',
          'SuccessfulRescale',
          '8m30s',
          510,
          2,
          3,
          'external metric sqs_approximatenumberofmessages(&LabelSelector{MatchLabels:map[string]string{namespace: ns-ethos-6a9700c94e7c128f35d508b11fc-dev,queue: chandanb-sqs-dev,service: ob3b49fb5655c,},MatchExpressions:[]LabelSelectorRequirement{},}) above target',
          AT,
        ],
      ]);
      expect(result.problems).toEqual([]);
    });

    it('reads the failing HPA (2.5): no current metric, ScalingActive False', () => {
      const [hpa] = parseSnapshot(text(...DESCRIBE_FAILING_NAMED), { file: 'x', capturedAtMs: AT }).hpas;
      expect([hpa?.name, hpa?.currentReplicas, hpa?.desiredReplicas, hpa?.metrics, hpa?.conditions.map((c) => [c.type, c.status, c.reason])]).toEqual([
        'openstudio-server-worker',
        1,
        0,
        [{ name: 'cpu', current: null, target: '50%', currentValue: null, targetValue: 50, unit: 'percent' }],
        [
          ['AbleToScale', true, 'SucceededGetScale'],
          ['ScalingActive', false, 'FailedGetResourceMetric'],
        ],
      ]);
    });

    it('says so when `describe hpa` output lacks its `Name:` line (2.5 as quoted)', () => {
      const result = parseSnapshot(text(...DESCRIBE_MEMORY), { file: 'x', capturedAtMs: AT, command: ['kubectl', 'describe', 'hpa'] });
      expect([result.kind, result.hpas, result.events]).toEqual(['hpa-describe', [], []]);
      expect(result.problems).toEqual([
        { line: 1, severity: 'error', message: 'hpa describe: no `Name:` line: expected `kubectl describe hpa` output, which starts each HPA with `Name:` at line 1' },
      ]);
    });
  });

  describe('readSnapshotFile', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'k6-capacity-hpa-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const write = (name: string, content: string, mtimeMs?: number): string => {
      const file = join(dir, name);
      writeFileSync(file, content);
      if (mtimeMs !== undefined) utimesSync(file, new Date(mtimeMs), new Date(mtimeMs));
      return file;
    };

    // --- watch logs: the modification time is the last row's
    it('times a watch log by its mtime and takes an earlier time in its name as the start', () => {
      const file = write('hpa-20261124T010659Z.log', text(...WATCH), AT);
      const [result] = readSnapshotFile(file);
      expect([result?.kind, result?.capturedAtMs, result?.hpas]).toEqual(['hpa-watch', AT, []]);
      expect(result === undefined ? [] : watched(result)).toEqual([
        [2, 'backend-backend', 2, '2m8s', -14.5, 0.5],
        [3, 'frontend-frontend', 1, '2m4s', -14.5, 0.5],
        [4, 'backend-backend', 2, '2m23s', 0, 0],
      ]);
      expect(result?.problems.map((p) => p.message)).toEqual([
        "snapshots: `hpa-20261124T010659Z.log` is a `kubectl get hpa -w` log: took its last row as written at the file's modification time `2026-11-24T01:07:14.000Z` and the time in its name `2026-11-24T01:06:59.000Z` as its start",
        'hpa watch: row times are estimated from the AGE column (±500 ms at most), with the last row (line 4) as printed at the capture time `2026-11-24T01:07:14.000Z` and the first row (line 2) as printed at the start time `2026-11-24T01:06:59.000Z` (or up to 2000 ms after): a watch log has no clock of its own',
      ]);
    });

    it('says a start time in the name without a zone is read as UTC', () => {
      const [result] = readSnapshotFile(write('hpa-20261124T010659.log', text(...WATCH), AT));
      expect(result?.problems.slice(0, 2).map((p) => p.message)).toEqual([
        "snapshots: `hpa-20261124T010659.log` is a `kubectl get hpa -w` log: took its last row as written at the file's modification time `2026-11-24T01:07:14.000Z` and the time in its name `2026-11-24T01:06:59.000Z` as its start",
        'snapshots: the time in the file name `hpa-20261124T010659.log` has no zone: read as UTC',
      ]);
    });

    it.each([
      ['without a time in its name', 'hpa-watch.log', "snapshots: `hpa-watch.log` is a `kubectl get hpa -w` log: took its last row as written at the file's modification time `2026-11-24T01:07:14.000Z`"],
      [
        'with a time in its name after its mtime',
        'hpa-20261124T010800Z.log',
        "snapshots: `hpa-20261124T010800Z.log` is a `kubectl get hpa -w` log: took its last row as written at the file's modification time `2026-11-24T01:07:14.000Z`, and ignored the time in its name `2026-11-24T01:08:00.000Z`: expected a start before that",
      ],
    ])('times a watch log %s by its mtime alone', (_, name, message) => {
      const [result] = readSnapshotFile(write(name, text('+ kubectl get hpa -A -w', ...WATCH), AT));
      expect([result?.kind, result?.capturedAtMs]).toEqual(['hpa-watch', AT]);
      expect(result === undefined ? [] : watched(result)).toEqual([
        [3, 'backend-backend', 2, '2m8s', -15, 1],
        [4, 'frontend-frontend', 1, '2m4s', -15, 1],
        [5, 'backend-backend', 2, '2m23s', 0, 0],
      ]);
      expect(result?.problems).toEqual([{ line: null, severity: 'warning', message }, ESTIMATED(5)]);
    });

    it('still takes a table’s time from its name (one `get hpa`, not a watch)', () => {
      const [result] = readSnapshotFile(write('hpa-20261124T010659Z.txt', text(...HPA_A), AT));
      expect([result?.kind, result?.capturedAtMs, result?.hpas.length, result?.hpaWatch, result?.problems]).toEqual(['hpa', AT - 15_000, 2, undefined, []]);
    });

    // --- YAML
    it('reads `kubectl get hpa -o yaml` saved as .yaml or .yml', () => {
      const [one] = readSnapshotFile(write('hpa-20261124T010714Z.yaml', text(...HPA_YAML)));
      expect(one).toEqual({
        file: join(dir, 'hpa-20261124T010714Z.yaml'),
        entry: null,
        kind: 'hpa-yaml',
        capturedAtMs: AT,
        command: null,
        pods: [],
        containers: [],
        nodes: [],
        hpas: [{ ...WEB, capturedAtMs: AT }],
        events: [],
        placements: [],
        problems: [],
      });
      const [list] = readSnapshotFile(write('hpas-20261124T010714Z.yml', text(...HPA_LIST_YAML)));
      expect([list?.kind, list?.hpas, list?.problems]).toEqual(['hpa-yaml', [{ ...WEB, capturedAtMs: AT }], []]);
      const [none] = readSnapshotFile(write('none-20261124T010714Z.yaml', text(...NO_HPA_YAML)));
      expect([none?.kind, none?.hpas, none?.problems]).toEqual(['hpa-yaml', [], []]);
    });

    it.each([
      ['the 2.4 status alone', 'status.yaml', text(...HPA_STATUS)],
      ['a Deployment', 'deploy.yml', text('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web')],
      ['a List of pods', 'pods.yaml', text('apiVersion: v1', 'items:', '- apiVersion: v1', '  kind: Pod', '  metadata:', '    name: web-1', 'kind: List')],
    ])('skips YAML that holds no HPA: %s', (_, name, content) => {
      const file = write(name, content);
      expect(readSnapshotFile(file)).toEqual([
        {
          file,
          entry: null,
          kind: 'unknown',
          capturedAtMs: null,
          command: null,
          pods: [],
          containers: [],
          nodes: [],
          hpas: [],
          events: [],
          placements: [],
          problems: [
            {
              line: null,
              severity: 'error',
              message: `snapshots: skipped \`${file}\`: YAML is read only for HPAs: expected \`kind\` HorizontalPodAutoscaler, HorizontalPodAutoscalerList or a List of them (\`kubectl get hpa -o yaml\`), else \`kubectl get … -o json\` or a table`,
            },
          ],
        },
      ]);
    });

    // --- the capture log
    it('reads the three kinds from a capture log, kubectl’s errors with their consequence', () => {
      const entry = (fields: Record<string, unknown>): string => JSON.stringify({ exit_code: 0, stderr: '', ...fields });
      const file = write(
        'hpa.jsonl',
        [
          entry({ captured_at: '2026-11-24T01:07:14Z', kind: 'hpa-watch', command: ['kubectl', 'get', 'hpa', '-A', '-w'], stdout: text(...WATCH) }),
          entry({ captured_at: '2026-11-24T01:07:14Z', kind: 'hpa-yaml', command: ['kubectl', 'get', 'hpa', '-n', 'shop', '-o', 'yaml'], stdout: text(...HPA_HEAD, ...HPA_STATUS) }),
          entry({
            captured_at: '2026-11-24T01:07:14Z',
            kind: 'hpa-describe',
            command: ['kubectl', 'describe', 'hpa', 'web', '-n', 'shop'],
            exit_code: 1,
            stdout: '',
            stderr: 'Error from server (NotFound): horizontalpodautoscalers.autoscaling "web" not found\n',
          }),
        ].join('\n'),
      );
      const [watch, yaml, describe] = readSnapshotFile(file);
      expect([watch?.kind, watch?.entry, watch?.hpas.length, watch?.hpaWatch?.length, watch?.problems]).toEqual(['hpa-watch', 1, 0, 3, [ESTIMATED(4)]]);
      expect([yaml?.kind, yaml?.hpas, yaml?.problems]).toEqual(['hpa-yaml', [{ ...WEB, capturedAtMs: AT }], []]);
      expect([describe?.kind, describe?.hpas, describe?.events]).toEqual(['hpa-describe', [], []]);
      expect(describe?.problems).toEqual([
        { line: null, severity: 'error', message: `snapshot log: \`kubectl describe hpa web -n shop\` exited with code 1 at ${file}:3` },
        { line: null, severity: 'error', message: `kubectl: \`Error from server (NotFound): horizontalpodautoscalers.autoscaling "web" not found\`: no HPA from this command, on stderr at ${file}:3` },
      ]);
    });
  });
});

describe('the barrel', () => {
  it('exports exactly this', () => {
    expect(Object.keys(snapshots).sort()).toEqual([
      'SNAPSHOT_KINDS',
      'bytes',
      'cpuMillicores',
      'detectKind',
      'isHpaWatch',
      'parseCgroupStats',
      'parseDescribeEvents',
      'parseEvents',
      'parseHpaDescribe',
      'parseHpaJson',
      'parseHpaRows',
      'parseHpaTable',
      'parseHpaWatch',
      'parseHpaYaml',
      'parseMetricsApi',
      'parsePods',
      'parseQuantity',
      'parseSnapshot',
      'parseTargets',
      'parseTopNodes',
      'parseTopPods',
      'readSnapshotFile',
      'readSnapshots',
      'sumContainers',
      'timeFromFileName',
      'toNumber',
    ]);
  });
});
