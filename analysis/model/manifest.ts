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
  /**
   * What the sweep did to the target during this level (`--disrupt`), in the order it was done;
   * present when the plan has disruptions (empty when the level ended before the first one's time).
   */
  disruptions?: Disruption[];
}

export type DisruptionKind = 'kill-replica' | 'delete-pod';
export const DISRUPTION_KINDS: readonly DisruptionKind[] = ['kill-replica', 'delete-pod'];

/** One `--disrupt KIND[:WHICH]@TIME` of a plan: done in every level, `at_s` seconds after k6 starts. */
export interface PlannedDisruption {
  readonly kind: DisruptionKind;
  readonly at_s: number;
  /** The replica index (`kill-replica`) or pod name (`delete-pod`) asked for; `null`: replica 0, or the first Running pod by name. */
  readonly which: number | string | null;
}

/** One disruption as it was done (or tried) in a level. */
export interface Disruption {
  kind: DisruptionKind;
  /** When the plan asked for it, seconds after k6 started. */
  at_s: number;
  /** When it was done: the kill, or `kubectl delete` returning (ISO-8601). */
  time: string;
  /** The replica (`sample-replica-0`, as the process captures name it) or the pod; `null` when none could be chosen. */
  target: string | null;
  /** The PID killed (process targets); `null` otherwise. */
  pid: number | null;
  ok: boolean;
  /** What was done, or why it failed (kubectl's error line, `replica 0 was not running`). */
  detail: string;
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
  /** `--disrupt`: done in every level, in time order; absent in plans written before it existed. */
  readonly disruptions?: readonly PlannedDisruption[];
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
    const disruptions = entry?.disruptions;
    if (disruptions === undefined) return;
    if (!Array.isArray(disruptions)) bad(`levels[${i}].disruptions`, disruptions, 'an array');
    (disruptions as unknown[]).forEach((item, j) => {
      const at = `levels[${i}].disruptions[${j}]`;
      const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      checkKindAndTime(record, at, bad);
      if (typeof record.time !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(record.time) || Number.isNaN(Date.parse(record.time))) bad(`${at}.time`, record.time, 'an ISO-8601 time');
      if (record.target !== null && (typeof record.target !== 'string' || record.target === '')) bad(`${at}.target`, record.target, 'a replica or pod name, or null');
      if (record.pid !== null && !(Number.isInteger(record.pid) && (record.pid as number) > 0)) bad(`${at}.pid`, record.pid, 'a PID, or null');
      if (typeof record.ok !== 'boolean') bad(`${at}.ok`, record.ok, 'true or false');
      if (typeof record.detail !== 'string') bad(`${at}.detail`, record.detail, 'a string');
    });
  });
  const planned = (manifest.plan as { disruptions?: unknown } | undefined)?.disruptions;
  if (planned !== undefined) {
    if (!Array.isArray(planned)) bad('plan.disruptions', planned, 'an array');
    (planned as unknown[]).forEach((item, j) => {
      const at = `plan.disruptions[${j}]`;
      const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      checkKindAndTime(entry, at, bad);
      const which = entry.which;
      const fits = which === null || (entry.kind === 'kill-replica' ? Number.isInteger(which) && (which as number) >= 0 : typeof which === 'string' && which !== '');
      if (!fits) bad(`${at}.which`, which, entry.kind === 'kill-replica' ? 'a replica index, or null' : 'a pod name, or null');
    });
  }
  return value as Manifest;
}

function checkKindAndTime(entry: Record<string, unknown>, at: string, bad: (field: string, got: unknown, expected: string) => never): void {
  if (!DISRUPTION_KINDS.includes(entry.kind as DisruptionKind)) bad(`${at}.kind`, entry.kind, `one of ${DISRUPTION_KINDS.join(', ')}`);
  if (typeof entry.at_s !== 'number' || !Number.isFinite(entry.at_s) || entry.at_s < 0) bad(`${at}.at_s`, entry.at_s, 'seconds into the level (a number >= 0)');
}
