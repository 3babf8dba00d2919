/**
 * A Deployment in a cluster, through kubectl: checked before the first level (kubectl, the cluster,
 * the namespace, the deployment, the metrics API), scaled with `kubectl scale` and resized with
 * `kubectl set resources` (requests and limits alike, so the pods are Guaranteed and the tier is what
 * it says), each change followed by `kubectl rollout status`; captured with kubectl top, get hpa, get
 * pods and get events. `--disrupt delete-pod[:NAME]` deletes one of its pods, as a node drain or an
 * eviction would: the pod named, or the first Running one by name.
 */
import { kubernetesCapturer, kubernetesCommands, type CaptureLog, type Capturer } from '../capture.ts';
import { CliError } from '../cli.ts';
import type { DisruptionKind, DisruptionOutcome, PlannedDisruption } from '../disruptions.ts';
import { Kubectl, type KubectlResult } from '../kubectl.ts';
import type { KubernetesTarget } from '../targets.ts';
import { cpuQuantity, firstLine, memoryQuantity, type Applied, type CellShape, type DriverContext, type Preflight, type TargetDriver } from './driver.ts';

export class KubernetesDriver implements TargetDriver {
  readonly kind = 'kubernetes' as const;
  readonly disruptionKinds: readonly DisruptionKind[] = ['delete-pod'];
  private readonly kubectl: Kubectl;
  private metricsAvailable = false;
  private replicas: number | null = null;
  private resources: { cores: number | null; memoryBytes: number | null } | null = null;

  constructor(
    private readonly target: KubernetesTarget,
    private readonly context: DriverContext,
  ) {
    this.kubectl = new Kubectl({ context: target.context, namespace: target.namespace });
  }

  async prepare(preflight: Preflight): Promise<void> {
    const { kubectl, target } = this;
    const client = await kubectl.run(['version', '--client', '-o', 'json'], { namespaced: false });
    if (client.exitCode !== 0) throw new CliError(`sweep: \`kubectl version --client\` failed: ${firstLine(client.stderr)}`);
    const namespace = await kubectl.run(['get', 'namespace', target.namespace, '-o', 'name'], { namespaced: false });
    if (namespace.exitCode !== 0) {
      throw new CliError(`sweep: the cluster or namespace \`${target.namespace}\` is not reachable: ${firstLine(namespace.stderr)}`, {
        note: `check the kube context${target.context === null ? '' : ` \`${target.context}\``} with \`kubectl cluster-info\``,
      });
    }
    const deployment = await kubectl.run(['get', 'deployment', target.deployment, '-o', 'name']);
    if (deployment.exitCode !== 0) throw new CliError(`sweep: deployment \`${target.deployment}\` in \`${target.namespace}\`: ${firstLine(deployment.stderr)}`);
    const top = await kubectl.run(['top', 'pods', ...(target.selector === null ? [] : ['-l', target.selector])]);
    if (top.exitCode === 0) {
      preflight.metrics = 'available';
      this.metricsAvailable = true;
    } else {
      preflight.metrics = `unavailable: ${firstLine(top.stderr) || `kubectl top exited with code ${top.exitCode}`}`;
      preflight.notes.push('the metrics API is not available: CPU and memory are not captured (HPA, events and pods still are)');
      this.context.say(`sweep: WARNING metrics API not available (${firstLine(top.stderr)}): the sweep goes on without resource data`);
    }
  }

  async apply(shape: CellShape): Promise<Applied> {
    const { target } = this;
    let changed = false;
    const wantsResources = shape.cores !== null || shape.memoryBytes !== null;
    if (wantsResources && (this.resources?.cores !== shape.cores || this.resources?.memoryBytes !== shape.memoryBytes)) {
      const sizes = [...(shape.cores === null ? [] : [`cpu=${cpuQuantity(shape.cores)}`]), ...(shape.memoryBytes === null ? [] : [`memory=${memoryQuantity(shape.memoryBytes)}`])].join(',');
      this.context.say(`sweep: setting deployment/${target.deployment} to ${sizes} per pod (requests = limits)`);
      const set = await this.kubectl.run(['set', 'resources', `deployment/${target.deployment}`, `--requests=${sizes}`, `--limits=${sizes}`]);
      if (set.exitCode !== 0) throw new CliError(`sweep: \`kubectl set resources deployment/${target.deployment}\` failed: ${firstLine(set.stderr)}`);
      await this.rollout(`${sizes} per pod`);
      this.resources = { cores: shape.cores, memoryBytes: shape.memoryBytes };
      changed = true;
    }
    if (shape.replicas !== null && shape.replicas !== this.replicas) {
      this.context.say(`sweep: scaling deployment/${target.deployment} to ${shape.replicas} replica(s)`);
      const scale = await this.kubectl.run(['scale', `deployment/${target.deployment}`, `--replicas=${shape.replicas}`]);
      if (scale.exitCode !== 0) throw new CliError(`sweep: \`kubectl scale deployment/${target.deployment}\` failed: ${firstLine(scale.stderr)}`);
      await this.rollout(`${shape.replicas} replica(s)`);
      this.replicas = shape.replicas;
      changed = true;
    }
    const resources = wantsResources ? { cores: shape.cores, memoryBytes: shape.memoryBytes } : { cores: target.resources?.cores ?? null, memoryBytes: target.resources?.memoryBytes ?? null };
    return {
      baseUrl: target.baseUrl,
      changed,
      replicas: shape.replicas,
      // The pods' limits are what the kubelet enforces; resources only from targets.json are what the user says.
      resources: { cores: resources.cores, memory_bytes: resources.memoryBytes, enforced: wantsResources ? true : null, reason: null },
    };
  }

  private async rollout(what: string): Promise<void> {
    const { target } = this;
    const rollout = await this.kubectl.run(['rollout', 'status', `deployment/${target.deployment}`, '--timeout=300s'], { timeoutMs: 320_000 });
    if (rollout.exitCode !== 0) throw new CliError(`sweep: deployment/${target.deployment} did not roll out to ${what}: ${firstLine(rollout.stderr)}`);
  }

  capturer(log: CaptureLog): Capturer {
    return kubernetesCapturer(this.kubectl, log, kubernetesCommands({ selector: this.target.selector, metricsAvailable: this.metricsAvailable }));
  }

  checkDisruption(disruption: PlannedDisruption): string | null {
    if (disruption.which !== null || this.target.selector !== null) return null;
    return `target \`${this.target.name}\` has no \`selector\` in targets.json to choose a pod by: expected a \`selector\` of its pods, or the pod named as \`delete-pod:NAME@TIME\``;
  }

  async disrupt(disruption: PlannedDisruption): Promise<DisruptionOutcome> {
    const { selector } = this.target;
    const failed = (detail: string, from?: KubectlResult): DisruptionOutcome => ({
      target: null,
      pid: null,
      ok: false,
      detail,
      command: from?.argv ?? [],
      exitCode: from?.exitCode ?? 1,
      stdout: from?.stdout ?? '',
      stderr: from?.stderr ?? '',
    });
    if (disruption.kind !== 'delete-pod') return failed(`a kubernetes target cannot \`${disruption.kind}\``);
    let pod = typeof disruption.which === 'string' ? disruption.which : null;
    if (pod === null) {
      if (selector === null) return failed('no `selector` to choose a pod by');
      const list = await this.kubectl.run(['get', 'pods', '-l', selector, '-o', 'json']);
      if (list.exitCode !== 0) return failed(`\`kubectl get pods -l ${selector}\` failed: ${firstLine(list.stderr) || `exit code ${list.exitCode}`}`, list);
      pod = firstRunningPod(list.stdout);
      if (pod === null) return failed(`no Running pod matches \`${selector}\``, list);
    }
    // --wait=false: kubectl returns once the API server has taken the deletion, not when the pod is gone.
    const deleted = await this.kubectl.run(['delete', 'pod', pod, '--wait=false']);
    const ok = deleted.exitCode === 0;
    return {
      target: pod,
      pid: null,
      ok,
      detail: ok ? firstLine(deleted.stdout) || `deleted pod ${pod}` : firstLine(deleted.stderr) || `kubectl delete pod exited with code ${deleted.exitCode}`,
      command: deleted.argv,
      exitCode: deleted.exitCode,
      stdout: deleted.stdout,
      stderr: deleted.stderr,
    };
  }

  async stop(): Promise<void> {}
}

/** The pods of `kubectl get pods -o json` the sweep reads. */
interface PodList {
  readonly items?: readonly { readonly metadata?: { readonly name?: string; readonly deletionTimestamp?: string | null }; readonly status?: { readonly phase?: string } }[];
}

/**
 * The first pod by name that is Running and not already being deleted: a Terminating pod still has
 * phase Running, only its `deletionTimestamp` tells (kubernetes/kubernetes#61376). `null` when none.
 */
export function firstRunningPod(json: string): string | null {
  let list: PodList;
  try {
    list = JSON.parse(json) as PodList;
  } catch {
    return null;
  }
  const names = (list.items ?? [])
    .filter((pod) => pod.status?.phase === 'Running' && (pod.metadata?.deletionTimestamp ?? null) === null)
    .map((pod) => pod.metadata?.name)
    .filter((name): name is string => typeof name === 'string' && name !== '')
    .sort();
  return names[0] ?? null;
}
