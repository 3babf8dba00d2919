import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../analysis/errors.ts';
import * as snapshots from '../../../analysis/snapshots/index.ts';
import { detectKind, parseSnapshot, readSnapshots, timeFromFileName } from '../../../analysis/snapshots/index.ts';
import type { SnapshotKind, SnapshotResult } from '../../../analysis/snapshots/types.ts';

// Short excerpts from /work/shared/reference/formats.md (sources named per excerpt).
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
        message: 'snapshot: cannot tell what `notes.txt` holds: expected `kubectl top pods|nodes`, `kubectl get hpa|events|pods -o wide` output or Metrics API JSON',
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
      [{ line: null, severity: 'error', message: `snapshots: skipped \`${at('e-hpa.yaml')}\`: YAML is not read: expected \`kubectl get … -o json\` or a table` }],
      [{ line: null, severity: 'warning', message: `snapshots: skipped \`${at('f-notes.md')}\`: expected \`.jsonl\`, \`.ndjson\`, \`.txt\`, \`.log\`, \`.out\`, \`.json\`` }],
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

describe('the barrel', () => {
  it('exports exactly this', () => {
    expect(Object.keys(snapshots).sort()).toEqual([
      'SNAPSHOT_KINDS',
      'bytes',
      'cpuMillicores',
      'detectKind',
      'parseEvents',
      'parseHpaJson',
      'parseHpaTable',
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
