import { describe, expect, it } from 'vitest';
import { parseMetricsApi } from '../../../analysis/snapshots/metrics-api.ts';
import type { NodeResourceSample, PodResourceSample } from '../../../analysis/snapshots/types.ts';

// Excerpts from ../shared/reference/formats.md section 1.8 (sources named per excerpt).
const Ki = (n: number): number => n * 1024;
const sample = (
  namespace: string | null,
  pod: string,
  container: string | null,
  cpu: number | null,
  memory: number | null,
  scrapedAtMs: number | null,
  windowMs: number | null = 30_000,
): PodResourceSample => ({ namespace, pod, container, cpuMillicores: cpu, memoryBytes: memory, scrapedAtMs, windowMs });

// formats.md 1.8a (kubernetes/website#27840): jq-printed PodMetricsList after an echoed command, cut
// off in the issue after the second item (the `},` is the last line).
const CUT_LIST = `➜  ~ minikube kubectl -- get --raw "/apis/metrics.k8s.io/v1beta1/pods" | jq '.'
{
  "kind": "PodMetricsList",
  "apiVersion": "metrics.k8s.io/v1beta1",
  "metadata": {
    "selfLink": "/apis/metrics.k8s.io/v1beta1/pods"
  },
  "items": [
    {
      "metadata": {
        "name": "coredns-78fcd69978-f6pqv",
        "namespace": "kube-system",
        "selfLink": "/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/coredns-78fcd69978-f6pqv",
        "creationTimestamp": "2021-12-17T17:58:01Z"
      },
      "timestamp": "2021-12-17T17:57:42Z",
      "window": "30s",
      "containers": [
        {
          "name": "coredns",
          "usage": {
            "cpu": "7338891n",
            "memory": "14520Ki"
          }
        }
      ]
    },
    {
      "metadata": {
        "name": "etcd-minikube",
        "namespace": "kube-system"
      },
      "timestamp": "2021-12-17T17:57:44Z",
      "window": "30s",
      "containers": [
        {
          "name": "etcd",
          "usage": {
            "cpu": "58846045n",
            "memory": "53836Ki"
          }
        }
      ]
    },
`;

// formats.md 1.8b (kubernetes-sigs/metrics-server#575): a single PodMetrics with a tiny CPU value.
const SINGLE = `{
  "kind": "PodMetrics",
  "apiVersion": "metrics.k8s.io/v1beta1",
  "metadata": {
    "name": "chaosblade-tool-6qbvv",
    "namespace": "kube-system",
    "selfLink": "/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods/chaosblade-tool-6qbvv",
    "creationTimestamp": "2020-08-17T09:26:09Z"
  },
  "timestamp": "2020-08-17T09:25:01Z",
  "window": "30s",
  "containers": [
    {
      "name": "chaosblade-tool",
      "usage": {
        "cpu": "43481n",
        "memory": "864Ki"
      }
    }
  ]
}`;

describe('parseMetricsApi', () => {
  // --- the four kinds
  it('keeps the complete items of a cut-off PodMetricsList and says so', () => {
    const coredns = sample('kube-system', 'coredns-78fcd69978-f6pqv', null, 7.338891, Ki(14520), Date.UTC(2021, 11, 17, 17, 57, 42));
    const etcd = sample('kube-system', 'etcd-minikube', null, 58.846045, Ki(53836), Date.UTC(2021, 11, 17, 17, 57, 44));
    expect(parseMetricsApi(CUT_LIST)).toEqual({
      pods: [coredns, etcd],
      containers: [{ ...coredns, container: 'coredns' }, { ...etcd, container: 'etcd' }],
      nodes: [],
      problems: [{ line: 44, severity: 'error', message: 'metrics API: the JSON is cut off (kept 2 complete items) at line 44' }],
    });
  });

  it('drops an item cut off in the middle rather than report half its containers', () => {
    const cut = CUT_LIST + '    {\n      "metadata": { "name": "web-1", "namespace": "default" },\n      "containers": [\n        { "name": "app", "usage": { "cpu": "1m", "memory": "1Ki" } },\n        { "name": "side';
    const { pods, problems } = parseMetricsApi(cut);
    expect(pods.map((p) => p.pod)).toEqual(['coredns-78fcd69978-f6pqv', 'etcd-minikube']);
    expect(problems).toEqual([{ line: 49, severity: 'error', message: 'metrics API: the JSON is cut off (kept 2 complete items, dropped 1 cut-off item) at line 49' }]);
  });

  it('reads a single PodMetrics', () => {
    const expected = sample('kube-system', 'chaosblade-tool-6qbvv', null, 0.043481, Ki(864), Date.UTC(2020, 7, 17, 9, 25, 1));
    expect(parseMetricsApi(SINGLE)).toEqual({ pods: [expected], containers: [{ ...expected, container: 'chaosblade-tool' }], nodes: [], problems: [] });
  });

  it('reads NodeMetricsList and NodeMetrics without selfLink, with labels and a fractional window', () => {
    // Values of formats.md 1.8c (kubernetes-sigs/metrics-server#1669, `kubectl get NodeMetrics`) in the
    // JSON shape of a newer cluster (no selfLink, metadata.labels).
    const list = JSON.stringify({
      kind: 'NodeMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metadata: { name: 'minikube', creationTimestamp: '2024-01-05T10:00:21Z', labels: { 'kubernetes.io/hostname': 'minikube' } },
          timestamp: '2024-01-05T10:00:01Z',
          window: '20.162s',
          usage: { cpu: '401910564n', memory: '1762588Ki' },
        },
      ],
    });
    const single = JSON.stringify({
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'big' },
      timestamp: '2024-01-05T10:00:01.5Z',
      window: '1m0s',
      // hivecommons/hive#1619: more than one core in nanocores
      usage: { cpu: '5866711668n', memory: '2Gi' },
    });
    const node = (name: string, cpu: number, memory: number, scrapedAtMs: number, windowMs: number): NodeResourceSample => ({
      node: name,
      cpuMillicores: cpu,
      cpuPercent: null,
      memoryBytes: memory,
      memoryPercent: null,
      scrapedAtMs,
      windowMs,
    });
    expect(parseMetricsApi(`${list}\n${single}\n`)).toEqual({
      pods: [],
      containers: [],
      nodes: [node('minikube', 401.910564, Ki(1762588), Date.UTC(2024, 0, 5, 10, 0, 1), 20_162), node('big', 5866.711668, 2147483648, Date.UTC(2024, 0, 5, 10, 0, 1, 500), 60_000)],
      problems: [],
    });
  });

  // --- quantities
  it('sums a pod exactly over containers whose CPU is in n, u, m or a bare 0 and memory in Ki or bytes', () => {
    const input = JSON.stringify({
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metadata: { name: 'web-1', namespace: 'default' },
          timestamp: '2026-11-24T01:07:00Z',
          window: '15.009s',
          containers: [
            { name: 'app', usage: { cpu: '82825610n', memory: '2935352Ki' } },
            { name: 'proxy', usage: { cpu: '1500u', memory: '1048576' } },
            { name: 'log', usage: { cpu: '2m', memory: '0' } },
            { name: 'idle', usage: { cpu: '0', memory: '100Ki' } },
          ],
        },
      ],
    });
    const { pods, containers, problems } = parseMetricsApi(input);
    expect(problems).toEqual([]);
    expect(pods).toEqual([sample('default', 'web-1', null, 86.32561, Ki(2935352) + 1048576 + Ki(100), Date.UTC(2026, 10, 24, 1, 7, 0), 15_009)]);
    expect(containers.map((c) => [c.container, c.cpuMillicores, c.memoryBytes])).toEqual([
      ['app', 82.82561, Ki(2935352)],
      ['proxy', 1.5, 1048576],
      ['log', 2, 0],
      ['idle', 0, Ki(100)],
    ]);
  });

  // --- problems
  it.each([
    [
      'a bad CPU value makes the pod total unknown',
      { cpu: '12 cores', memory: '1Ki' },
      ['metrics API: `usage.cpu` of `default/web-1` (container `app`) is `12 cores`: expected a quantity such as `7338891n` at line 1'],
      [null, 1024],
    ],
    [
      'a missing memory value',
      { cpu: '1m' },
      ['metrics API: `usage.memory` of `default/web-1` (container `app`) is missing: expected a quantity such as `14520Ki` at line 1'],
      [1, null],
    ],
    [
      'a negative value is not a usage',
      { cpu: '-1m', memory: 7 },
      [
        'metrics API: `usage.cpu` of `default/web-1` (container `app`) is `-1m`: expected a quantity such as `7338891n` at line 1',
        'metrics API: `usage.memory` of `default/web-1` (container `app`) is `7`: expected a quantity such as `14520Ki` at line 1',
      ],
      [null, null],
    ],
  ])('%s', (_, usage, messages, [cpu, memory]) => {
    const input = JSON.stringify({
      kind: 'PodMetrics',
      metadata: { name: 'web-1', namespace: 'default' },
      timestamp: '2026-11-24T01:07:00Z',
      window: '30s',
      containers: [{ name: 'app', usage }],
    });
    const { pods, problems } = parseMetricsApi(input);
    expect(problems).toEqual(messages.map((message) => ({ line: 1, severity: 'error', message })));
    expect(pods.map((p) => [p.cpuMillicores, p.memoryBytes])).toEqual([[cpu, memory]]);
  });

  it.each([
    [
      'a bad timestamp and window',
      '{"kind":"NodeMetrics","metadata":{"name":"n1"},"timestamp":"yesterday","window":"30","usage":{"cpu":"1m","memory":"1Ki"}}',
      [
        'metrics API: `timestamp` of `n1` is `yesterday`: expected an RFC 3339 time such as `2021-12-17T17:57:42Z` at line 1',
        'metrics API: `window` of `n1` is `30`: expected a Go duration such as `30s` at line 1',
      ],
    ],
    ['another kind', '{"kind":"PodList","items":[]}', ['metrics API: expected `kind` PodMetricsList, PodMetrics, NodeMetricsList or NodeMetrics, got `PodList` at line 1']],
    ['an item without name', '{"kind":"PodMetricsList","items":[{"metadata":{},"containers":[]}]}', ['metrics API: an item has no `metadata.name` at line 1']],
    ['a syntax error', '{"kind":"PodMetricsList","items":[}', ['metrics API: invalid JSON: expected a JSON value, got `}` (kept 0 complete items) at line 1']],
    ['text that is not JSON', 'hello', ['metrics API: skipped `hello`: expected JSON at line 1']],
  ])('%s', (_, input, messages) => {
    expect(parseMetricsApi(input).problems).toEqual(messages.map((message) => ({ line: 1, severity: 'error', message })));
  });

  it('turns kubectl errors into problems and `No resources found` into nothing', () => {
    expect(parseMetricsApi('error: Metrics API not available\n')).toEqual({
      pods: [],
      containers: [],
      nodes: [],
      problems: [{ line: 1, severity: 'error', message: 'kubectl: `error: Metrics API not available`: no resource metrics from this command at line 1' }],
    });
    expect(parseMetricsApi('No resources found\n')).toEqual({ pods: [], containers: [], nodes: [], problems: [] });
  });

  it('reads several documents in a row (a sampler appending to one file)', () => {
    const one = JSON.stringify(JSON.parse(SINGLE));
    const { pods } = parseMetricsApi(`${one}\n${one}\n`);
    expect(pods).toHaveLength(2);
  });
});
