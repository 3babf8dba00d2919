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

export interface TargetResources {
  /** CPU cores per replica (the container limit, or the request when no limit), where known. */
  readonly cores: number | null;
  /** Memory per replica in bytes, where known. */
  readonly memory_bytes: number | null;
  readonly replicas: number | null;
  readonly nodes: number | null;
}

export interface ManifestLevel {
  /** Folder of the level inside the run directory, e.g. `tps-50` or `r4-tps-400`. */
  readonly id: string;
  /** Target rate, iterations/s. */
  readonly level: number | null;
  /** Replicas of the target during this level (matrix cells), where known. */
  readonly replicas: number | null;
  readonly status: LevelStatus;
  readonly run_id: string | null;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly exit_code: number | null;
  /** Why a level is `error`, `skipped` or `interrupted`. */
  readonly reason: string | null;
}

export interface Manifest {
  readonly kind: typeof MANIFEST_KIND;
  readonly schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  readonly id: string;
  readonly target: { readonly name: string; readonly kind: string; readonly base_url: string | null; readonly resources: TargetResources | null };
  readonly scenario: string;
  readonly duration: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly k6_version: string | null;
  readonly tool_version: string;
  /** The command line, secrets redacted. */
  readonly command: readonly string[];
  readonly levels: readonly ManifestLevel[];
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
