import { describe, expect, it } from 'vitest';
import { parsePods } from '../../../analysis/snapshots/pods.ts';
import type { PodPlacement } from '../../../analysis/snapshots/types.ts';

// Excerpts from ../shared/reference/formats.md section 5 (sources named per excerpt).
const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const placement = (
  pod: string,
  ready: string,
  status: string,
  restarts: number | null,
  age: string | null,
  ip: string | null,
  node: string | null,
  namespace: string | null = null,
): PodPlacement => {
  const [readyContainers, totalContainers] = ready.split('/').map(Number);
  return { namespace, pod, ready, readyContainers: readyContainers ?? null, totalContainers: totalContainers ?? null, status, restarts, age, ip, node };
};

describe('parsePods', () => {
  // --- column sets
  it.each([
    [
      // formats.md 5 (gitpod-io/gitpod#16773): current columns with NOMINATED NODE, READINESS GATES
      'current columns',
      text(
        'NAME                                 READY   STATUS    RESTARTS   AGE    IP               NODE                                                NOMINATED NODE   READINESS GATES',
        'blobserve-5ffbb677bb-r24hj           2/2     Running   0          119m   10.200.99.44     i-01fc99f87e7926ba5.eu-central-1.compute.internal   <none>           <none>',
        'dashboard-5fcf4d7f7-2s7bk            1/1     Running   0          119m   10.200.99.40     i-01fc99f87e7926ba5.eu-central-1.compute.internal   <none>           <none>',
      ),
      [
        placement('blobserve-5ffbb677bb-r24hj', '2/2', 'Running', 0, '119m', '10.200.99.44', 'i-01fc99f87e7926ba5.eu-central-1.compute.internal'),
        placement('dashboard-5fcf4d7f7-2s7bk', '1/1', 'Running', 0, '119m', '10.200.99.40', 'i-01fc99f87e7926ba5.eu-central-1.compute.internal'),
      ],
    ],
    [
      // formats.md 5 (kubernetes/website#4557): kubectl ≤ 1.10, `$kubectl` prompt without a space
      'old columns',
      text(
        '$kubectl get pods -o wide',
        'NAME                           READY     STATUS    RESTARTS   AGE       IP           NODE',
        'redis-cache-1450370735-6dzlj   1/1       Running   0          8m        10.192.4.2   kube-node-3',
        'web-server-1287567482-5d4dz    1/1       Running   0          7m        10.192.2.3   kube-node-1',
      ),
      [
        placement('redis-cache-1450370735-6dzlj', '1/1', 'Running', 0, '8m', '10.192.4.2', 'kube-node-3'),
        placement('web-server-1287567482-5d4dz', '1/1', 'Running', 0, '7m', '10.192.2.3', 'kube-node-1'),
      ],
    ],
    [
      // formats.md 5 (aws/karpenter-provider-aws#3800): repeated headers of concatenated captures
      'repeated headers',
      text(
        'NAME                       READY   STATUS    RESTARTS   AGE   IP            NODE                           NOMINATED NODE   READINESS GATES',
        'inflate-7c95599dff-2hkxb   1/1     Running   0          94s   10.37.25.79   ip-10-37-20-131.ec2.internal   <none>           <none>',
        'NAME                       READY   STATUS    RESTARTS   AGE   IP             NODE                           NOMINATED NODE   READINESS GATES',
        'inflate-7c95599dff-52p8c   1/1     Running   0          99s   10.37.24.65    ip-10-37-26-113.ec2.internal   <none>           <none>',
      ),
      [
        placement('inflate-7c95599dff-2hkxb', '1/1', 'Running', 0, '94s', '10.37.25.79', 'ip-10-37-20-131.ec2.internal'),
        placement('inflate-7c95599dff-52p8c', '1/1', 'Running', 0, '99s', '10.37.24.65', 'ip-10-37-26-113.ec2.internal'),
      ],
    ],
    [
      // -A: NAMESPACE first
      'NAMESPACE first',
      text(
        'NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   IP          NODE     NOMINATED NODE   READINESS GATES',
        'shop        web-1   1/1     Running   0          5m    10.0.0.7    node-1   <none>           <none>',
      ),
      [placement('web-1', '1/1', 'Running', 0, '5m', '10.0.0.7', 'node-1', 'shop')],
    ],
    [
      // `kubectl get pods` without -o wide: no IP or NODE to report, and no warning about it
      'without -o wide',
      text('NAME    READY   STATUS    RESTARTS   AGE', 'web-1   1/1     Running   0          5m'),
      [placement('web-1', '1/1', 'Running', 0, '5m', null, null)],
    ],
  ])('%s', (_, input, records) => {
    expect(parsePods(input)).toEqual({ records, problems: [] });
  });

  // --- states and odd cells
  it('reads restarts with their age, pending pods and every status as printed', () => {
    const input = text(
      'NAME    READY   STATUS              RESTARTS       AGE   IP          NODE     NOMINATED NODE   READINESS GATES',
      // RESTARTS `5 (84m ago)`: kubernetes-sigs/metrics-server#1282
      'a-1     0/1     CrashLoopBackOff    5 (84m ago)    3h    10.0.0.1    node-1   <none>           <none>',
      'a-2     0/1     Pending             0              3s    <none>      <none>   <none>           <none>',
      'a-3     0/1     ContainerCreating   0              3s    <none>      node-2   <none>           <none>',
      'a-4     0/1     Init:0/1            0              9s    10.0.0.4    node-2   <none>           <none>',
      'a-5     0/1     Completed           0              2d    10.0.0.5    node-1   <none>           <none>',
      'a-6     0/1     Evicted             0              2d    <none>      node-1   <none>           <none>',
      'a-7     0/1     OOMKilled           1 (2s ago)     4m    10.0.0.7    node-1   <none>           <none>',
    );
    expect(parsePods(input)).toEqual({
      records: [
        placement('a-1', '0/1', 'CrashLoopBackOff', 5, '3h', '10.0.0.1', 'node-1'),
        placement('a-2', '0/1', 'Pending', 0, '3s', null, null),
        placement('a-3', '0/1', 'ContainerCreating', 0, '3s', null, 'node-2'),
        placement('a-4', '0/1', 'Init:0/1', 0, '9s', '10.0.0.4', 'node-2'),
        placement('a-5', '0/1', 'Completed', 0, '2d', '10.0.0.5', 'node-1'),
        placement('a-6', '0/1', 'Evicted', 0, '2d', null, 'node-1'),
        placement('a-7', '0/1', 'OOMKilled', 1, '4m', '10.0.0.7', 'node-1'),
      ],
      problems: [],
    });
  });

  it('reads the pod section of `kubectl get all` and skips the other sections (kserve/kserve#2279)', () => {
    const input = text(
      'NAME                                                   READY   STATUS        RESTARTS   AGE',
      'pod/custom-simple-predictor-default-776cb967f4-7bf6b   0/1     Terminating   0          8m30s',
      'pod/custom-simple-predictor-default-776cb967f4-8897f   1/1     Running       0          16m',
      '',
      'NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
      'service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   1d',
    );
    expect(parsePods(input)).toEqual({
      records: [
        placement('custom-simple-predictor-default-776cb967f4-7bf6b', '0/1', 'Terminating', 0, '8m30s', null, null),
        placement('custom-simple-predictor-default-776cb967f4-8897f', '1/1', 'Running', 0, '16m', null, null),
      ],
      problems: [
        {
          line: 5,
          severity: 'warning',
          message: 'pods: skipped the table with header `NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE`: expected NAME READY STATUS RESTARTS AGE at line 5',
        },
      ],
    });
  });

  // --- no header, rows cut short
  it.each([
    ['without NAMESPACE', text('web-1   1/1   Running   0   5m   10.0.0.7   node-1   <none>   <none>'), placement('web-1', '1/1', 'Running', 0, '5m', '10.0.0.7', 'node-1')],
    ['with NAMESPACE', text('shop   web-1   1/1   Running   2 (1h ago)   5m   10.0.0.7   node-1'), placement('web-1', '1/1', 'Running', 2, '5m', '10.0.0.7', 'node-1', 'shop')],
  ])('reads rows without header %s', (_, input, record) => {
    expect(parsePods(input)).toEqual({ records: [record], problems: [] });
  });

  it('keeps a hand-trimmed row and names the columns it lacks', () => {
    const input = text('NAME    READY   STATUS    RESTARTS   AGE   IP          NODE     NOMINATED NODE   READINESS GATES', 'web-1   1/1     Running   0          5m    10.0.0.7');
    expect(parsePods(input)).toEqual({
      records: [placement('web-1', '1/1', 'Running', 0, '5m', '10.0.0.7', null)],
      problems: [{ line: 2, severity: 'warning', message: 'pods: `web-1` has no NODE, NOMINATED NODE, READINESS GATES: the row is cut short at line 2' }],
    });
  });

  // --- problems
  it.each([
    [text('NAME    READY   STATUS    RESTARTS   AGE', 'web-1   ready   Running   0          5m'), 'pods: skipped `web-1   ready   Running   0          5m`: READY `ready` is not `ready/total` such as `1/2` at line 2'],
    [text('NAME    READY   STATUS    RESTARTS   AGE', 'web-1   1/1     Running   many       5m'), 'pods: skipped `web-1   1/1     Running   many       5m`: RESTARTS `many` is not a count at line 2'],
    [text('something else'), 'pods: skipped `something else`: expected [NAMESPACE] NAME READY STATUS RESTARTS AGE IP NODE at line 1'],
    [text('error: the server doesn\'t have a resource type "podz"'), 'kubectl: `error: the server doesn\'t have a resource type "podz"`: no pods from this command at line 1'],
  ])('reports %#', (input, message) => {
    const line = Number(/at line (\d+)$/.exec(message)?.[1]);
    expect(parsePods(input)).toEqual({ records: [], problems: [{ line, severity: 'error', message }] });
  });

  it('yields nothing for `No resources found in default namespace.`', () => {
    expect(parsePods('No resources found in default namespace.\n')).toEqual({ records: [], problems: [] });
  });
});
