/**
 * A Deployment in a cluster, through kubectl: checked before the first level (kubectl, the cluster,
 * the namespace, the deployment, the metrics API), scaled with `kubectl scale` and resized with
 * `kubectl set resources` (requests and limits alike, so the pods are Guaranteed and the tier is what
 * it says), each change followed by `kubectl rollout status`; captured with kubectl top, get hpa, get
 * pods and get events.
 */
import { kubernetesCapturer, kubernetesCommands, type CaptureLog, type Capturer } from '../capture.ts';
import { CliError } from '../cli.ts';
import { Kubectl } from '../kubectl.ts';
import type { KubernetesTarget } from '../targets.ts';
import { cpuQuantity, firstLine, memoryQuantity, type Applied, type CellShape, type DriverContext, type Preflight, type TargetDriver } from './driver.ts';

export class KubernetesDriver implements TargetDriver {
  readonly kind = 'kubernetes' as const;
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

  async stop(): Promise<void> {}
}
