/** A target known only by its URL: nothing to start, scale, capture or disrupt. */
import { NO_CAPTURE, type Capturer } from '../capture.ts';
import type { DisruptionKind, DisruptionOutcome, PlannedDisruption } from '../disruptions.ts';
import type { UrlTarget } from '../targets.ts';
import type { Applied, CellShape, Preflight, TargetDriver } from './driver.ts';

export class UrlDriver implements TargetDriver {
  readonly kind = 'url' as const;
  /** Nothing: the sweep controls no part of a url target. */
  readonly disruptionKinds: readonly DisruptionKind[] = [];

  constructor(private readonly target: UrlTarget) {}

  async prepare(preflight: Preflight): Promise<void> {
    preflight.metrics = 'none: a url target has no captures';
  }

  async apply(shape: CellShape): Promise<Applied> {
    const resources = this.target.resources;
    return {
      baseUrl: this.target.baseUrl,
      changed: false,
      replicas: shape.replicas,
      resources: { cores: resources?.cores ?? null, memory_bytes: resources?.memoryBytes ?? null, enforced: null, reason: null },
    };
  }

  capturer(): Capturer {
    return NO_CAPTURE;
  }

  checkDisruption(): string | null {
    return null;
  }

  async disrupt(disruption: PlannedDisruption): Promise<DisruptionOutcome> {
    return { target: null, pid: null, ok: false, detail: `a url target cannot \`${disruption.kind}\``, command: [], exitCode: 1, stdout: '', stderr: '' };
  }

  async stop(): Promise<void> {}
}
