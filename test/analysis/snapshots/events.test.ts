import { describe, expect, it } from 'vitest';
import { parseDescribeEvents, parseEvents } from '../../../analysis/snapshots/events.ts';
import type { EventRecord } from '../../../analysis/snapshots/types.ts';

// Excerpts from ../shared/reference/formats.md section 4 (sources named per excerpt).
const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const AT = Date.UTC(2026, 10, 24, 1, 7, 14);
const event = (fields: Partial<EventRecord> & Pick<EventRecord, 'lastSeen' | 'type' | 'reason' | 'object' | 'message'>, capturedAtMs: number | null = AT): EventRecord => {
  const seconds = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(fields.lastSeen);
  const ago = seconds === null ? null : ((Number(seconds[1] ?? 0) * 60 + Number(seconds[2] ?? 0)) * 60 + Number(seconds[3] ?? 0)) * 1000;
  return {
    namespace: null,
    timeMs: capturedAtMs === null || ago === null ? null : capturedAtMs - ago,
    count: null,
    newSize: null,
    rescaleReason: null,
    ...fields,
  };
};

describe('parseEvents', () => {
  // --- without header
  it('reads tail-cut -A output: NAMESPACE first, messages with colons and parentheses (formats.md 4.1)', () => {
    // vyking-devops-task log: `kubectl get events -A --sort-by=.metadata.creationTimestamp | tail`
    const input = text(
      'backend-dev     114s        Normal    Created                          pod/backend-backend-549575788c-2dn8t                     Created container backend',
      'backend-dev     99s         Warning   FailedComputeMetricsReplicas     horizontalpodautoscaler/backend-backend                  invalid metrics (2 invalid out of 2), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      'ingress-nginx   104s        Normal    ScalingReplicaSet                deployment/ingress-nginx-controller                      Scaled up replica set ingress-nginx-controller-b4b575f8 to 1',
    );
    expect(parseEvents(input, { capturedAtMs: AT })).toEqual({
      records: [
        event({ namespace: 'backend-dev', lastSeen: '114s', type: 'Normal', reason: 'Created', object: 'pod/backend-backend-549575788c-2dn8t', message: 'Created container backend' }),
        event({
          namespace: 'backend-dev',
          lastSeen: '99s',
          type: 'Warning',
          reason: 'FailedComputeMetricsReplicas',
          object: 'horizontalpodautoscaler/backend-backend',
          message:
            'invalid metrics (2 invalid out of 2), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
        }),
        event({ namespace: 'ingress-nginx', lastSeen: '104s', type: 'Normal', reason: 'ScalingReplicaSet', object: 'deployment/ingress-nginx-controller', message: 'Scaled up replica set ingress-nginx-controller-b4b575f8 to 1' }),
      ],
      problems: [],
    });
  });

  it('reads a scale cycle without header or NAMESPACE, past a `--- events ---` marker (formats.md 4.2)', () => {
    // code-index file ids 62460602127 and 62567145928 (llm-proxy HPA experiment)
    const input = text(
      '--- events ---',
      '40m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp6   New size: 2; reason: cpu resource utilization (percentage of request) above target',
      '44m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp4   New size: 3; reason: All metrics below target',
      '44m     Warning   Unhealthy           pod/llm-proxy-857bf6d79d-gbrzg           Readiness probe failed: Get "http://10.244.4.2:8000/health": dial tcp 10.244.4.2:8000: connect: connection refused',
    );
    expect(parseEvents(input, { capturedAtMs: AT })).toEqual({
      records: [
        event({
          lastSeen: '40m',
          type: 'Normal',
          reason: 'SuccessfulRescale',
          object: 'horizontalpodautoscaler/llm-proxy-exp6',
          message: 'New size: 2; reason: cpu resource utilization (percentage of request) above target',
          newSize: 2,
          rescaleReason: 'cpu resource utilization (percentage of request) above target',
        }),
        event({
          lastSeen: '44m',
          type: 'Normal',
          reason: 'SuccessfulRescale',
          object: 'horizontalpodautoscaler/llm-proxy-exp4',
          message: 'New size: 3; reason: All metrics below target',
          newSize: 3,
          rescaleReason: 'All metrics below target',
        }),
        event({
          lastSeen: '44m',
          type: 'Warning',
          reason: 'Unhealthy',
          object: 'pod/llm-proxy-857bf6d79d-gbrzg',
          message: 'Readiness probe failed: Get "http://10.244.4.2:8000/health": dial tcp 10.244.4.2:8000: connect: connection refused',
        }),
      ],
      problems: [],
    });
  });

  // --- with header
  it.each([
    [
      // formats.md 4.3 (kubernetes/autoscaler#2619)
      'LAST SEEN header',
      text(
        '> kubectl get events -n kube-system',
        'LAST SEEN   TYPE     REASON             OBJECT                                MESSAGE',
        '110s        Normal   ScaledUpGroup      configmap/cluster-autoscaler-status   Scale-up: setting group <redacted> size to 2',
      ),
      [event({ lastSeen: '110s', type: 'Normal', reason: 'ScaledUpGroup', object: 'configmap/cluster-autoscaler-status', message: 'Scale-up: setting group <redacted> size to 2' })],
    ],
    [
      // -A with its header
      'NAMESPACE LAST SEEN header',
      text('NAMESPACE   LAST SEEN   TYPE     REASON    OBJECT      MESSAGE', 'default     2m13s       Normal   Killing   pod/web-1   Stopping container app'),
      [event({ namespace: 'default', lastSeen: '2m13s', type: 'Normal', reason: 'Killing', object: 'pod/web-1', message: 'Stopping container app' })],
    ],
  ])('%s', (_, input, records) => {
    expect(parseEvents(input, { capturedAtMs: AT })).toEqual({ records, problems: [] });
  });

  // --- -o wide
  it('reads -o wide by the header offsets: blank SUBOBJECT, SOURCE with a space, COUNT (formats.md 4.3)', () => {
    // duyet/charts#241 (first row); the second row is typed in the same layout with a SUBOBJECT and a
    // kubelet SOURCE (`kubelet, <node>`, kubectl's formatEventSource).
    const input = text(
      'LAST SEEN   TYPE     REASON              OBJECT                                         SUBOBJECT                       SOURCE                                 MESSAGE                                                                                                                FIRST SEEN   COUNT   NAME',
      '2s          Normal   Scheduled           pod/applause-btn-ixwmw7iur5-6f66d5799-ppjc5                                    default-scheduler                      Successfully assigned applause-btn-ixwmw7iur5/applause-btn-ixwmw7iur5-6f66d5799-ppjc5 to chart-testing-control-plane   2s           1       applause-btn-ixwmw7iur5-6f66d5799-ppjc5.18d5e3851972a1db',
      '5h43m       Normal   Pulled              pod/web-1                                      spec.containers{app}            kubelet, chart-testing-control-plane   Container image "nginx:1.27" already present on machine                                                                18d          12      web-1.18d5e3851972a1dc',
    );
    expect(parseEvents(input, { capturedAtMs: AT })).toEqual({
      records: [
        event({
          lastSeen: '2s',
          type: 'Normal',
          reason: 'Scheduled',
          object: 'pod/applause-btn-ixwmw7iur5-6f66d5799-ppjc5',
          message: 'Successfully assigned applause-btn-ixwmw7iur5/applause-btn-ixwmw7iur5-6f66d5799-ppjc5 to chart-testing-control-plane',
          count: 1,
        }),
        event({ lastSeen: '5h43m', type: 'Normal', reason: 'Pulled', object: 'pod/web-1', message: 'Container image "nginx:1.27" already present on machine', count: 12 }),
      ],
      problems: [],
    });
  });

  it('takes the message from the MESSAGE offset even when SUBOBJECT and SOURCE are both blank', () => {
    const header = 'LAST SEEN   TYPE     REASON    OBJECT      SUBOBJECT   SOURCE      MESSAGE                   FIRST SEEN   COUNT   NAME';
    // Cells placed at their header column, as kubectl's tabwriter does.
    const cells: [string, string][] = [['LAST SEEN', '2s'], ['TYPE', 'Normal'], ['REASON', 'Killing'], ['OBJECT', 'pod/web-2'], ['MESSAGE', 'Stopping container app'], ['FIRST SEEN', '3s'], ['COUNT', '2'], ['NAME', 'web-2.18d5e3851972a1de']];
    const row = cells.reduce((line, [column, value]) => line.padEnd(header.indexOf(column)) + value, '');
    expect(parseEvents(text(header, row), { capturedAtMs: AT })).toEqual({
      records: [event({ lastSeen: '2s', type: 'Normal', reason: 'Killing', object: 'pod/web-2', message: 'Stopping container app', count: 2 })],
      problems: [],
    });
  });

  it.each([
    ['no header', text('2s   Normal   Scheduled   pod/web-1   default-scheduler   Successfully assigned default/web-1 to node-1   2s   1   web-1.18d5e3851972a1db')],
    [
      'a realigned row under its header',
      text(
        'LAST SEEN   TYPE     REASON      OBJECT      SUBOBJECT   SOURCE              MESSAGE                                          FIRST SEEN   COUNT   NAME',
        '2s Normal Scheduled pod/web-1 default-scheduler Successfully assigned default/web-1 to node-1 2s 1 web-1.18d5e3851972a1db',
      ),
    ],
  ])('reads a -o wide row with %s by its shape', (_, input) => {
    expect(parseEvents(input, { capturedAtMs: AT }).records).toEqual([
      event({ lastSeen: '2s', type: 'Normal', reason: 'Scheduled', object: 'pod/web-1', message: 'Successfully assigned default/web-1 to node-1', count: 1 }),
    ]);
  });

  it('reads a wide row with a SUBOBJECT and a kubelet SOURCE by its shape', () => {
    const input = text('44m   Warning   BackOff   pod/web-1   spec.containers{app}   kubelet, node-1   Back-off restarting failed container   2h   31   web-1.18d5e3851972a1dd');
    expect(parseEvents(input).records).toEqual([
      event({ lastSeen: '44m', type: 'Warning', reason: 'BackOff', object: 'pod/web-1', message: 'Back-off restarting failed container', count: 31 }, null),
    ]);
  });

  // --- LAST SEEN → time
  it.each([
    ['2s', AT - 2_000],
    ['114s', AT - 114_000],
    ['2m13s', AT - 133_000],
    ['44m', AT - 2_640_000],
    ['5h43m', AT - 20_580_000],
    ['2d5h', AT - 190_800_000],
    ['3y', AT - 3 * 365 * 86_400_000],
    ['<unknown>', null],
  ])('LAST SEEN `%s` is %s', (lastSeen, timeMs) => {
    const [record] = parseEvents(`${lastSeen}   Normal   Created   pod/web-1   Created container app\n`, { capturedAtMs: AT }).records;
    expect(record?.timeMs).toBe(timeMs);
    expect(record?.lastSeen).toBe(lastSeen);
  });

  it('has no times without a capture time', () => {
    expect(parseEvents('2s   Normal   Created   pod/web-1   Created container app\n').records[0]?.timeMs).toBeNull();
  });

  // --- SuccessfulRescale
  it('keeps `;` and parentheses of a rescale reason (kubernetes/kubernetes#97473)', () => {
    const reason =
      'external metric sqs_approximatenumberofmessages(&LabelSelector{MatchLabels:map[string]string{namespace: ns-ethos-6a9700c94e7c128f35d508b11fc-dev,queue: chandanb-sqs-dev,service: ob3b49fb5655c,},MatchExpressions:[]LabelSelectorRequirement{},}) above target; clamped (max)';
    const [record] = parseEvents(`8m30s   Normal   SuccessfulRescale   horizontalpodautoscaler/q   New size: 3; reason: ${reason}\n`).records;
    expect([record?.newSize, record?.rescaleReason]).toEqual([3, reason]);
  });

  // --- problems
  it.each([
    ['2s   Info   Created   pod/web-1   x', 'events: skipped `2s   Info   Created   pod/web-1   x`: expected [NAMESPACE] LAST SEEN TYPE REASON OBJECT MESSAGE at line 1'],
    [
      'LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\nsoon   Normal   Created   pod/web-1   x',
      'events: skipped `soon   Normal   Created   pod/web-1   x`: LAST SEEN `soon` is not a kubectl age such as `2m13s` at line 2',
    ],
    [
      'LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n2s   Info   Created   pod/web-1   x',
      'events: skipped `2s   Info   Created   pod/web-1   x`: TYPE `Info` is not `Normal` or `Warning` at line 2',
    ],
    [
      'LAST SEEN   FIRST SEEN   COUNT   NAME   KIND   SUBOBJECT   TYPE   REASON   SOURCE   MESSAGE\n1m   1m   1   web-1.15   Pod      Normal   Created   kubelet, n1   Created',
      'events: skipped the table with header `LAST SEEN   FIRST SEEN   COUNT   NAME   KIND   SUBOBJECT   TYPE   REASON   SOURCE   MESSAGE`: expected LAST SEEN TYPE REASON OBJECT MESSAGE (kubectl ≥ 1.14) at line 1',
    ],
    ['error: You must be logged in to the server (Unauthorized)', 'kubectl: `error: You must be logged in to the server (Unauthorized)`: no events from this command at line 1'],
  ])('reports %#', (input, message) => {
    const line = Number(/at line (\d+)$/.exec(message)?.[1]);
    expect(parseEvents(`${input}\n`)).toEqual({ records: [], problems: [{ line, severity: 'error', message }] });
  });

  it('yields nothing for `No resources found in default namespace.`', () => {
    expect(parseEvents('No resources found in default namespace.\n')).toEqual({ records: [], problems: [] });
  });
});

describe('formats.md section 4, verbatim', () => {
  it('reads every line of 4.1 (vyking-devops-task log): the HPA warnings with their objects', () => {
    const input = text(
      'backend-dev     114s        Normal    Created                          pod/backend-backend-549575788c-2dn8t                     Created container backend',
      'backend-dev     99s         Warning   FailedGetResourceMetric          horizontalpodautoscaler/backend-backend                  failed to get memory utilization: unable to get metrics for resource memory: no metrics returned from resource metrics API',
      'backend-dev     99s         Warning   FailedGetResourceMetric          horizontalpodautoscaler/backend-backend                  failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      'backend-dev     99s         Warning   FailedComputeMetricsReplicas     horizontalpodautoscaler/backend-backend                  invalid metrics (2 invalid out of 2), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
      'frontend-dev    110s        Warning   FailedGetResourceMetric          horizontalpodautoscaler/frontend-frontend                failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)',
      'ingress-nginx   104s        Normal    ScalingReplicaSet                deployment/ingress-nginx-controller                      Scaled up replica set ingress-nginx-controller-b4b575f8 to 1',
      'ingress-nginx   104s        Normal    SuccessfulCreate                 replicaset/ingress-nginx-controller-b4b575f8             Created pod: ingress-nginx-controller-b4b575f8-kkknw',
    );
    const { records, problems } = parseEvents(input, { capturedAtMs: AT });
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.namespace, r.type, r.reason, r.object, r.timeMs === null ? null : (AT - r.timeMs) / 1000])).toEqual([
      ['backend-dev', 'Normal', 'Created', 'pod/backend-backend-549575788c-2dn8t', 114],
      ['backend-dev', 'Warning', 'FailedGetResourceMetric', 'horizontalpodautoscaler/backend-backend', 99],
      ['backend-dev', 'Warning', 'FailedGetResourceMetric', 'horizontalpodautoscaler/backend-backend', 99],
      ['backend-dev', 'Warning', 'FailedComputeMetricsReplicas', 'horizontalpodautoscaler/backend-backend', 99],
      ['frontend-dev', 'Warning', 'FailedGetResourceMetric', 'horizontalpodautoscaler/frontend-frontend', 110],
      ['ingress-nginx', 'Normal', 'ScalingReplicaSet', 'deployment/ingress-nginx-controller', 104],
      ['ingress-nginx', 'Normal', 'SuccessfulCreate', 'replicaset/ingress-nginx-controller-b4b575f8', 104],
    ]);
    expect(records[4]?.message).toBe('failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)');
  });

  it('reads both blocks of 4.2 (code-index file ids 62460602127, 62567145928): rescales and replica sets', () => {
    const input = text(
      '--- events ---',
      '40m     Normal    SuccessfulCreate    replicaset/llm-proxy-857bf6d79d          Created pod: llm-proxy-857bf6d79d-ncklk',
      '40m     Normal    Scheduled           pod/llm-proxy-857bf6d79d-ncklk           Successfully assigned default/llm-proxy-857bf6d79d-ncklk to ip-172-31-41-114.us-west-2.compute.internal',
      '40m     Normal    ScalingReplicaSet   deployment/llm-proxy                     Scaled up replica set llm-proxy-857bf6d79d from 1 to 2',
      '40m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp6   New size: 2; reason: cpu resource utilization (percentage of request) above target',
      '44m     Normal    Killing             pod/llm-proxy-857bf6d79d-gbrzg           Stopping container fastapi-proxy',
      '44m     Normal    Killing             pod/llm-proxy-857bf6d79d-gbrzg           Stopping container llama-server',
      '44m     Normal    SuccessfulDelete    replicaset/llm-proxy-857bf6d79d          Deleted pod: llm-proxy-857bf6d79d-gbrzg',
      '44m     Normal    ScalingReplicaSet   deployment/llm-proxy                     Scaled down replica set llm-proxy-857bf6d79d from 4 to 3',
      '44m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp4   New size: 3; reason: All metrics below target',
      '44m     Warning   Unhealthy           pod/llm-proxy-857bf6d79d-gbrzg           Readiness probe failed: Get "http://10.244.4.2:8000/health": dial tcp 10.244.4.2:8000: connect: connection refused',
    );
    const { records, problems } = parseEvents(input, { capturedAtMs: AT });
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.reason, r.object, r.newSize])).toEqual([
      ['SuccessfulCreate', 'replicaset/llm-proxy-857bf6d79d', null],
      ['Scheduled', 'pod/llm-proxy-857bf6d79d-ncklk', null],
      ['ScalingReplicaSet', 'deployment/llm-proxy', null],
      ['SuccessfulRescale', 'horizontalpodautoscaler/llm-proxy-exp6', 2],
      ['Killing', 'pod/llm-proxy-857bf6d79d-gbrzg', null],
      ['Killing', 'pod/llm-proxy-857bf6d79d-gbrzg', null],
      ['SuccessfulDelete', 'replicaset/llm-proxy-857bf6d79d', null],
      ['ScalingReplicaSet', 'deployment/llm-proxy', null],
      ['SuccessfulRescale', 'horizontalpodautoscaler/llm-proxy-exp4', 3],
      ['Unhealthy', 'pod/llm-proxy-857bf6d79d-gbrzg', null],
    ]);
    expect(records[7]?.message).toBe('Scaled down replica set llm-proxy-857bf6d79d from 4 to 3');
  });
});

describe('parseDescribeEvents', () => {
  it('reads 4.4 as quoted (kubernetes/kubernetes#97473): folded counts, a reason with a Go struct dump', () => {
    // The quote lost the first line's indentation; the second keeps describe's two spaces.
    const reason =
      'external metric sqs_approximatenumberofmessages(&LabelSelector{MatchLabels:map[string]string{namespace: ns-ethos-6a9700c94e7c128f35d508b11fc-dev,queue: chandanb-sqs-dev,service: ob3b49fb5655c,},MatchExpressions:[]LabelSelectorRequirement{},}) above target';
    const input = text(
      'Normal  SuccessfulRescale  20m (x3 over 5h43m)    horizontal-pod-autoscaler  New size: 2; reason: All metrics below target',
      `  Normal  SuccessfulRescale  8m30s (x2 over 5h37m)  horizontal-pod-autoscaler  New size: 3; reason: ${reason}`,
    );
    const rescale = (lastSeen: string, newSize: number, rescaleReason: string, count: number): EventRecord =>
      event({ namespace: 'ethos', lastSeen, type: 'Normal', reason: 'SuccessfulRescale', object: 'horizontalpodautoscaler/q', message: `New size: ${newSize}; reason: ${rescaleReason}`, count, newSize, rescaleReason });
    expect(parseDescribeEvents(input, { capturedAtMs: AT, object: 'horizontalpodautoscaler/q', namespace: 'ethos' })).toEqual({
      records: [rescale('20m', 2, 'All metrics below target', 3), rescale('8m30s', 3, reason, 2)],
      problems: [],
    });
  });

  it('reads the header, `<none>`, single occurrences and an older `kubelet, <node>` source; reports other lines', () => {
    const input = text(
      'Events:',
      '  Type    Reason     Age   From               Message',
      '  ----    ------     ----  ----               -------',
      '  Normal  Scheduled  2m    default-scheduler  Successfully assigned default/web-1 to node-1',
      '  Normal  Pulled     44m   kubelet, node-1    Container image "nginx:1.27" already present on machine',
      '  something else',
    );
    expect(parseDescribeEvents(input, { capturedAtMs: AT, object: 'pod/web-1', firstLine: 20 })).toEqual({
      records: [
        event({ lastSeen: '2m', type: 'Normal', reason: 'Scheduled', object: 'pod/web-1', message: 'Successfully assigned default/web-1 to node-1' }),
        event({ lastSeen: '44m', type: 'Normal', reason: 'Pulled', object: 'pod/web-1', message: 'Container image "nginx:1.27" already present on machine' }),
      ],
      problems: [{ line: 25, severity: 'error', message: 'events: skipped `something else`: expected a `kubectl describe` event row (Type Reason Age From Message) at line 25' }],
    });
    expect(parseDescribeEvents('Events:  <none>\n', { object: 'pod/web-1' })).toEqual({ records: [], problems: [] });
  });
});
