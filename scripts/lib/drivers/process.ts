/**
 * The bundled sample service as local processes (`npm run sample-service`): one replica process per
 * "pod", restarted when the replica count or the per-replica limits change, each replica in its own
 * cgroup with a CPU quota and a memory limit when the cell asks for them (like a container's limits),
 * sampled from /proc (CPU, RSS) and from its cgroup (throttling, memory, OOM kills).
 *
 * With `autoscale` in targets.json, an HPA runs beside it: every sync period the Kubernetes algorithm
 * (hpa-algorithm.ts) reads each replica's CPU over the period, divides by `resources.cores` (the
 * request) and scales the running service up or down, as a Deployment is scaled. Its state goes
 * into the level's captures as `hpa-json` records (the object `kubectl get hpa -o json` would
 * show) and each rescale as an `events` record, so the HPA report reads them like a cluster's.
 *
 * `--disrupt kill-replica[:N]` SIGKILLs replica N's process, as a pod's container dies; the service
 * restarts it after its restart delay, as the kubelet restarts a container.
 */
import { processCapturer, type CaptureLog, type CapturePhase, type Capturer } from '../capture.ts';
import type { DisruptionKind, DisruptionOutcome, PlannedDisruption } from '../disruptions.ts';
import { HpaController, hpaObject, rescaleMessage } from '../hpa-algorithm.ts';
import { ProcSampler, readProc, type ProcReading } from '../proc-sampler.ts';
import { procStat } from '../process-registry.ts';
import { startSampleService, type RunningService } from '../processes.ts';
import type { Autoscale, ProcessTarget } from '../targets.ts';
import type { Applied, AppliedResources, CellShape, DriverContext, Preflight, TargetDriver } from './driver.ts';

export class ProcessDriver implements TargetDriver {
  readonly kind = 'process' as const;
  readonly disruptionKinds: readonly DisruptionKind[] = ['kill-replica'];
  private service: RunningService | null = null;
  private sampler: ProcSampler | null = null;
  private shape: { replicas: number; cores: number | null; memoryBytes: number | null } | null = null;
  private resources: AppliedResources | null = null;
  private warned = false;
  private hpa: Autoscaler | null = null;

  constructor(
    private readonly target: ProcessTarget,
    private readonly context: DriverContext,
  ) {}

  async prepare(preflight: Preflight): Promise<void> {
    preflight.metrics = 'process sampler (/proc, and cgroups for limits)';
  }

  async apply(shape: CellShape): Promise<Applied> {
    const { target, context } = this;
    const autoscale = target.autoscale;
    if (autoscale !== null && shape.replicas !== null) {
      throw new Error(`process driver: target \`${target.name}\` autoscales: a cell cannot set its replica count`);
    }
    const want = {
      // An autoscaled target keeps the replica count its HPA chose; it starts at minReplicas.
      replicas: autoscale === null ? (shape.replicas ?? target.replicas) : (this.hpa?.replicas ?? Math.min(autoscale.maxReplicas, Math.max(autoscale.minReplicas, target.replicas))),
      // A cell's size wins over targets.json's `resources`, which are the target's default size.
      cores: shape.cores ?? target.resources?.cores ?? null,
      memoryBytes: shape.memoryBytes ?? target.resources?.memoryBytes ?? null,
    };
    const same = this.service !== null && this.shape !== null && (autoscale !== null || this.shape.replicas === want.replicas) && this.shape.cores === want.cores && this.shape.memoryBytes === want.memoryBytes;
    if (same && this.service !== null && this.resources !== null) return { baseUrl: this.service.url, changed: false, replicas: want.replicas, resources: this.resources };
    await this.stop();
    const token = target.requireTokenEnv === null ? undefined : process.env[target.requireTokenEnv];
    const service = await startSampleService({
      replicas: want.replicas,
      ...(target.predictCost === null ? {} : { predictCost: target.predictCost }),
      ...(target.latencyMs === null ? {} : { latencyMs: target.latencyMs }),
      ...(target.errorRate === null ? {} : { errorRate: target.errorRate }),
      ...(target.leakKbPerRequest === null ? {} : { leakKbPerRequest: target.leakKbPerRequest }),
      ...(target.leakKbPerSecond === null ? {} : { leakKbPerSecond: target.leakKbPerSecond }),
      ...(target.degradeMsPerMinute === null ? {} : { degradeMsPerMinute: target.degradeMsPerMinute }),
      ...(token === undefined ? {} : { requireToken: token }),
      ...(want.cores === null ? {} : { cpuLimitCores: want.cores }),
      ...(want.memoryBytes === null ? {} : { memoryLimitBytes: want.memoryBytes }),
      ...(autoscale === null ? {} : { control: true }),
    });
    context.registry.add('sample-service', service.pid);
    this.service = service;
    this.shape = want;
    this.sampler = new ProcSampler();
    this.sampler.sample(replicasOf(service));
    const asked = want.cores !== null || want.memoryBytes !== null;
    const limits = service.limits;
    this.resources = {
      cores: want.cores,
      memory_bytes: want.memoryBytes,
      enforced: !asked ? null : limits.enforced,
      reason: !asked || limits.enforced ? null : limits.reason,
    };
    if (asked && !limits.enforced && !this.warned) {
      // Said once per sweep, and recorded per level in the manifest: never silently unlimited.
      context.say(`sweep: WARNING limits not enforced: ${limits.reason}; replicas run without CPU and memory limits`);
      this.warned = true;
    }
    const sizes = [want.cores === null ? null : `${want.cores} cores`, want.memoryBytes === null ? null : `${Math.round(want.memoryBytes / 2 ** 20)} MiB`].filter((s) => s !== null);
    context.say(
      `sweep: sample service with ${want.replicas} replica(s)${sizes.length === 0 ? '' : ` of ${sizes.join(', ')}${limits.enforced ? ' (cgroups)' : ' (not enforced)'}`} on ${service.url} (PIDs ${[...service.replicaPids.values()].join(', ')})`,
    );
    if (autoscale !== null && want.cores !== null) {
      // A new size is a new Deployment: its HPA starts again, at the replicas the service started with.
      this.hpa = new Autoscaler(target.name, autoscale, want.cores, want.replicas, service, context.say);
      context.say(
        `sweep: HPA ${target.name}: ${autoscale.minReplicas} to ${autoscale.maxReplicas} replicas at ${autoscale.targetCPUUtilizationPercentage}% CPU of ${want.cores} cores, every ${autoscale.syncPeriodSeconds} s`,
      );
    }
    return { baseUrl: service.url, changed: true, replicas: autoscale === null ? want.replicas : null, resources: this.resources };
  }

  capturer(log: CaptureLog): Capturer {
    const { service, sampler, hpa } = this;
    if (service === null || sampler === null) throw new Error('process driver: capturer() before apply()');
    const processes = processCapturer(() => replicasOf(service), log, sampler, service);
    if (hpa === null) return processes;
    return {
      async capture(phase) {
        if (phase === 'before') {
          hpa.attach(log);
          // An HPA that has not synced yet (just created with the service) syncs now, so the level
          // starts with its replicas known.
          await hpa.syncOnce();
        }
        await processes.capture(phase);
        if (phase !== 'during') hpa.record(phase);
        if (phase === 'after') hpa.detach();
      },
    };
  }

  checkDisruption(disruption: PlannedDisruption, cell: { readonly id: string; readonly replicas: number | null }): string | null {
    const { autoscale } = this.target;
    const replica = typeof disruption.which === 'number' ? disruption.which : 0;
    // An autoscaled target may have any count its HPA chooses: only an index it can never reach is refused.
    const count = autoscale === null ? (cell.replicas ?? this.target.replicas) : autoscale.maxReplicas;
    if (replica < count) return null;
    const has = count === 1 ? '1 replica (replica 0)' : `${count} replicas (0 to ${count - 1})`;
    const where = autoscale === null ? `level \`${cell.id}\` runs ${has}` : `target \`${this.target.name}\` autoscales to at most ${has}`;
    return `${where}: expected ${count === 1 ? 'replica 0' : `a replica from 0 to ${count - 1}`}`;
  }

  async disrupt(disruption: PlannedDisruption): Promise<DisruptionOutcome> {
    const replica = typeof disruption.which === 'number' ? disruption.which : 0;
    const name = `sample-replica-${replica}`;
    const none = { pid: null, command: [], exitCode: 1, stdout: '', stderr: '' };
    if (disruption.kind !== 'kill-replica') return { ...none, target: null, ok: false, detail: `a process target cannot \`${disruption.kind}\`` };
    const service = this.service;
    const pid = service?.replicaPids.get(replica);
    // The PID the service last announced, only while it is still that replica: alive and a child of
    // the service (a dead replica's PID may already be another process's).
    if (service === null || pid === undefined || procStat(pid)?.parentPid !== service.pid) {
      return { ...none, target: name, ok: false, detail: `replica ${replica} was not running` };
    }
    const command = ['kill', '-KILL', String(pid)];
    try {
      process.kill(pid, 'SIGKILL');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return { ...none, target: name, command, detail: `replica ${replica} (PID ${pid}) could not be killed: ${code}`, ok: false, stderr: `kill: (${pid}): ${code}\n` };
    }
    return { target: name, pid, ok: true, detail: `killed ${name} (PID ${pid}) with SIGKILL`, command, exitCode: 0, stdout: '', stderr: '' };
  }

  async stop(): Promise<void> {
    await this.hpa?.stop();
    this.hpa = null;
    if (this.service !== null) {
      await this.service.stop();
      this.context.registry.remove(this.service.pid);
    }
    this.service = null;
    this.sampler = null;
    this.shape = null;
  }
}

function replicasOf(service: RunningService): { name: string; pid: number }[] {
  return [...service.replicaPids].sort(([a], [b]) => a - b).map(([replica, pid]) => ({ name: `sample-replica-${replica}`, pid }));
}

/**
 * The HPA beside an autoscaled process target: a sync every period while the service runs, levels or
 * not (an HPA does not stop between tests), writing to the level's capture log while one runs.
 */
class Autoscaler {
  private readonly controller: HpaController;
  private readonly timer: NodeJS.Timeout;
  private readonly previous = new Map<number, ProcReading>();
  private log: CaptureLog | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The scale's replica count: what the HPA last set (new replicas may still be starting). */
  replicas: number;

  constructor(
    private readonly name: string,
    autoscale: Autoscale,
    requestCores: number,
    replicas: number,
    private readonly service: RunningService,
    private readonly say: (line: string) => void,
  ) {
    this.replicas = replicas;
    this.controller = new HpaController({
      minReplicas: autoscale.minReplicas,
      maxReplicas: autoscale.maxReplicas,
      targetUtilizationPercent: autoscale.targetCPUUtilizationPercentage,
      scaleDownStabilizationSeconds: autoscale.scaleDownStabilizationSeconds,
      requestCores,
    });
    this.readPods();
    this.timer = setInterval(() => this.queue(() => !this.stopped), autoscale.syncPeriodSeconds * 1000);
  }

  attach(log: CaptureLog): void {
    this.log = log;
  }

  detach(): void {
    this.log = null;
  }

  /** The HPA object as the last sync left it, as a capture of the level's `phase`. */
  record(phase: CapturePhase): void {
    this.log?.append({
      captured_at: new Date().toISOString(),
      kind: 'hpa-json',
      phase,
      command: ['hpa-controller', 'get', 'hpa', this.name, '-o', 'json'],
      exit_code: 0,
      stdout: JSON.stringify(hpaObject(this.controller, { name: this.name, namespace: NAMESPACE })),
      stderr: '',
    });
  }

  /** A sync now, unless one already happened. */
  async syncOnce(): Promise<void> {
    if (this.controller.status !== null) return;
    await this.queue(() => !this.stopped && this.controller.status === null);
  }

  /** Syncs never overlap; a failed one is said and the next one tries again. */
  private queue(when: () => boolean): Promise<void> {
    this.running = this.running
      .then(() => (when() ? this.sync() : undefined))
      .catch((error: unknown) => {
        this.say(`sweep: HPA ${this.name}: sync failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Each listening replica's CPU in cores since the last reading; replicas seen for the first time have none yet, as a new pod has no metric. */
  private readPods(): number[] {
    const now = Date.now();
    const cores: number[] = [];
    const seen = new Set<number>();
    for (const pid of this.service.replicaPids.values()) {
      const reading = readProc(pid, now);
      if (reading === null) continue;
      seen.add(pid);
      const before = this.previous.get(pid);
      this.previous.set(pid, reading);
      if (before !== undefined && reading.atMs > before.atMs) cores.push((reading.cpuTicks - before.cpuTicks) / USER_HZ / ((reading.atMs - before.atMs) / 1000));
    }
    for (const pid of this.previous.keys()) if (!seen.has(pid)) this.previous.delete(pid);
    return cores;
  }

  private async sync(): Promise<void> {
    const podCpuCores = this.readPods();
    // No replica with a metric yet (all just started): the controller would compute nothing.
    if (podCpuCores.length === 0) return;
    const step = this.controller.step(Date.now(), { currentReplicas: this.replicas, podCpuCores });
    if (step.rescaled && step.desiredReplicas !== this.replicas) {
      const message = step.event?.message ?? rescaleMessage(step.desiredReplicas, step.reason ?? '');
      this.say(`sweep: HPA ${this.name}: ${message}`);
      this.log?.append({
        captured_at: new Date().toISOString(),
        kind: 'events',
        phase: 'during',
        command: ['hpa-controller', 'get', 'events'],
        exit_code: 0,
        stdout: `LAST SEEN   TYPE     REASON              OBJECT                           MESSAGE\n0s          Normal   SuccessfulRescale   horizontalpodautoscaler/${this.name}   ${message}\n`,
        stderr: '',
      });
      this.replicas = step.desiredReplicas;
      await this.service.scale(step.desiredReplicas);
    }
    this.record('during');
  }
}

/** The namespace the process target's "pods" are in (proc-sampler's PodMetricsList uses it too). */
const NAMESPACE = 'local';
/** Clock ticks per second of /proc/<pid>/stat times. */
const USER_HZ = 100;
