/**
 * kubectl outputs for the fake kubectl (test/helpers/fake-kubectl), as real clusters print them:
 * short excerpts of the captures in ../shared/reference/formats.md, each with its source, and the
 * rules that make the fake answer with them.
 */

export interface KubectlRule {
  readonly match: readonly string[];
  readonly stdout?: string;
  readonly stderr?: string;
  readonly code?: number;
}

// formats.md §1.2 (kubernetes/kubernetes#110722): namespace-scoped `kubectl top pod`
export const TOP_PODS = `NAME                                                         CPU(cores)   MEMORY(bytes)
admission-webhook-deployment-7df7558c67-n7k28                1m           16Mi
jupyter-web-app-deployment-5886974887-sbzbp                  1m           174Mi
katib-mysql-7894994f88-2sq4c                                 15m          388Mi
`;

// formats.md §1.5a (vyking-devops-task log): the kubectl ≥ 1.33 header, trailing spaces kept
export const TOP_NODES = `NAME                      CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   
k3d-vyking-dev-agent-0    703m         23%      407Mi           5%          
k3d-vyking-dev-agent-1    310m         10%      523Mi           6%          
`;

// formats.md §1.7 (kubernetes-sigs/metrics-server#1282): metrics-server missing, on stderr, exit 1
export const METRICS_MISSING = 'error: Metrics API not available\n';

// formats.md §2.4 (manifests.io#92, EKS 1.25) status fields, as `kubectl get hpa -o json` lists them
export const HPA_JSON = JSON.stringify(
  {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'inference', namespace: 'demo' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'inference' },
          minReplicas: 1,
          maxReplicas: 5,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        },
        status: {
          conditions: [
            { lastTransitionTime: '2023-04-02T08:28:36Z', message: 'recommended size matches current size', reason: 'ReadyForNewScale', status: 'True', type: 'AbleToScale' },
          ],
          currentMetrics: [{ resource: { current: { averageUtilization: 150, averageValue: '301m' }, name: 'cpu' }, type: 'Resource' }],
          currentReplicas: 2,
          desiredReplicas: 2,
          lastScaleTime: '2023-04-02T09:07:40Z',
        },
      },
    ],
    metadata: { resourceVersion: '' },
  },
  null,
  4,
);

// formats.md §4.2 (captured llm-proxy HPA experiment): namespace-scoped events without a header
export const EVENTS = `40m     Normal    SuccessfulCreate    replicaset/llm-proxy-857bf6d79d          Created pod: llm-proxy-857bf6d79d-ncklk
40m     Normal    ScalingReplicaSet   deployment/llm-proxy                     Scaled up replica set llm-proxy-857bf6d79d from 1 to 2
40m     Normal    SuccessfulRescale   horizontalpodautoscaler/llm-proxy-exp6   New size: 2; reason: cpu resource utilization (percentage of request) above target
`;

// formats.md §5 (gitpod-io/gitpod#16773): `kubectl get pods -o wide`, current columns
export const PODS_WIDE = `NAME                                 READY   STATUS    RESTARTS   AGE    IP               NODE                                                NOMINATED NODE   READINESS GATES
blobserve-5ffbb677bb-r24hj           2/2     Running   0          119m   10.200.99.44     i-01fc99f87e7926ba5.eu-central-1.compute.internal   <none>           <none>
dashboard-5fcf4d7f7-2s7bk            1/1     Running   0          119m   10.200.99.40     i-01fc99f87e7926ba5.eu-central-1.compute.internal   <none>           <none>
`;

/**
 * `kubectl get pods -l app=inference -o json`: a List of Pods, 4-space indent, in name order, as kubectl
 * prints it (shape of the kubectl capture in gpdgpa/kuard:temp.sh), re-typed with only the fields the
 * sweep reads and a few beside them. A Terminating pod keeps phase Running and has a
 * `deletionTimestamp` (kubernetes/kubernetes#61376); a new pod is Pending.
 */
export const PODS_JSON = JSON.stringify(
  {
    apiVersion: 'v1',
    items: [
      pod('inference-6b8d7c9f4-9tq5m', 'Running', { deletionTimestamp: '2026-11-24T10:02:11Z', deletionGracePeriodSeconds: 30 }),
      pod('inference-6b8d7c9f4-bz7rl', 'Pending'),
      pod('inference-6b8d7c9f4-k2xwq', 'Running'),
      pod('inference-6b8d7c9f4-wx4hd', 'Running'),
    ],
    kind: 'List',
    metadata: { resourceVersion: '' },
  },
  null,
  4,
);

function pod(name: string, phase: string, deletion: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      creationTimestamp: '2026-11-24T09:31:40Z',
      ...deletion,
      generateName: 'inference-6b8d7c9f4-',
      labels: { app: 'inference', 'pod-template-hash': '6b8d7c9f4' },
      name,
      namespace: 'demo',
      ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: 'inference-6b8d7c9f4', uid: '5f0c2a9e-3d41-4b7a-9c1e-2b8f6d0a7e13' }],
    },
    spec: { containers: [{ image: 'ghcr.io/example/inference:1.4.2', name: 'inference' }], nodeName: 'kind-worker' },
    status: { phase, ...(phase === 'Running' ? { podIP: '10.244.1.17', startTime: '2026-11-24T09:31:40Z' } : {}) },
  };
}

// `kubectl delete pod NAME`: kubectl from 1.34 names the namespace (inspektor-gadget/inspektor-gadget#4861;
// before: `pod "NAME" deleted`).
export const POD_DELETED = (name: string): string => `pod "${name}" deleted from demo namespace\n`;

// kubernetes/website#35877: deleting a pod that is not there
export const POD_NOT_FOUND = (name: string): string => `Error from server (NotFound): pods "${name}" not found\n`;

/** A healthy cluster: every command the sweep and the matrix use. */
export function healthyCluster(options: { metrics?: boolean } = {}): KubectlRule[] {
  const { metrics = true } = options;
  return [
    { match: ['version', '--client'], stdout: '{"clientVersion":{"gitVersion":"v1.31.0"}}\n' },
    { match: ['get', 'namespace'], stdout: 'namespace/demo\n' },
    { match: ['get', 'deployment'], stdout: 'deployment.apps/inference\n' },
    metrics ? { match: ['top', 'pods'], stdout: TOP_PODS } : { match: ['top', 'pods'], stderr: METRICS_MISSING, code: 1 },
    metrics ? { match: ['top', 'nodes'], stdout: TOP_NODES } : { match: ['top', 'nodes'], stderr: METRICS_MISSING, code: 1 },
    { match: ['get', 'hpa', '-o', 'json'], stdout: HPA_JSON },
    { match: ['get', 'pods', '-o', 'wide'], stdout: PODS_WIDE },
    { match: ['get', 'pods', '-o', 'json'], stdout: PODS_JSON },
    { match: ['get', 'events'], stdout: EVENTS },
    { match: ['scale', 'deployment/inference'], stdout: 'deployment.apps/inference scaled\n' },
    { match: ['set', 'resources', 'deployment/inference'], stdout: 'deployment.apps/inference resource requirements updated\n' },
    { match: ['rollout', 'status', 'deployment/inference'], stdout: 'deployment "inference" successfully rolled out\n' },
    // The pod `--disrupt delete-pod` chooses from PODS_JSON.
    { match: ['delete', 'pod', 'inference-6b8d7c9f4-k2xwq', '--wait=false'], stdout: POD_DELETED('inference-6b8d7c9f4-k2xwq') },
  ];
}
