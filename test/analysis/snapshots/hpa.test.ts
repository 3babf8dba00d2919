import { describe, expect, it } from 'vitest';
import { parseHpaDescribe, parseHpaJson, parseHpaRows, parseHpaTable, parseHpaYaml, parseTargets } from '../../../analysis/snapshots/hpa.ts';
import type { HpaMetric, HpaSample } from '../../../analysis/snapshots/types.ts';

// Excerpts from ../shared/reference/formats.md section 2 (sources named per excerpt).
const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const pct = (name: string | null, current: number | null, target: number | null): HpaMetric => ({
  name,
  current: current === null ? null : `${current}%`,
  target: target === null ? null : `${target}%`,
  currentValue: current,
  targetValue: target,
  unit: 'percent',
});
const qty = (name: string | null, current: string | null, target: string | null, currentValue: number | null, targetValue: number | null): HpaMetric => ({
  name,
  current,
  target,
  currentValue,
  targetValue,
  unit: 'quantity',
});
const row = (
  namespace: string | null,
  name: string,
  reference: string,
  metrics: HpaMetric[],
  [min, max, replicas]: [number | null, number | null, number | null],
): HpaSample => ({
  namespace,
  name,
  reference,
  minReplicas: min,
  maxReplicas: max,
  currentReplicas: replicas,
  desiredReplicas: null,
  metrics,
  conditions: [],
  lastScaleTimeMs: null,
});

describe('parseTargets', () => {
  it.each([
    ['45%/80%', [pct(null, 45, 80)]],
    ['46% / 10%', [pct(null, 46, 10)]],
    ['<unknown>/80%', [pct(null, null, 80)]],
    ['<unknown> / 50%', [pct(null, null, 50)]],
    ['499%/50%', [pct(null, 499, 50)]],
    ['0%/50%', [pct(null, 0, 50)]],
    ['cpu: 1%/70%, memory: 110%/80%', [pct('cpu', 1, 70), pct('memory', 110, 80)]],
    ['cpu: <unknown>/30%, memory: <unknown>/70%', [pct('cpu', null, 30), pct('memory', null, 70)]],
    // unnamed multi-metric, in spec order (not cpu first)
    ['105%/75%, 10%/75%', [pct(null, 105, 75), pct(null, 10, 75)]],
    ['166667m/10 (avg)', [qty(null, '166667m', '10', 166.667, 10)]],
    ['100/10 (avg)', [qty(null, '100', '10', 100, 10)]],
    ['500m/1', [qty(null, '500m', '1', 0.5, 1)]],
    ['200Mi/400Mi', [qty(null, '200Mi', '400Mi', 209715200, 419430400)]],
    ['memory: 4503324444m/4Gi', [qty('memory', '4503324444m', '4Gi', 4503324.444, 4294967296)]],
    ['<unknown>/1k (avg)', [qty(null, null, '1k', null, 1000)]],
    ['cpu: 20%/<auto>', [pct('cpu', 20, null)]],
    ['<unknown type>', [qty(null, null, null, null, null)]],
    ['<none>', []],
  ])('%s', (cell, metrics) => {
    expect(parseTargets(cell)).toEqual({ metrics, hidden: 0 });
  });

  it('counts the metrics kubectl hides behind ` + N more...`', () => {
    expect(parseTargets('cpu: 1%/70%, memory: 33%/70% + 2 more...')).toEqual({ metrics: [pct('cpu', 1, 70), pct('memory', 33, 70)], hidden: 2 });
  });

  it.each(['45%', '45%/80%/90%', 'cpu 1%/70%', '1x/2', ''])('refuses `%s`', (cell) => {
    expect(parseTargets(cell)).toBeUndefined();
  });
});

describe('parseHpaTable', () => {
  // --- header variants
  it.each([
    [
      // formats.md 2.1 (vyking-devops-task log): -A, named metrics (kubectl ≥ 1.30)
      'named metrics with NAMESPACE',
      text(
        '+ kubectl get hpa -A',
        'NAMESPACE      NAME                REFERENCE                      TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE',
        'backend-dev    backend-backend     Deployment/backend-backend     cpu: 1%/70%, memory: 33%/70%   1         5         2          2m8s',
        'frontend-dev   frontend-frontend   Deployment/frontend-frontend   cpu: 1%/70%, memory: 7%/80%    1         3         1          2m4s',
      ),
      [
        row('backend-dev', 'backend-backend', 'Deployment/backend-backend', [pct('cpu', 1, 70), pct('memory', 33, 70)], [1, 5, 2]),
        row('frontend-dev', 'frontend-frontend', 'Deployment/frontend-frontend', [pct('cpu', 1, 70), pct('memory', 7, 80)], [1, 3, 1]),
      ],
    ],
    [
      // formats.md 2.1 (code-index file id 55884485767): `kubectl get all`, kind-qualified NAME, <unknown>
      'kind-qualified name from kubectl get all',
      text(
        'NAME                                                     REFERENCE                   TARGETS                                     MINPODS   MAXPODS   REPLICAS   AGE',
        'horizontalpodautoscaler.autoscaling/fiware-orionld-hpa   Deployment/fiware-orionld   cpu: <unknown>/30%, memory: <unknown>/70%   3         15        3          3m38s',
      ),
      [row(null, 'fiware-orionld-hpa', 'Deployment/fiware-orionld', [pct('cpu', null, 30), pct('memory', null, 70)], [3, 15, 3])],
    ],
    [
      // formats.md 2.3 (kubernetes/kubernetes#68276): spaces around `/`, `kubectl.exe` echo
      'spaces around the slash',
      text(
        'kubectl.exe get hpa',
        'NAME      REFERENCE           TARGETS     MINPODS   MAXPODS   REPLICAS   AGE',
        'webapp    Deployment/webapp   46% / 10%   1         3         3          46m',
      ),
      [row(null, 'webapp', 'Deployment/webapp', [pct(null, 46, 10)], [1, 3, 3])],
    ],
    [
      // formats.md 2.3 (kubernetes/kubernetes#48793)
      '`<unknown> / 50%`',
      text(
        'kubectl get hpa',
        'NAME         REFERENCE               TARGETS           MINPODS   MAXPODS   REPLICAS   AGE',
        'php-apache   Deployment/php-apache   <unknown> / 50%   1         10        1          15m',
      ),
      [row(null, 'php-apache', 'Deployment/php-apache', [pct(null, null, 50)], [1, 10, 1])],
    ],
    [
      // formats.md 2.3 (tangcong/codis-operator#13)
      '`<unknown>/10%`',
      text(
        'NAME                                             REFERENCE                 TARGETS         MINPODS   MAXPODS   REPLICAS   AGE',
        'horizontalpodautoscaler.autoscaling/sample-hpa   Deployment/sample-proxy   <unknown>/10%   1         5         1          44m',
      ),
      [row(null, 'sample-hpa', 'Deployment/sample-proxy', [pct(null, null, 10)], [1, 5, 1])],
    ],
    [
      // formats.md 2.3 (kubernetes/kubernetes#21649): the pre-v1 `TARGET CURRENT` header, no REPLICAS
      'ancient TARGET CURRENT',
      text(
        '# kubectl get hpa',
        'NAME         REFERENCE                                TARGET    CURRENT   MINPODS   MAXPODS   AGE',
        'php-apache   ReplicationController/php-apache/scale   50%       0%        1         10        1h',
      ),
      [row(null, 'php-apache', 'ReplicationController/php-apache/scale', [pct(null, 0, 50)], [1, 10, null])],
    ],
    [
      // formats.md 2 edge cases: unnamed multi-metric, quantities, <none>, <unset> MINPODS, 0 replicas
      'quantities, <none>, <unset>',
      text(
        'NAME     REFERENCE             TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE',
        'multi    Deployment/multi      105%/75%, 10%/75%              1         10        4          18d',
        'queue    Deployment/worker     166667m/10 (avg), 500m/1       <unset>   10        0          11h',
        'nothing  StatefulSet/db        <none>                         2         2         2          3y',
      ),
      [
        row(null, 'multi', 'Deployment/multi', [pct(null, 105, 75), pct(null, 10, 75)], [1, 10, 4]),
        row(null, 'queue', 'Deployment/worker', [qty(null, '166667m', '10', 166.667, 10), qty(null, '500m', '1', 0.5, 1)], [null, 10, 0]),
        row(null, 'nothing', 'StatefulSet/db', [], [2, 2, 2]),
      ],
    ],
    [
      // --no-headers: REFERENCE is recognised by its capitalised kind
      'no header, with and without NAMESPACE',
      text('web   Deployment/web   45%/80%   1   10   3   5m', 'prod   web   Deployment/web   <unknown> / 50%   2   4   2   1h'),
      [row(null, 'web', 'Deployment/web', [pct(null, 45, 80)], [1, 10, 3]), row('prod', 'web', 'Deployment/web', [pct(null, null, 50)], [2, 4, 2])],
    ],
  ])('%s', (_, input, records) => {
    expect(parseHpaTable(input)).toEqual({ records, problems: [] });
  });

  // --- rows cut short, hidden metrics
  it.each([
    [
      'still aligned under the header',
      text('NAME   REFERENCE        TARGETS           MINPODS   MAXPODS   REPLICAS   AGE', 'web    Deployment/web   500m / 1          1         10'),
      row(null, 'web', 'Deployment/web', [qty(null, '500m', '1', 0.5, 1)], [1, 10, null]),
      'hpa: `web` has no REPLICAS, AGE: the row is cut short at line 2',
    ],
    [
      'realigned by hand',
      text('NAME   REFERENCE        TARGETS           MINPODS   MAXPODS   REPLICAS   AGE', 'web Deployment/web 45%/80% 1 10 3'),
      row(null, 'web', 'Deployment/web', [pct(null, 45, 80)], [1, 10, 3]),
      'hpa: `web` has no AGE: the row is cut short at line 2',
    ],
    [
      'more metrics than kubectl prints',
      text('NAME   REFERENCE        TARGETS                                     MINPODS   MAXPODS   REPLICAS   AGE', 'web    Deployment/web   cpu: 1%/70%, memory: 33%/70% + 1 more...   1         5         2          9m'),
      row(null, 'web', 'Deployment/web', [pct('cpu', 1, 70), pct('memory', 33, 70)], [1, 5, 2]),
      'hpa: `web` has 1 more metric that kubectl does not print at line 2',
    ],
  ])('warns about a row %s', (_, input, record, message) => {
    expect(parseHpaTable(input)).toEqual({ records: [record], problems: [{ line: 2, severity: 'warning', message }] });
  });

  // --- problems
  it.each([
    [text('NAME   REFERENCE        TARGETS   MINPODS   MAXPODS   REPLICAS   AGE', 'web    Deployment/web   45%       1         10        3          5m'), 2, 'hpa: TARGETS of `web` is `45%`: expected `current/target` pairs such as `45%/80%` or `cpu: 1%/70%` at line 2'],
    [text('NAME   REFERENCE        TARGETS   MINPODS   MAXPODS   REPLICAS   AGE', 'web    web              45%/80%   1         10        3          5m'), 2, 'hpa: skipped `web    web              45%/80%   1         10        3          5m`: expected NAME then REFERENCE such as `Deployment/web` at line 2'],
    [text('hello world'), 1, 'hpa: skipped `hello world`: expected a `kubectl get hpa` row (NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE) at line 1'],
    [text('error: the server doesn\'t have a resource type "hpa"'), 1, 'kubectl: `error: the server doesn\'t have a resource type "hpa"`: no HPA from this command at line 1'],
  ])('reports %#', (input, line, message) => {
    expect(parseHpaTable(input)).toEqual({ records: [], problems: [{ line, severity: 'error', message }] });
  });

  it('yields nothing for `No resources found in default namespace.`', () => {
    expect(parseHpaTable('No resources found in default namespace.\n')).toEqual({ records: [], problems: [] });
  });
});

describe('parseHpaJson', () => {
  // formats.md 2.4 (TheOutdoorProgrammer/manifests.io#92, EKS 1.25): the status as `-o json` prints
  // it; metadata and spec trimmed to what the parser reads.
  const EKS = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      maxReplicas: 2,
      minReplicas: 1,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    },
    status: {
      conditions: [
        {
          lastTransitionTime: '2023-04-02T08:28:36Z',
          message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          reason: 'ScaleDownStabilized',
          status: 'True',
          type: 'AbleToScale',
        },
        {
          lastTransitionTime: '2023-04-02T09:07:55Z',
          message: 'the desired replica count is more than the maximum replica count',
          reason: 'TooManyReplicas',
          status: 'True',
          type: 'ScalingLimited',
        },
      ],
      currentMetrics: [{ resource: { current: { averageUtilization: 150, averageValue: '301m' }, name: 'cpu' }, type: 'Resource' }],
      currentReplicas: 2,
      desiredReplicas: 2,
      lastScaleTime: '2023-04-02T09:07:40Z',
    },
  };
  const EKS_SAMPLE: HpaSample = {
    namespace: 'shop',
    name: 'web',
    reference: 'Deployment/web',
    minReplicas: 1,
    maxReplicas: 2,
    currentReplicas: 2,
    desiredReplicas: 2,
    metrics: [pct('cpu', 150, 50)],
    conditions: [
      { type: 'AbleToScale', status: true, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' },
      { type: 'ScalingLimited', status: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' },
    ],
    lastScaleTimeMs: Date.UTC(2023, 3, 2, 9, 7, 40),
  };

  it('reads a single autoscaling/v2 object, pretty-printed after an echoed command', () => {
    const input = `$ kubectl get hpa web -n shop -o json\n${JSON.stringify(EKS, null, 4)}\n`;
    expect(parseHpaJson(Object.freeze(input))).toEqual({ records: [EKS_SAMPLE], problems: [] });
  });

  it('reads a new HPA, before the controller wrote its status, as unknown replicas rather than 0', () => {
    // What the API server returns for an HPA just created: status is Go's zero value.
    const fresh = { ...EKS, metadata: { name: 'new', namespace: 'shop' }, status: { desiredReplicas: 0, currentMetrics: null } };
    expect(parseHpaJson(JSON.stringify(fresh))).toEqual({
      records: [{ ...EKS_SAMPLE, name: 'new', currentReplicas: null, desiredReplicas: null, metrics: [pct('cpu', null, 50)], conditions: [], lastScaleTimeMs: null }],
      problems: [],
    });
  });

  it('reads a List: metrics missing, quantities, an omitted currentReplicas, autoscaling/v1', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          ...EKS,
          metadata: { name: 'fresh', namespace: 'shop' },
          // `currentMetrics: null` and `currentReplicas` omitted (omitempty) while metrics are missing
          status: {
            currentMetrics: null,
            desiredReplicas: 0,
            conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count' }],
          },
        },
        {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'mem', namespace: 'shop' },
          spec: {
            maxReplicas: 50,
            minReplicas: 3,
            scaleTargetRef: { kind: 'Deployment', name: 'mem' },
            metrics: [
              { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
              { type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } } },
              { type: 'External', external: { metric: { name: 'queue_depth' }, target: { type: 'Value', value: '1k' } } },
            ],
          },
          status: {
            currentReplicas: 8,
            desiredReplicas: 8,
            // listed in another order than the spec: matched by type and name
            currentMetrics: [
              { type: 'External', external: { metric: { name: 'queue_depth' }, current: { value: '250' } } },
              // formats.md 2.5 (kubernetes/kubernetes#129228): memory in milli-bytes
              { type: 'Resource', resource: { name: 'memory', current: { averageValue: '4503324444m' } } },
            ],
          },
        },
        {
          apiVersion: 'autoscaling/v1',
          kind: 'HorizontalPodAutoscaler',
          metadata: {
            name: 'old',
            namespace: 'legacy',
            annotations: {
              'autoscaling.alpha.kubernetes.io/conditions': '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2023-01-01T00:00:00Z","reason":"ReadyForNewScale","message":"recommended size matches current size"}]',
            },
          },
          spec: { scaleTargetRef: { kind: 'Deployment', name: 'old' }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 80 },
          status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 12 },
        },
      ],
    };
    expect(parseHpaJson(JSON.stringify(list))).toEqual({
      records: [
        {
          ...EKS_SAMPLE,
          name: 'fresh',
          currentReplicas: 0,
          desiredReplicas: 0,
          metrics: [pct('cpu', null, 50)],
          conditions: [{ type: 'ScalingActive', status: false, reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count' }],
          lastScaleTimeMs: null,
        },
        {
          namespace: 'shop',
          name: 'mem',
          reference: 'Deployment/mem',
          minReplicas: 3,
          maxReplicas: 50,
          currentReplicas: 8,
          desiredReplicas: 8,
          metrics: [
            qty('memory', '4503324444m', '500Mi', 4503324.444, 524288000),
            qty('requests_per_second', null, '10', null, 10),
            qty('queue_depth', '250', '1k', 250, 1000),
          ],
          conditions: [],
          lastScaleTimeMs: null,
        },
        {
          namespace: 'legacy',
          name: 'old',
          reference: 'Deployment/old',
          minReplicas: 1,
          maxReplicas: 3,
          currentReplicas: 1,
          desiredReplicas: 1,
          metrics: [pct('cpu', 12, 80)],
          conditions: [{ type: 'AbleToScale', status: true, reason: 'ReadyForNewScale', message: 'recommended size matches current size' }],
          lastScaleTimeMs: null,
        },
      ],
      problems: [],
    });
  });

  it('keeps the complete HPAs of a cut-off List', () => {
    const whole = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [EKS, { ...EKS, metadata: { name: 'second' } }] }, null, 2);
    const cut = whole.slice(0, whole.indexOf('"second"'));
    const lines = cut.split('\n').length;
    expect(parseHpaJson(cut)).toEqual({
      records: [EKS_SAMPLE],
      problems: [{ line: lines, severity: 'error', message: `hpa json: the JSON is cut off (kept 1 complete HPA, dropped 1 cut-off) at line ${lines}` }],
    });
  });

  it.each([
    ['{"kind":"Deployment"}', 'hpa json: expected `kind` HorizontalPodAutoscaler, HorizontalPodAutoscalerList or List, got `Deployment` at line 1', 'error'],
    ['{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p"}}]}', 'hpa json: skipped a `Pod` item: expected HorizontalPodAutoscaler at line 1', 'warning'],
    ['{"kind":"HorizontalPodAutoscaler","metadata":{}}', 'hpa json: an HPA has no `metadata.name` at line 1', 'error'],
    ['Error from server (Forbidden): horizontalpodautoscalers.autoscaling is forbidden', 'kubectl: `Error from server (Forbidden): horizontalpodautoscalers.autoscaling is forbidden`: no HPA from this command at line 1', 'error'],
  ])('reports `%s`', (input, message, severity) => {
    expect(parseHpaJson(input)).toEqual({ records: [], problems: [{ line: 1, severity, message }] });
  });
});

describe('parseHpaRows', () => {
  it('keeps each row’s line, header, AGE and EVENT, and reads EVENT before NAMESPACE', () => {
    // `kubectl get hpa -A -w --output-watch-events`: cli-runtime's table printer adds the Event
    // column at the beginning after decorating the table with the namespace (formats.md 2.1 rows).
    const input = text(
      'nohup: ignoring input',
      'EVENT      NAMESPACE     NAME              REFERENCE                    TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE',
      'ADDED      backend-dev   backend-backend   Deployment/backend-backend   cpu: 1%/70%, memory: 33%/70%   1         5         2          2m8s',
      'MODIFIED   backend-dev   backend-backend   Deployment/backend-backend   cpu: 85%/70%, memory: 35%/70%   1         5         2          2m23s',
    );
    const sample = (cpu: number, memory: number): HpaSample => row('backend-dev', 'backend-backend', 'Deployment/backend-backend', [pct('cpu', cpu, 70), pct('memory', memory, 70)], [1, 5, 2]);
    expect(parseHpaRows(input)).toEqual({
      rows: [
        { sample: sample(1, 33), line: 3, header: 2, age: '2m8s', event: 'ADDED' },
        { sample: sample(85, 35), line: 4, header: 2, age: '2m23s', event: 'MODIFIED' },
      ],
      problems: [],
      commands: [],
    });
    // The table reader reads the same rows and drops the EVENT cell.
    expect(parseHpaTable(input)).toEqual({ records: [sample(1, 33), sample(85, 35)], problems: [] });
  });

  it('reads EVENT rows without a header', () => {
    expect(parseHpaRows(text('MODIFIED   web   Deployment/web   45%/80%   1   10   3   5m', 'DELETED   prod   web   Deployment/web   45%/80%   1   10   3   6m')).rows).toEqual([
      { sample: row(null, 'web', 'Deployment/web', [pct(null, 45, 80)], [1, 10, 3]), line: 1, header: null, age: '5m', event: 'MODIFIED' },
      { sample: row('prod', 'web', 'Deployment/web', [pct(null, 45, 80)], [1, 10, 3]), line: 2, header: null, age: '6m', event: 'DELETED' },
    ]);
  });
});

describe('parseHpaYaml', () => {
  // formats.md 2.4 (TheOutdoorProgrammer/manifests.io#92, EKS 1.25): the `status:` block verbatim,
  // under a head (apiVersion, kind, metadata, spec) typed as `kubectl get hpa -o yaml` prints it,
  // since the issue quoted only the status.
  const STATUS = [
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
  const HEAD = [
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
  const WEB: HpaSample = {
    namespace: 'shop',
    name: 'web',
    reference: 'Deployment/web',
    minReplicas: 1,
    maxReplicas: 2,
    currentReplicas: 2,
    desiredReplicas: 2,
    metrics: [pct('cpu', 150, 50)],
    conditions: [
      { type: 'AbleToScale', status: true, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' },
      { type: 'ScalingActive', status: true, reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' },
      { type: 'ScalingLimited', status: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' },
    ],
    lastScaleTimeMs: Date.UTC(2023, 3, 2, 9, 7, 40),
  };

  it('reads the EKS status (formats.md 2.4) after an echoed command', () => {
    expect(parseHpaYaml(text('$ kubectl get hpa web -n shop -o yaml', ...HEAD, ...STATUS))).toEqual({ records: [WEB], problems: [] });
  });

  it('reads a List and `---` documents; reports each item at its line', () => {
    const item = [...HEAD, ...STATUS].map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`));
    const list = text('apiVersion: v1', 'kind: List', 'items:', ...item, '- kind: Pod', '  metadata:', '    name: web-1', '---', 'kind: Deployment');
    expect(parseHpaYaml(list)).toEqual({
      records: [WEB],
      problems: [
        { line: 52, severity: 'warning', message: 'hpa yaml: skipped a `Pod` item: expected HorizontalPodAutoscaler at line 52' },
        { line: 56, severity: 'error', message: 'hpa yaml: expected `kind` HorizontalPodAutoscaler, HorizontalPodAutoscalerList or List, got `Deployment` at line 56' },
      ],
    });
  });

  it.each([
    ['kind: [', 'hpa yaml: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1'],
    ['error: You must be logged in to the server (Unauthorized)', 'kubectl: `error: You must be logged in to the server (Unauthorized)`: no HPA from this command at line 1'],
  ])('reports `%s`', (input, message) => {
    expect(parseHpaYaml(`${input}\n`)).toEqual({ records: [], problems: [{ line: 1, severity: 'error', message }] });
  });
});

describe('parseHpaDescribe', () => {
  const AT = Date.UTC(2026, 10, 24, 1, 7, 14);

  it('reads memory in milli-bytes, desired replicas and conditions (formats.md 2.5, kubernetes/kubernetes#129228)', () => {
    // The issue quotes from `Metrics:` on; the Name, Namespace and Reference lines are typed in the
    // same layout, the Events lines are formats.md 4.4 (kubernetes/kubernetes#97473) as describe
    // indents them.
    const input = text(
      'Name:                                                     web',
      'Namespace:                                                shop',
      'Reference:                                                Deployment/web',
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
      'Events:',
      '  Type    Reason             Age                    From                       Message',
      '  ----    ------             ----                   ----                       -------',
      '  Normal  SuccessfulRescale  20m (x3 over 5h43m)    horizontal-pod-autoscaler  New size: 2; reason: All metrics below target',
    );
    expect(parseHpaDescribe(input, { capturedAtMs: AT })).toEqual({
      records: [
        {
          namespace: 'shop',
          name: 'web',
          reference: 'Deployment/web',
          minReplicas: 3,
          maxReplicas: 50,
          currentReplicas: 8,
          desiredReplicas: 8,
          metrics: [pct('memory', 42, 50)],
          conditions: [
            { type: 'AbleToScale', status: true, reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
            { type: 'ScalingActive', status: true, reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from memory resource utilization (percentage of request)' },
            { type: 'ScalingLimited', status: false, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
          ],
          lastScaleTimeMs: null,
        },
      ],
      events: [
        {
          namespace: 'shop',
          lastSeen: '20m',
          timeMs: AT - 1_200_000,
          type: 'Normal',
          reason: 'SuccessfulRescale',
          object: 'horizontalpodautoscaler/web',
          message: 'New size: 2; reason: All metrics below target',
          count: 3,
          newSize: 2,
          rescaleReason: 'All metrics below target',
        },
      ],
      problems: [],
    });
  });

  it('reads a failing HPA and a second one in the same output (formats.md 2.5, NatLabRockies/openstudio-server-helm#4)', () => {
    // The issue quotes from the metric line on; `Name:` to `Metrics:` are typed, the rest verbatim.
    const input = text(
      'Name:                                                  openstudio-server-worker',
      'Namespace:                                             default',
      'Reference:                                             Deployment/worker',
      'Metrics:                                               ( current / target )',
      '  resource cpu on pods  (as a percentage of request):  <unknown> / 50%',
      'Min replicas:                                          1',
      'Max replicas:                                          15',
      'Deployment pods:                                       1 current / 0 desired',
      'Conditions:',
      '  Type           Status  Reason                   Message',
      '  ----           ------  ------                   -------',
      '  AbleToScale    True    SucceededGetScale        the HPA controller was able to get the target\'s current scale',
      '  ScalingActive  False   FailedGetResourceMetric  the HPA was unable to compute the replica count: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
      'Events:           <none>',
      '',
      'Name:                       queue',
      'Namespace:                  default',
      'Reference:                  Deployment/consumer',
      'Metrics:                    ( current / target )',
      '  "queue_depth" (target value):  250 / 1k',
      '  resource memory on pods:  200Mi / 400Mi',
      'Min replicas:               <unset>',
      'Max replicas:               10',
      'Deployment pods:            4 current / 4 desired',
    );
    const result = parseHpaDescribe(input);
    expect(result.problems).toEqual([]);
    expect(result.events).toEqual([]);
    expect(result.records.map((r) => [r.name, r.minReplicas, r.maxReplicas, r.currentReplicas, r.desiredReplicas, r.metrics, r.conditions.map((c) => [c.type, c.status, c.reason])])).toEqual([
      [
        'openstudio-server-worker',
        1,
        15,
        1,
        0,
        [pct('cpu', null, 50)],
        [
          ['AbleToScale', true, 'SucceededGetScale'],
          ['ScalingActive', false, 'FailedGetResourceMetric'],
        ],
      ],
      ['queue', null, 10, 4, 4, [qty('queue_depth', '250', '1k', 250, 1000), qty('memory', '200Mi', '400Mi', 209715200, 419430400)], []],
    ]);
  });

  it.each([
    [text('Metrics:   ( current / target )', '  resource cpu on pods  (as a percentage of request):  <unknown> / 50%'), 'hpa describe: no `Name:` line: expected `kubectl describe hpa` output, which starts each HPA with `Name:` at line 1'],
    [text('Name:   web', 'Metrics:   ( current / target )', '  resource cpu on pods:  lots'), 'hpa describe: skipped the metric `resource cpu on pods:  lots`: expected `<metric>:  <current> / <target>` at line 3'],
  ])('reports %#', (input, message) => {
    const line = Number(/at line (\d+)$/.exec(message)?.[1]);
    expect(parseHpaDescribe(input).problems).toEqual([{ line, severity: 'error', message }]);
  });
});
