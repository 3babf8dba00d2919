import { describe, expect, it } from 'vitest';
import { parseTopNodes, parseTopPods, sumContainers } from '../../../analysis/snapshots/top.ts';
import type { NodeResourceSample, PodResourceSample } from '../../../analysis/snapshots/types.ts';

// Excerpts from ../shared/reference/formats.md section 1 (sources named per excerpt). Lines are
// listed one per string so the trailing spaces of kubectl's tabwriter stay visible.
const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const Mi = (n: number): number => n * 1024 * 1024;
const pod = (namespace: string | null, name: string, cpu: number | null, memory: number | null, container: string | null = null): PodResourceSample => ({
  namespace,
  pod: name,
  container,
  cpuMillicores: cpu,
  memoryBytes: memory,
  scrapedAtMs: null,
  windowMs: null,
});
const node = (name: string, cpu: number | null, cpuPercent: number | null, memory: number | null, memoryPercent: number | null, scrapedAtMs: number | null = null): NodeResourceSample => ({
  node: name,
  cpuMillicores: cpu,
  cpuPercent,
  memoryBytes: memory,
  memoryPercent,
  scrapedAtMs,
  windowMs: null,
});

describe('parseTopPods', () => {
  // --- header variants
  it.each([
    [
      // formats.md 1.1 (lauj0rge/vyking-devops-task run log): -A, trailing spaces, `+` prompt, rows omitted as `...`
      '-A with trailing spaces',
      text(
        '+ kubectl top pods -A',
        'NAMESPACE       NAME                                                CPU(cores)   MEMORY(bytes)   ',
        'argocd-dev      argocd-application-controller-0                     14m          152Mi           ',
        'argocd-dev      argocd-dex-server-796678d5bc-jhpcs                  0m           33Mi            ',
        '...',
        'kube-system     svclb-traefik-f611fe98-vrh9v                        0m           0Mi             ',
      ),
      [
        pod('argocd-dev', 'argocd-application-controller-0', 14, Mi(152)),
        pod('argocd-dev', 'argocd-dex-server-796678d5bc-jhpcs', 0, Mi(33)),
        pod('kube-system', 'svclb-traefik-f611fe98-vrh9v', 0, 0),
      ],
    ],
    [
      // formats.md 1.2 (kubernetes/kubernetes#110722): namespace-scoped, `>>` prompt, large Mi values
      'namespace-scoped',
      text(
        '>>kubectl top pod -n kubeflow ',
        'NAME                                                         CPU(cores)   MEMORY(bytes)',
        'katib-mysql-7894994f88-2sq4c                                 15m          388Mi',
        'minio-5b65df66c9-lb8n2                                       5m           24973Mi',
      ),
      [pod(null, 'katib-mysql-7894994f88-2sq4c', 15, Mi(388)), pod(null, 'minio-5b65df66c9-lb8n2', 5, Mi(24973))],
    ],
    [
      // formats.md 1.3 (code-index file id 57793322382): --containers
      '--containers',
      text(
        'POD                      NAME       CPU(cores)   MEMORY(bytes)',
        'api-7b45568cc4-l27fc     api        3m           48Mi',
        'postgres-0               postgres   4m           53Mi',
      ),
      [pod(null, 'api-7b45568cc4-l27fc', 3, Mi(48), 'api'), pod(null, 'postgres-0', 4, Mi(53), 'postgres')],
    ],
    [
      // formats.md 1.3, unmerged variant (kubernetes/kubernetes#123123): --containers with percentages
      '--containers with CPU% MEMORY%',
      text(
        'POD                        NAME      CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%   ',
        'coredns-58bfd8f658-k72qt   coredns   2m           0%     20Mi            1% ',
      ),
      [pod(null, 'coredns-58bfd8f658-k72qt', 2, Mi(20), 'coredns')],
    ],
    [
      // --containers -A: NAMESPACE POD NAME (columns per kubectl's metrics_printer.go)
      '-A --containers',
      text('NAMESPACE     POD                        NAME      CPU(cores)   MEMORY(bytes)   ', 'kube-system   coredns-58bfd8f658-k72qt   coredns   2m           20Mi            '),
      [pod('kube-system', 'coredns-58bfd8f658-k72qt', 2, Mi(20), 'coredns')],
    ],
    [
      // --show-swap adds SWAP(bytes), which is not read
      '--show-swap',
      text('NAME    CPU(cores)   MEMORY(bytes)   SWAP(bytes)   ', 'web-0   12m          40Mi            0Mi           '),
      [pod(null, 'web-0', 12, Mi(40))],
    ],
  ])('%s', (_, input, records) => {
    expect(parseTopPods(input)).toEqual({ records, problems: [] });
  });

  // --- --sum
  it('skips the `________` separator and the unnamed totals row of --sum', () => {
    // formats.md 1.4 (kubernetes/kubernetes#105100); the two sum rows are cut off in the issue, so they
    // are typed here as kubectl's printPodResourcesSum lays them out: blank cells, then the values.
    const input = text(
      ' $ ./kubectl top pods --sum -A',
      'NAMESPACE        NAME                                          CPU(cores)   MEMORY(bytes)   ',
      'cert-manager     cert-manager-7998c69865-m5pjn                 11m          14Mi            ',
      'kube-system      nginx-ingress-controller-699bf59c5-j6dfw      6m           74Mi',
      '                                                               ________     ________        ',
      '                                                               17m          88Mi            ',
    );
    expect(parseTopPods(input)).toEqual({
      records: [pod('cert-manager', 'cert-manager-7998c69865-m5pjn', 11, Mi(14)), pod('kube-system', 'nginx-ingress-controller-699bf59c5-j6dfw', 6, Mi(74))],
      problems: [],
    });
  });

  // --- --no-headers
  it.each([
    ['one name column is the pod', text('web-1   5m   10Mi'), {}, [pod(null, 'web-1', 5, Mi(10))]],
    ['three name columns are NAMESPACE POD NAME', text('default   web-1   app   5m   10Mi'), {}, [pod('default', 'web-1', 5, Mi(10), 'app')]],
    ['-A from the options', text('default   web-1   5m   10Mi'), { allNamespaces: true }, [pod('default', 'web-1', 5, Mi(10))]],
    ['--containers from the options', text('web-1   app   5m   10Mi'), { containers: true }, [pod(null, 'web-1', 5, Mi(10), 'app')]],
    ['--containers from the echoed command', text('$ kubectl top pods --containers --no-headers', 'web-1   app   5m   10Mi'), {}, [pod(null, 'web-1', 5, Mi(10), 'app')]],
    ['-A from the echoed command', text('+ kubectl top pods -A --no-headers', 'default   web-1   5m   10Mi'), {}, [pod('default', 'web-1', 5, Mi(10))]],
  ])('%s', (_, input, options, records) => {
    expect(parseTopPods(input, options)).toEqual({ records, problems: [] });
  });

  it('warns once when two name columns could be NAMESPACE NAME or POD NAME', () => {
    expect(parseTopPods(text('default   web-1   5m   10Mi', 'default   web-2   6m   11Mi'))).toEqual({
      records: [pod('default', 'web-1', 5, Mi(10)), pod('default', 'web-2', 6, Mi(11))],
      problems: [
        {
          line: 1,
          severity: 'warning',
          message:
            'top pods: no header and no command line to tell whether the two name columns of `default   web-1   5m   10Mi` are NAMESPACE NAME (-A) or POD NAME (--containers): read as NAMESPACE NAME at line 1',
        },
      ],
    });
  });

  // --- <unknown> rows, repeated headers
  it('keeps the name of an `<unknown>` row with its metrics missing', () => {
    const input = text('NAMESPACE   NAME    CPU(cores)   MEMORY(bytes)', 'default     web-1   <unknown>    <unknown>', 'default     web-2   <unknown>');
    expect(parseTopPods(input).records).toEqual([pod('default', 'web-1', null, null), pod('default', 'web-2', null, null)]);
  });

  it('follows repeated headers of concatenated captures, even when the columns change', () => {
    const input = text(
      'NAME    CPU(cores)   MEMORY(bytes)',
      'web-1   5m           10Mi',
      'NAMESPACE   NAME    CPU(cores)   MEMORY(bytes)   ',
      'default     web-1   7m           12Mi            ',
    );
    expect(parseTopPods(input)).toEqual({ records: [pod(null, 'web-1', 5, Mi(10)), pod('default', 'web-1', 7, Mi(12))], problems: [] });
  });

  // --- errors and noise
  it.each([
    // kubernetes-sigs/metrics-server#1282 and easzlab/kubeasz#1417
    ['error: Metrics API not available', 1, 'kubectl: `error: Metrics API not available`: no resource metrics from this command at line 1'],
    // kubernetes/kubernetes#69360
    ['error: metrics not available yet', 1, 'kubectl: `error: metrics not available yet`: no resource metrics from this command at line 1'],
    // kubernetes-sigs/metrics-server#1558 (the poster's stray backticks kept)
    [
      'kubectl -n kube-system top po\nerror: Metrics not available for pod kube-system/alertmanager-cluster-monitoring-kube-pr-alertmanager-0, age: 69h55m32.681659s```',
      2,
      'kubectl: `error: Metrics not available for pod kube-system/alertmanager-cluster-monitoring-kube-pr-alertmanager-0, age: 69h55m32.681659s````: no resource metrics from this command at line 2',
    ],
    // kubernetes/kubernetes#44540 (heapster era)
    [
      'Error from server (NotFound): the server could not find the requested resource (get services http:heapster:)',
      1,
      'kubectl: `Error from server (NotFound): the server could not find the requested resource (get services http:heapster:)`: no resource metrics from this command at line 1',
    ],
  ])('`%s` is a problem, never a record', (input, line, message) => {
    expect(parseTopPods(`${input}\n`)).toEqual({ records: [], problems: [{ line, severity: 'error', message }] });
  });

  it('skips klog lines interleaved with the output (kubernetes/kubernetes#44540)', () => {
    const input = text(
      '$ kubectl top pod --namespace=monitoring',
      'W0416 17:58:15.174555    1159 top_pod.go:190] Metrics not available for pod monitoring/grafana-2017641066-rlq7c, age: 26m33.174541702s',
      'error: Metrics not available for pod monitoring/grafana-2017641066-rlq7c, age: 26m33.174541702s',
    );
    expect(parseTopPods(input)).toEqual({
      records: [],
      problems: [
        {
          line: 2,
          severity: 'warning',
          message:
            'kubectl: skipped the klog line `W0416 17:58:15.174555    1159 top_pod.go:190] Metrics not available for pod monitoring/grafana-2017641066-rlq7c, age: 26m33.174541702s` at line 2',
        },
        {
          line: 3,
          severity: 'error',
          message: 'kubectl: `error: Metrics not available for pod monitoring/grafana-2017641066-rlq7c, age: 26m33.174541702s`: no resource metrics from this command at line 3',
        },
      ],
    });
  });

  it.each([
    // kubernetes-sigs/metrics-server#1036
    'No resources found',
    'No resources found in load-test namespace.',
    '',
  ])('`%s` is zero records and no problem', (input) => {
    expect(parseTopPods(input)).toEqual({ records: [], problems: [] });
  });

  it('skips a `kubectl top nodes` table captured in the same file', () => {
    const input = text('NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%', 'node-1   38m          1%     410Mi           5%', 'NAME    CPU(cores)   MEMORY(bytes)', 'web-1   5m           10Mi');
    expect(parseTopPods(input)).toEqual({
      records: [pod(null, 'web-1', 5, Mi(10))],
      problems: [{ line: 1, severity: 'warning', message: 'top pods: skipped the `kubectl top nodes` table at line 1' }],
    });
  });

  // --- broken rows
  it.each([
    [text('NAME    CPU(cores)   MEMORY(bytes)', 'web-1   5m'), 'top pods: a row needs 3 columns like its header, this one has 2, got `web-1   5m` at line 2'],
    [text('NAME    CPU(cores)   MEMORY(bytes)', 'web-1   5x   10Mi'), 'top pods: CPU `5x` of `web-1` is not a quantity such as `250m` at line 2'],
    [text('NAME    CPU(cores)   MEMORY(bytes)', 'web-1   5m   10MB'), 'top pods: memory `10MB` of `web-1` is not a quantity such as `512Mi` at line 2'],
    [text('something else entirely'), 'top pods: a pod row without header needs `[NAMESPACE] [POD] NAME CPU MEMORY`, got `something else entirely` at line 1'],
  ])('reports a broken row %#', (input, message) => {
    const line = input.split('\n').length - 1;
    expect(parseTopPods(input)).toEqual({ records: [], problems: [{ line, severity: 'error', message }] });
  });
});

describe('parseTopNodes', () => {
  // --- the three header generations
  it.each([
    [
      // formats.md 1.5a (vyking-devops-task log): kubectl ≥ 1.33 `CPU(%)` / `MEMORY(%)`
      'CPU(%) MEMORY(%)',
      text(
        '+ kubectl top nodes',
        'NAME                      CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   ',
        'k3d-vyking-dev-agent-0    703m         23%      407Mi           5%          ',
        'k3d-vyking-dev-server-0   335m         11%      1325Mi          16%         ',
      ),
      [node('k3d-vyking-dev-agent-0', 703, 23, Mi(407), 5), node('k3d-vyking-dev-server-0', 335, 11, Mi(1325), 16)],
    ],
    [
      // formats.md 1.5b (kubernetes-sigs/metrics-server#193): classic `CPU%` / `MEMORY%`, padded prompt
      'CPU% MEMORY%',
      text(
        '$ kubectl top nodes                     ',
        'NAME                          CPU(cores)   CPU%      MEMORY(bytes)   MEMORY%   ',
        'ip-10-10-1-247.ec2.internal   38m          1%        410Mi           5%        ',
      ),
      [node('ip-10-10-1-247.ec2.internal', 38, 1, Mi(410), 5)],
    ],
    [
      // formats.md 1.5c (kubernetes/kubernetes#28844): pre-1.5 `1468 Mi` with a space, TIMESTAMP with spaces
      'pre-1.5 CPU MEMORY STORAGE TIMESTAMP',
      text(
        'NAME                           CPU       MEMORY    STORAGE   TIMESTAMP                         ',
        'kubernetes-minion-group-xxxx   76m       1468 Mi   0 Mi      Tue, 12 Jul 2016 17:37:00 +0200   ',
      ),
      [node('kubernetes-minion-group-xxxx', 76, null, Mi(1468), null, Date.UTC(2016, 6, 12, 15, 37, 0))],
    ],
    [
      // --show-swap (metrics_printer.go NodeColumns)
      'with SWAP(bytes) SWAP(%)',
      text('NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   SWAP(bytes)   SWAP(%)   ', 'node-1   100m         5%       1Gi             10%         0Mi           0%        '),
      [node('node-1', 100, 5, Mi(1024), 10)],
    ],
  ])('%s', (_, input, records) => {
    expect(parseTopNodes(input)).toEqual({ records, problems: [] });
  });

  // --- <unknown> rows
  it('reads `<unknown>` rows of both shapes and percentages over 100%', () => {
    // formats.md 1.6a (kubernetes-sigs/metrics-server#1111): aligned, header wider than the data
    const aligned = text(
      '# kubectl top nodes',
      'NAME                    CPU(cores)   CPU%        MEMORY(bytes)   MEMORY%     ',
      'server-stage-002   181m         1%          2682Mi          2%          ',
      'vm-stage-k8s-master-1   410m         26%         3007Mi          102%        ',
      'vm-stage-k8s-master-3   <unknown>    <unknown>   <unknown>       <unknown>   ',
    );
    // formats.md 1.6b: older kubectl padded extra empty cells, so the `<unknown>`s drift right
    const misaligned = text(
      'NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%   ',
      'node-2   <unknown>                           <unknown>                               <unknown>                               <unknown>',
    );
    expect(parseTopNodes(aligned)).toEqual({
      records: [node('server-stage-002', 181, 1, Mi(2682), 2), node('vm-stage-k8s-master-1', 410, 26, Mi(3007), 102), node('vm-stage-k8s-master-3', null, null, null, null)],
      problems: [],
    });
    expect(parseTopNodes(misaligned)).toEqual({ records: [node('node-2', null, null, null, null)], problems: [] });
  });

  it('reads rows without header as NAME CPU CPU% MEMORY MEMORY%, `<unknown>` rows too', () => {
    expect(parseTopNodes(text('node-1   38m   1%   410Mi   5%', 'node-2   <unknown>   <unknown>'))).toEqual({
      records: [node('node-1', 38, 1, Mi(410), 5), node('node-2', null, null, null, null)],
      problems: [],
    });
  });

  // --- errors
  it('keeps the table after an error in the same capture (microk8s notes, code-index file id 29526187154)', () => {
    const input = text(
      'kubectl top nodes',
      'error: Metrics API not available',
      'microk8s enable metrics-server',
      'NAME        CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%   ',
      'reports11   223m         2%     2077Mi          26%       ',
    );
    expect(parseTopNodes(input)).toEqual({
      records: [node('reports11', 223, 2, Mi(2077), 26)],
      problems: [{ line: 2, severity: 'error', message: 'kubectl: `error: Metrics API not available`: no resource metrics from this command at line 2' }],
    });
  });

  it('reports the heapster-era error after an echoed command with a zsh right prompt (kubernetes/kubernetes#44540)', () => {
    const input = text(
      '$ kubectl top node --namespace=monitoring                                                                         [17:58:36]',
      'Error from server (NotFound): the server could not find the requested resource (get services http:heapster:)',
    );
    expect(parseTopNodes(input)).toEqual({
      records: [],
      problems: [
        {
          line: 2,
          severity: 'error',
          message: 'kubectl: `Error from server (NotFound): the server could not find the requested resource (get services http:heapster:)`: no resource metrics from this command at line 2',
        },
      ],
    });
  });

  it('skips a `kubectl top pods` table and reports a bad percentage', () => {
    const input = text('NAME    CPU(cores)   MEMORY(bytes)', 'web-1   5m           10Mi', 'NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%', 'node-1   38m          x%     410Mi           5%');
    expect(parseTopNodes(input)).toEqual({
      records: [],
      problems: [
        { line: 1, severity: 'warning', message: 'top nodes: skipped the `kubectl top pods` table at line 1' },
        { line: 4, severity: 'error', message: 'top nodes: the percentages of `node-1` are not like `23%`: `node-1   38m          x%     410Mi           5%` at line 4' },
      ],
    });
  });
});

describe('sumContainers', () => {
  it('sums containers per pod in first-seen order, null when a container is unknown, without touching the input', () => {
    const rows = Object.freeze([
      Object.freeze(pod('default', 'web-1', 3, Mi(48), 'app')),
      Object.freeze(pod('default', 'web-2', 1, Mi(2), 'app')),
      Object.freeze(pod('default', 'web-1', 2, Mi(10), 'sidecar')),
      Object.freeze(pod('default', 'web-2', null, null, 'sidecar')),
    ]);
    expect(sumContainers(rows)).toEqual([pod('default', 'web-1', 5, Mi(58)), pod('default', 'web-2', null, null)]);
    expect(rows[0]).toEqual(pod('default', 'web-1', 3, Mi(48), 'app'));
  });
});
