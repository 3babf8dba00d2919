/**
 * `manifest.json` of a run directory (DESIGN.md, "Run directory"): what a sweep ran, against what,
 * when, with which tool versions, and the status of every level. The sweep rewrites it atomically
 * after each level; the analysis reads it to name runs, order them and show their status.
 */
import { readFileSync } from 'node:fs';
import { AnalysisError } from '../errors.ts';

export const MANIFEST_KIND = 'k6-capacity-sweep';
export const MANIFEST_SCHEMA_VERSION = 1;

export type LevelStatus = 'pending' | 'running' | 'ok' | 'thresholds-failed' | 'error' | 'skipped' | 'interrupted';
export const LEVEL_STATUSES: readonly LevelStatus[] = ['pending', 'running', 'ok', 'thresholds-failed', 'error', 'skipped', 'interrupted'];

/**
 * One schema for the writer (scripts/lib/sweep.ts) and the readers (the analysis, `--resume`). Fields
 * added after the first manifests were written are optional: older run directories stay readable.
 */
export interface TargetResources {
  /** CPU cores per replica (the container limit, or the request when no limit), where known. */
  cores: number | null;
  /** Memory per replica in bytes, where known. */
  memory_bytes: number | null;
  replicas: number | null;
  nodes: number | null;
}

export interface ManifestLevel {
  /** Folder of the level inside the run directory, e.g. `tps-50` or `r4-tps-400`. */
  id: string;
  /** Target rate, iterations/s. */
  level: number | null;
  /** Replicas of the target during this level (matrix cells), where known. */
  replicas: number | null;
  status: LevelStatus;
  run_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  exit_code: number | null;
  /** Why a level is `error`, `skipped` or `interrupted`. */
  reason: string | null;
  /**
   * CPU and memory per replica during this level (a tier of a matrix, or the target's size), and
   * whether they were enforced (cgroups, pod limits) — `false` with the reason when they could not be.
   */
  resources?: LevelResources | null;
}

export interface LevelResources {
  cores: number | null;
  memory_bytes: number | null;
  /** `true` enforced, `false` asked for but not enforced (`reason` says why), `null` not asked for. */
  enforced: boolean | null;
  reason: string | null;
}

/** One cell of a sweep's plan: a load level, optionally at a replica count. */
export interface Cell {
  readonly id: string;
  readonly level: number;
  /** Replicas of the target for this cell (matrix); `null` leaves the target as it is. */
  readonly replicas: number | null;
  /** CPU per replica for this cell, cores (`--cpu`); absent or `null` leaves it as the target has it. */
  readonly cores?: number | null;
  /** Memory per replica for this cell, bytes (`--memory`). */
  readonly memory_bytes?: number | null;
}

/** What a sweep was asked to do: enough to run it again, or to resume it, without the command line. */
export interface SweepPlan {
  readonly mode: 'sweep' | 'matrix';
  readonly scenario: string;
  readonly duration: string;
  readonly cells: readonly Cell[];
  readonly pause_ms: number;
  readonly cooldown_ms: number;
  readonly snapshot_interval_ms: number;
  readonly health_timeout_ms: number;
  readonly skip_health_wait: boolean;
  readonly skip_data: boolean;
  /** Public k6 variables (`-e`); secrets are never stored, only their names. */
  readonly vars: Readonly<Record<string, string>>;
  readonly secret_names: readonly string[];
}

/** The machine the load generator ran on: a saturated host limits the load it can send. */
export interface HostInfo {
  /** Logical CPUs. */
  cores: number;
  memory_bytes: number;
  /** `os.cpus()[0].model`, where known. */
  cpu_model: string | null;
  /** `linux x64`. */
  platform: string;
}

/** targets.json `autoscale`, as the sweep ran it. */
export interface ManifestAutoscale {
  min_replicas: number;
  max_replicas: number;
  target_cpu_utilization_percent: number;
  sync_period_s: number;
  scale_down_stabilization_s: number;
}

/** One `--resume` of the sweep. */
export interface ResumeRecord {
  at: string;
  /** Levels it set out to run (pending, interrupted or left running by a crash). */
  levels: string[];
  /** Processes of an earlier attempt it found still running and stopped. */
  stopped: { role: string; pid: number }[];
}

export interface Manifest {
  kind: typeof MANIFEST_KIND;
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  id: string;
  target: {
    name: string;
    kind: string;
    base_url: string | null;
    resources: TargetResources | null;
    /** A process target scaled by its own HPA (targets.json `autoscale`): then `resources.replicas` is `null`. */
    autoscale?: ManifestAutoscale | null;
  };
  scenario: string;
  duration: string | null;
  created_at: string;
  updated_at: string;
  k6_version: string | null;
  tool_version: string;
  /** The command line, secrets redacted. */
  command: readonly string[];
  levels: ManifestLevel[];
  /** What the preflight found (metrics API, notes); written by the sweep. */
  preflight?: { metrics: string; notes: string[] };
  plan?: SweepPlan;
  host?: HostInfo;
  resumes?: ResumeRecord[];
}

/** Whether parsed JSON is (meant to be) a manifest. */
export function isManifest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === MANIFEST_KIND;
}

/** Reads and checks a manifest; throws `AnalysisError` naming the file and the bad field. */
export function readManifest(file: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AnalysisError('unknown-format', `manifest: \`${file}\` is not JSON: ${(error as Error).message}`);
  }
  return checkManifest(parsed, file);
}

export function checkManifest(value: unknown, file: string): Manifest {
  const bad = (field: string, got: unknown, expected: string): never => {
    throw new AnalysisError('unknown-format', `manifest: \`${field}\` is \`${JSON.stringify(got)}\` in ${file}: expected ${expected}`);
  };
  if (!isManifest(value)) bad('kind', (value as { kind?: unknown } | null)?.kind, `\`${MANIFEST_KIND}\``);
  const manifest = value as Record<string, unknown>;
  if (manifest.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    bad('schemaVersion', manifest.schemaVersion, `${MANIFEST_SCHEMA_VERSION} (this tool reads schema version ${MANIFEST_SCHEMA_VERSION})`);
  }
  if (!Array.isArray(manifest.levels)) bad('levels', manifest.levels, 'an array');
  (manifest.levels as unknown[]).forEach((level, i) => {
    const entry = level as Record<string, unknown> | null;
    if (typeof entry?.id !== 'string' || entry.id === '' || entry.id.includes('/') || entry.id.includes('..')) {
      bad(`levels[${i}].id`, entry?.id, 'a folder name');
    }
    if (!LEVEL_STATUSES.includes(entry?.status as LevelStatus)) bad(`levels[${i}].status`, entry?.status, `one of ${LEVEL_STATUSES.join(', ')}`);
  });
  return value as Manifest;
}
