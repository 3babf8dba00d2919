/**
 * What a sweep needs from a target, whatever its kind: check it before the first level, bring it to a
 * cell's shape (replica count, CPU and memory per replica), say where to send the load, capture its
 * state beside each level, disrupt it when asked (`--disrupt`), and stop what was started. One
 * implementation per kind (process, kubernetes, url); the sweep itself has no kind switches.
 */
import type { CaptureLog, Capturer } from '../capture.ts';
import type { Disruptor } from '../disruptions.ts';
import type { ProcessRegistry } from '../process-registry.ts';
import type { Target } from '../targets.ts';
import { KubernetesDriver } from './kubernetes.ts';
import { ProcessDriver } from './process.ts';
import { UrlDriver } from './url.ts';

/** The shape a cell asks for; `null` leaves that dimension as the target has it. */
export interface CellShape {
  readonly replicas: number | null;
  /** CPU per replica, cores (a container's limit and request). */
  readonly cores: number | null;
  /** Memory per replica, bytes. */
  readonly memoryBytes: number | null;
}

/** Per-replica resources of a level as the target ran it, and whether they were enforced. */
export interface AppliedResources {
  readonly cores: number | null;
  readonly memory_bytes: number | null;
  /** `true` enforced (cgroups, a pod's limits), `false` not (then `reason`), `null` not asked for. */
  readonly enforced: boolean | null;
  readonly reason: string | null;
}

export interface Applied {
  readonly baseUrl: string;
  /** Whether the target changed (restarted, scaled, resized): the sweep then waits a cooldown. */
  readonly changed: boolean;
  readonly replicas: number | null;
  readonly resources: AppliedResources;
}

export interface Preflight {
  metrics: string;
  notes: string[];
}

export interface DriverContext {
  readonly say: (line: string) => void;
  readonly signal: AbortSignal;
  /** Processes the driver starts are recorded here, so a `--resume` after a crash finds them. */
  readonly registry: ProcessRegistry;
}

/**
 * Besides the methods below, a driver disrupts its target (`--disrupt`, a Disruptor): it says which
 * kinds it can do, checks a planned one against a cell, and does it when the sweep asks.
 */
export interface TargetDriver extends Disruptor {
  readonly kind: Target['kind'];
  /** Checks before the first level; what it finds goes into the manifest's preflight. */
  prepare(preflight: Preflight): Promise<void>;
  /** Brings the target to `shape` (a no-op when it already is) and says where to send load. */
  apply(shape: CellShape): Promise<Applied>;
  /** The captures of one level, written to `log`. */
  capturer(log: CaptureLog): Capturer;
  /** Stops what the driver started (the sample service); leaves a cluster as it is. */
  stop(): Promise<void>;
}

export function driverFor(target: Target, context: DriverContext): TargetDriver {
  switch (target.kind) {
    case 'process':
      return new ProcessDriver(target, context);
    case 'kubernetes':
      return new KubernetesDriver(target, context);
    case 'url':
      return new UrlDriver(target);
  }
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

export { cpuQuantity, memoryQuantity } from '../../../analysis/snapshots/quantity.ts';
