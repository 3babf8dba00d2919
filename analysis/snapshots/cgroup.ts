/**
 * The local sample service's replicas in their cgroups: the stdout of the sweep's `cgroup` captures
 * (written by scripts/lib/proc-sampler.ts `sampleCgroups`), one `ReplicaCgroupStats` document with
 * each replica's limits and counters. The document's type is defined here, once, for its writer
 * and its reader.
 */
import { parseJsonLenient } from './json.ts';
import { preview } from './lines.ts';
import type { ParseResult, ReplicaLimitSample, SnapshotProblem } from './types.ts';

export const CGROUP_STATS_KIND = 'ReplicaCgroupStats';
export const CGROUP_STATS_API_VERSION = 'k6-capacity/v1';

/** What a `cgroup` capture's stdout holds. More fields may be added; readers ignore what they do not know. */
export interface CgroupStatsDocument {
  readonly kind: typeof CGROUP_STATS_KIND;
  readonly apiVersion: typeof CGROUP_STATS_API_VERSION;
  readonly cgroup_version: 1 | 2;
  readonly replicas: readonly CgroupStatsReplica[];
}

/** One replica; see `ReplicaLimitSample` for what each field means. `null`: not shown by this kernel, or no limit. */
export interface CgroupStatsReplica {
  readonly name: string;
  readonly pid: number | null;
  readonly cpu_limit_cores: number | null;
  readonly cpu_periods: number | null;
  readonly cpu_throttled_periods: number | null;
  readonly cpu_throttled_seconds: number | null;
  readonly memory_limit_bytes: number | null;
  readonly memory_usage_bytes: number | null;
  readonly memory_working_set_bytes: number | null;
  readonly memory_peak_bytes: number | null;
  readonly oom_kills: number;
  readonly restarts: number;
}

const SUBJECT = 'cgroup stats';

/** Reads `ReplicaCgroupStats` documents from `text`: one record per replica. */
export function parseCgroupStats(text: string): ParseResult<ReplicaLimitSample> {
  const json = parseJsonLenient(text);
  const records: ReplicaLimitSample[] = [];
  const problems: SnapshotProblem[] = [];
  const problem = (line: number | null, message: string, severity: 'error' | 'warning' = 'error'): void => {
    problems.push({ line, severity, message: line === null ? `${SUBJECT}: ${message}` : `${SUBJECT}: ${message} at line ${line}` });
  };

  // Not kubectl output: any text beside the document is unexpected.
  for (const stray of json.text) if (stray.text.trim() !== '') problem(stray.line, `skipped \`${preview(stray.text)}\`: expected JSON`);

  let partial = 0;
  for (const document of json.documents) {
    const root = document.value;
    if (!isObject(root)) {
      problem(document.line, `expected a JSON object, got \`${preview(JSON.stringify(root) ?? '', 60)}\``);
      continue;
    }
    if (root['kind'] !== CGROUP_STATS_KIND) {
      problem(document.line, `expected \`kind\` ${CGROUP_STATS_KIND}, got \`${String(root['kind'])}\``);
      continue;
    }
    const version = root['cgroup_version'];
    if (version !== 1 && version !== 2) {
      if (!json.incomplete.has(root)) problem(document.line, `\`cgroup_version\` is \`${preview(JSON.stringify(version) ?? 'missing', 40)}\`: expected 1 or 2`);
      continue;
    }
    const replicas = root['replicas'];
    if (!Array.isArray(replicas)) {
      if (!json.incomplete.has(root)) problem(document.line, `\`${CGROUP_STATS_KIND}\` has no \`replicas\` array`);
      continue;
    }
    for (const item of replicas as unknown[]) {
      if (isObject(item) && json.incomplete.has(item)) {
        partial += 1;
        continue;
      }
      const line = isObject(item) ? (json.lines.get(item) ?? document.line) : document.line;
      const record = readReplica(item, version, (message, severity) => problem(line, message, severity));
      if (record !== undefined) records.push(record);
    }
  }

  for (const error of json.errors) {
    const kept = `kept ${records.length} complete replica${records.length === 1 ? '' : 's'}${partial > 0 ? `, dropped ${partial} cut-off replica${partial === 1 ? '' : 's'}` : ''}`;
    problem(error.line, error.truncated ? `the JSON is cut off (${kept})` : `invalid JSON: ${error.message} (${kept})`);
  }
  if (json.documents.length === 0 && json.errors.length === 0 && json.text.length === 0) problem(null, 'no JSON document in the capture');
  return { records, problems };
}

function readReplica(item: unknown, cgroupVersion: 1 | 2, problem: (message: string, severity?: 'error' | 'warning') => void): ReplicaLimitSample | undefined {
  if (!isObject(item)) {
    problem(`expected a replica object, got \`${preview(JSON.stringify(item) ?? '', 60)}\``);
    return undefined;
  }
  const name = item['name'];
  if (typeof name !== 'string' || name === '') {
    problem(`a replica has no \`name\``);
    return undefined;
  }
  const read = (field: Exclude<keyof CgroupStatsReplica, 'name'>): number | null => {
    const value = item[field];
    if (value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0)) return value;
    if (value === undefined) problem(`\`${field}\` of \`${name}\` is missing: read as unknown`, 'warning');
    else problem(`\`${field}\` of \`${name}\` is \`${preview(JSON.stringify(value) ?? '', 40)}\`: expected a number of at least 0, or null`);
    return null;
  };
  return {
    name,
    pid: read('pid'),
    cgroupVersion,
    cpuLimitCores: read('cpu_limit_cores'),
    cpuPeriods: read('cpu_periods'),
    cpuThrottledPeriods: read('cpu_throttled_periods'),
    cpuThrottledSeconds: read('cpu_throttled_seconds'),
    memoryLimitBytes: read('memory_limit_bytes'),
    memoryUsageBytes: read('memory_usage_bytes'),
    memoryWorkingSetBytes: read('memory_working_set_bytes'),
    memoryPeakBytes: read('memory_peak_bytes'),
    oomKills: read('oom_kills'),
    restarts: read('restarts'),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
