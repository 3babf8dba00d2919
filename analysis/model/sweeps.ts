/**
 * Sweeps: the runs whose capacity is judged together. A sweep is the runs of one manifest.json (one
 * per replica count in a matrix), or of one folder of level folders, or bare runs that share target
 * and scenario with distinct levels. Only runs with a single target rate (`level`) take part: a ramp
 * or stress run has many and is judged on its own.
 */
import { cpuQuantity, memoryQuantity } from '../snapshots/quantity.ts';
import type { Manifest } from './manifest.ts';
import type { Run } from './run.ts';

export interface Sweep {
  readonly id: string;
  readonly label: string;
  readonly target: string | null;
  readonly scenario: string | null;
  readonly replicas: number | null;
  /** Per replica, from the manifest (targets.json `resources`), where known. */
  readonly resources: { readonly cores: number | null; readonly memory_bytes: number | null } | null;
  /** Run ids in ascending level. */
  readonly runs: readonly string[];
  readonly source: 'manifest' | 'folder' | 'files';
}

export function sweepsOf(runs: readonly Run[], manifests: readonly { readonly manifest: Manifest }[]): Sweep[] {
  const byManifest = new Map(manifests.map(({ manifest }) => [manifest.id, manifest]));
  const groups = new Map<string, { key: Omit<Sweep, 'runs'>; runs: Run[] }>();
  const add = (id: string, key: Omit<Sweep, 'runs'>, run: Run): void => {
    const group = groups.get(id) ?? { key, runs: [] };
    group.runs.push(run);
    groups.set(id, group);
  };
  for (const run of runs) {
    if (run.level === null) continue;
    if (run.sweep !== null) {
      const manifest = byManifest.get(run.sweep);
      // A matrix is one sweep per cell shape: per size (tier) and replica count.
      const siblings = runs.filter((other) => other.sweep === run.sweep);
      const differs = (key: (r: Run) => unknown): boolean => siblings.some((other) => key(other) !== key(run));
      const byReplicas = manifest?.plan?.mode === 'matrix' || differs((r) => r.replicas);
      const bySize = differs((r) => r.resources?.cores ?? null) || differs((r) => r.resources?.memory_bytes ?? null);
      const parts: string[] = [];
      const labels: string[] = [];
      if (bySize) {
        const cores = run.resources?.cores ?? null;
        const memory = run.resources?.memory_bytes ?? null;
        if (cores !== null) {
          parts.push(`cpu${cpuQuantity(cores)}`);
          labels.push(`${cpuQuantity(cores)} CPU`);
        }
        if (memory !== null) {
          parts.push(`mem${memoryQuantity(memory)}`);
          labels.push(memoryQuantity(memory));
        }
      }
      if (byReplicas && run.replicas !== null) {
        parts.push(`r${run.replicas}`);
        labels.push(`${run.replicas} ${run.replicas === 1 ? 'replica' : 'replicas'}`);
      }
      const id = parts.length === 0 ? run.sweep : `${run.sweep}/${parts.join('-')}`;
      const resources = run.resources;
      add(
        id,
        {
          id,
          label: labels.length === 0 ? run.sweep : `${run.sweep} · ${labels.join(', ')}`,
          target: manifest?.target.name ?? run.target,
          scenario: manifest?.scenario ?? run.scenario,
          replicas: run.replicas,
          resources: resources === null ? null : { cores: resources.cores, memory_bytes: resources.memory_bytes },
          source: manifest === undefined ? 'folder' : 'manifest',
        },
        run,
      );
      continue;
    }
    const id = `${run.target ?? 'unknown-target'}-${run.scenario ?? 'unknown-scenario'}${run.replicas === null ? '' : `-r${run.replicas}`}`;
    add(id, { id, label: id, target: run.target, scenario: run.scenario, replicas: run.replicas, resources: null, source: 'files' }, run);
  }
  const sweeps: Sweep[] = [];
  for (const { key, runs: members } of groups.values()) {
    const ordered = [...members].sort((a, b) => (a.level as number) - (b.level as number));
    // Bare files only make a sweep when they really are levels of one: two or more distinct rates.
    if (key.source === 'files' && new Set(ordered.map((run) => run.level)).size < 2) continue;
    sweeps.push({ ...key, runs: ordered.map((run) => run.id) });
  }
  return sweeps;
}

