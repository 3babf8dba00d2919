/**
 * Linux control groups for the sample service's replicas: a CPU limit by CFS quota and a hard
 * memory limit (the kernel OOM-kills a replica that goes over it), per replica, the way a container
 * runtime enforces a pod's `resources.limits` — and the counters that show the limits at work, the
 * ones cAdvisor exports as `container_cpu_cfs_periods_total`, `…_cfs_throttled_periods_total`,
 * `…_cfs_throttled_seconds_total`, `container_memory_usage_bytes`, `…_max_usage_bytes` and
 * `container_oom_events_total`.
 *
 * cgroup v2 (one unified hierarchy) is used where it offers the `cpu` and `memory` controllers,
 * else cgroup v1 (one hierarchy per controller). Groups go below the cgroup this process is in
 * (its own, from /proc/self/cgroup), never beside it, so whatever limits the caller already lives
 * under still apply to the replicas:
 *
 *   <own group>/k6-capacity/<pid>-<random>/sample-replica-<i>
 *
 * File names and units: Documentation/admin-guide/cgroup-v2.rst, Documentation/admin-guide/
 * cgroup-v1/memory.rst and Documentation/scheduler/sched-bwc.rst of the kernel tree.
 *
 * Everything that can fail says why in one line (`CgroupError.reason`), so a caller can print
 * "limits not enforced: <reason>" once and go on without limits.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type CgroupVersion = 1 | 2;

/** Where one group is: one directory in v2; one per hierarchy (cpu, memory) in v1. */
export type CgroupPaths = { readonly version: 2; readonly dir: string } | { readonly version: 1; readonly cpu: string; readonly memory: string };

export interface CgroupLimits {
  /** CPU in cores, enforced as a CFS quota per period; `null`: no CPU limit. */
  readonly cpuCores: number | null;
  /** Hard memory limit in bytes (swap not allowed on top); `null`: no memory limit. */
  readonly memoryBytes: number | null;
}

/** What this machine offers: the group this process is in (where new groups go), or why nothing. */
export type CgroupSupport = { readonly usable: true; readonly base: CgroupPaths } | { readonly usable: false; readonly reason: string };

/** A cgroup operation that failed; `reason` is one line without a subject, for "limits not enforced: <reason>". */
export class CgroupError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`cgroups: ${reason}`);
    this.name = 'CgroupError';
    this.reason = reason;
  }
}

/** The CFS period every limit uses, in µs: the kernel's default (100 ms), as Kubernetes uses. */
export const CFS_PERIOD_US = 100_000;
/** The smallest quota the kernel accepts is 1 ms (sched-bwc.rst): 0.01 core at a 100 ms period. */
export const MIN_CPU_CORES = 0.01;
export const MAX_CPU_CORES = 1024;

// --- what is usable ------------------------------------------------------------------------------

/** What `detectCgroups` reads; tests give their own. */
export interface CgroupEnvironment {
  readonly platform: NodeJS.Platform;
  /** Reads a file (the /proc files and control files); throws like readFileSync. */
  readonly readFile: (file: string) => string;
  /** `null` when the directory is writable, else the error code (`EACCES`, `EROFS`). */
  readonly writable: (dir: string) => string | null;
}

export const SYSTEM: CgroupEnvironment = {
  platform: process.platform,
  readFile: (file) => readFileSync(file, 'utf8'),
  writable: (dir) => {
    try {
      accessSync(dir, constants.W_OK);
      return null;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? String(error);
    }
  },
};

const NEEDED = ['cpu', 'memory'] as const;

/**
 * Whether groups with CPU and memory limits can be made here, and under which directories. Reads
 * /proc/self/mountinfo (where the hierarchies are mounted) and /proc/self/cgroup (which group this
 * process is in); writes nothing.
 */
export function detectCgroups(env: CgroupEnvironment = SYSTEM): CgroupSupport {
  const no = (reason: string): CgroupSupport => ({ usable: false, reason });
  if (env.platform !== 'linux') return no(`cgroups are Linux only, this is \`${env.platform}\``);
  let mountinfo: string;
  let membership: string;
  try {
    mountinfo = env.readFile('/proc/self/mountinfo');
    membership = env.readFile('/proc/self/cgroup');
  } catch (error) {
    const { code, path: file } = error as NodeJS.ErrnoException;
    return no(`cannot read \`${file ?? '/proc/self/cgroup'}\` (${code ?? String(error)})`);
  }
  const mounts = parseMountInfo(mountinfo);
  const groups = parseProcCgroup(membership);

  // v2 first: a controller is bound to one hierarchy only, so where v2 has both, v1 has neither.
  const unified = mounts.find((m) => m.type === 'cgroup2');
  const ownUnified = groups.find((g) => g.hierarchy === 0);
  let v2Offers: string | null = null;
  if (unified !== undefined && ownUnified !== undefined) {
    const dir = groupDir(unified, ownUnified.path);
    if (dir !== null) {
      let controllers: string[] = [];
      try {
        controllers = env.readFile(path.join(dir, 'cgroup.controllers')).trim().split(/\s+/).filter(Boolean);
      } catch {
        // a v2 mount without cgroup.controllers offers nothing
      }
      if (NEEDED.every((c) => controllers.includes(c))) {
        const denied = env.writable(dir);
        if (denied !== null) return no(cannotWrite(dir, denied));
        return { usable: true, base: { version: 2, dir } };
      }
      v2Offers = `cgroup v2 (\`${unified.mountPoint}\`) offers ${controllers.length === 0 ? 'no controller' : controllers.map((c) => `\`${c}\``).join(', ')}`;
    }
  }

  const dirs: Partial<Record<(typeof NEEDED)[number], string>> = {};
  for (const controller of NEEDED) {
    const mount = mounts.find((m) => m.type === 'cgroup' && m.controllers.includes(controller));
    const own = groups.find((g) => g.controllers.includes(controller));
    if (mount === undefined || own === undefined) {
      const where = v2Offers === null ? 'no cgroup v2 with it is mounted' : v2Offers;
      return no(`no \`${controller}\` controller: ${where} and no cgroup v1 hierarchy has it`);
    }
    const dir = groupDir(mount, own.path);
    if (dir === null) return no(`this process's \`${controller}\` group \`${own.path}\` is outside the mount \`${mount.mountPoint}\` (root \`${mount.root}\`)`);
    const denied = env.writable(dir);
    if (denied !== null) return no(cannotWrite(dir, denied));
    dirs[controller] = dir;
  }
  return { usable: true, base: { version: 1, cpu: dirs.cpu as string, memory: dirs.memory as string } };
}

function cannotWrite(dir: string, code: string): string {
  return `cannot write to \`${dir}\` (${code}): expected root or a cgroup delegated to this user`;
}

export interface CgroupMount {
  readonly type: 'cgroup' | 'cgroup2';
  readonly mountPoint: string;
  /** The group of the hierarchy mounted there (`/` unless a subtree is bind-mounted). */
  readonly root: string;
  /** v1: the controllers of the hierarchy (`cpu`, `cpuacct`, `name=systemd`); v2: empty. */
  readonly controllers: readonly string[];
}

/** The cgroup mounts in /proc/self/mountinfo (proc(5): fields, `-`, fstype, source, super options). */
export function parseMountInfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6) continue;
    const type = fields[dash + 1];
    if (type !== 'cgroup' && type !== 'cgroup2') continue;
    const superOptions = (fields[dash + 3] ?? '').split(',');
    mounts.push({
      type,
      mountPoint: unescapeOctal(fields[4] ?? ''),
      root: unescapeOctal(fields[3] ?? '/'),
      // Mount flags sit beside the controllers (`rw,nosuid,cpu,cpuacct`); a stray flag is harmless here.
      controllers: type === 'cgroup' ? superOptions.filter((o) => o !== 'rw' && o !== 'ro' && (!o.includes('=') || o.startsWith('name='))) : [],
    });
  }
  return mounts;
}

export interface ProcCgroup {
  /** 0 for the v2 hierarchy. */
  readonly hierarchy: number;
  /** v1 controllers of the hierarchy (`cpu,cpuacct` → both); empty for v2. */
  readonly controllers: readonly string[];
  readonly path: string;
}

/** /proc/self/cgroup: `hierarchy-ID:controller-list:path` per line (cgroups(7)). */
export function parseProcCgroup(text: string): ProcCgroup[] {
  const groups: ProcCgroup[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (match === null) continue;
    groups.push({ hierarchy: Number(match[1]), controllers: (match[2] ?? '').split(',').filter(Boolean), path: match[3] ?? '/' });
  }
  return groups;
}

/** The directory of `group` under `mount`, or `null` when the group is outside the mounted subtree. */
function groupDir(mount: CgroupMount, group: string): string | null {
  const root = mount.root === '/' ? '' : mount.root;
  if (root !== '' && group !== root && !group.startsWith(`${root}/`)) return null;
  const dir = path.join(mount.mountPoint, group.slice(root.length));
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

// mountinfo escapes space, tab, newline and backslash as \040, \011, \012, \134.
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

// --- the groups of one service run ---------------------------------------------------------------

/**
 * The groups of one run of the sample service: a parent group named after this process and one
 * child group per replica, each with the same limits. A replica's group lives as long as the run,
 * across restarts of the replica, so its counters (periods, throttling, OOM kills, peak memory)
 * add up over the whole run, like a pod's across container restarts.
 */
export class ServiceGroups {
  readonly version: CgroupVersion;
  readonly limits: CgroupLimits;
  /** The run's parent group. */
  readonly run: CgroupPaths;
  private readonly base: CgroupPaths;
  private readonly replicas = new Map<number, CgroupPaths>();

  private constructor(base: CgroupPaths, run: CgroupPaths, limits: CgroupLimits) {
    this.base = base;
    this.run = run;
    this.version = base.version;
    this.limits = limits;
  }

  /**
   * Makes the run's parent group under `support.base` (detected when not given), after removing
   * empty groups of earlier runs whose process is gone. Throws `CgroupError`.
   */
  static create(limits: CgroupLimits, options: { support?: CgroupSupport; name?: string } = {}): ServiceGroups {
    checkLimits(limits);
    const support = options.support ?? detectCgroups();
    if (!support.usable) throw new CgroupError(support.reason);
    const { base } = support;
    const name = options.name ?? `${process.pid}-${randomBytes(3).toString('hex')}`;
    const dirs = directories(base);
    for (const dir of dirs) removeStale(path.join(dir, PARENT));
    if (base.version === 2) {
      // Controllers reach a group only through its parent's cgroup.subtree_control, level by level.
      const parent = path.join(base.dir, PARENT);
      const run = path.join(parent, name);
      enableControllers(base.dir);
      for (let attempt = 0; ; attempt++) {
        make(parent);
        enableControllers(parent);
        // Not recursive: a parent another run removed meanwhile must be made again, with its controllers.
        const code = tryMkdir(run);
        if (code === null || code === 'EEXIST') break;
        if (code !== 'ENOENT' || attempt >= 3) throw new CgroupError(`cannot create \`${run}\` (${code})`);
      }
      enableControllers(run);
      return new ServiceGroups(base, { version: 2, dir: run }, limits);
    }
    for (const dir of dirs) make(path.join(dir, PARENT, name));
    return new ServiceGroups(base, { version: 1, cpu: path.join(base.cpu, PARENT, name), memory: path.join(base.memory, PARENT, name) }, limits);
  }

  /** The group of replica `index`, made with its limits on first use. Throws `CgroupError`. */
  replica(index: number): CgroupPaths {
    const known = this.replicas.get(index);
    if (known !== undefined) return known;
    const name = `sample-replica-${index}`;
    const paths: CgroupPaths = this.run.version === 2 ? { version: 2, dir: path.join(this.run.dir, name) } : { version: 1, cpu: path.join(this.run.cpu, name), memory: path.join(this.run.memory, name) };
    for (const dir of directories(paths)) make(dir);
    applyLimits(paths, this.limits);
    this.replicas.set(index, paths);
    return paths;
  }

  /**
   * Moves `pid` (all its threads) into replica `index`'s group. Call it right after fork: the
   * process runs unlimited until then. Throws `CgroupError`.
   */
  add(index: number, pid: number): void {
    for (const dir of directories(this.replica(index))) write(dir, 'cgroup.procs', String(pid));
  }

  /** The counters of replica `index` now. */
  stats(index: number): CgroupStats {
    return readCgroupStats(this.replica(index));
  }

  /**
   * Removes every group of the run: processes still in one are moved back to this process's own
   * group first (a group with processes cannot be removed). Never throws; returns what it could
   * not remove, one line each.
   */
  remove(): string[] {
    const left: string[] = [];
    const groups = [...this.replicas.values(), this.run];
    for (const group of groups) {
      for (const [index, dir] of directories(group).entries()) {
        const home = directories(this.base)[index] as string;
        const problem = removeGroup(dir, home);
        if (problem !== null) left.push(problem);
      }
    }
    this.replicas.clear();
    // The shared parent goes when no other run uses it; another run may be making it now.
    for (const dir of directories(this.base)) tryRmdir(path.join(dir, PARENT));
    return left;
  }
}

const PARENT = 'k6-capacity';

function checkLimits(limits: CgroupLimits): void {
  const { cpuCores, memoryBytes } = limits;
  if (cpuCores !== null && !(Number.isFinite(cpuCores) && cpuCores >= MIN_CPU_CORES && cpuCores <= MAX_CPU_CORES)) {
    throw new CgroupError(`CPU limit \`${cpuCores}\` is out of range: expected cores from ${MIN_CPU_CORES} to ${MAX_CPU_CORES}`);
  }
  if (memoryBytes !== null && !(Number.isSafeInteger(memoryBytes) && memoryBytes > 0)) {
    throw new CgroupError(`memory limit \`${memoryBytes}\` is not valid: expected a positive whole number of bytes`);
  }
}

function directories(paths: CgroupPaths): string[] {
  return paths.version === 2 ? [paths.dir] : [paths.cpu, paths.memory];
}

function applyLimits(paths: CgroupPaths, limits: CgroupLimits): void {
  const quota = limits.cpuCores === null ? null : Math.round(limits.cpuCores * CFS_PERIOD_US);
  if (paths.version === 2) {
    write(paths.dir, 'cpu.max', `${quota ?? 'max'} ${CFS_PERIOD_US}`);
    if (limits.memoryBytes !== null) {
      write(paths.dir, 'memory.max', String(limits.memoryBytes));
      // Without this a replica over its limit would swap instead of being OOM-killed (no swap, as in Kubernetes).
      if (existsSync(path.join(paths.dir, 'memory.swap.max'))) write(paths.dir, 'memory.swap.max', '0');
    }
    return;
  }
  write(paths.cpu, 'cpu.cfs_period_us', String(CFS_PERIOD_US));
  write(paths.cpu, 'cpu.cfs_quota_us', String(quota ?? -1));
  if (limits.memoryBytes !== null) {
    write(paths.memory, 'memory.limit_in_bytes', String(limits.memoryBytes));
    // memory+swap may not be below memory, so it is set second; equal means no swap at all.
    if (existsSync(path.join(paths.memory, 'memory.memsw.limit_in_bytes'))) write(paths.memory, 'memory.memsw.limit_in_bytes', String(limits.memoryBytes));
  }
}

function enableControllers(dir: string): void {
  let enabled: string[] = [];
  try {
    enabled = readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/);
  } catch {
    // written below, which says what is wrong
  }
  const missing = NEEDED.filter((c) => !enabled.includes(c));
  if (missing.length === 0) return;
  try {
    writeFileSync(path.join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code === 'EBUSY') {
      throw new CgroupError(`cannot enable ${missing.join(', ')} below \`${dir}\` (EBUSY): cgroup v2 gives controllers only to groups without processes, and this one has some`);
    }
    throw new CgroupError(`cannot enable ${missing.join(', ')} below \`${dir}\` (${code})`);
  }
}

function make(dir: string): void {
  // A run ending now may remove the shared parent between our two mkdirs: try again.
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir, { recursive: true });
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      if (code !== 'ENOENT' || attempt >= 3) throw new CgroupError(`cannot create \`${dir}\` (${code})`);
    }
  }
}

function tryMkdir(dir: string): string | null {
  try {
    mkdirSync(dir);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

function write(dir: string, file: string, value: string): void {
  try {
    writeFileSync(path.join(dir, file), value);
  } catch (error) {
    throw new CgroupError(`cannot write \`${value}\` to \`${path.join(dir, file)}\` (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function members(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** rmdir, moving members to `home` first; a process on its way out may hold the group a moment. */
function removeGroup(dir: string, home: string): string | null {
  if (!existsSync(dir)) return null;
  let code = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const pid of members(dir)) {
      try {
        writeFileSync(path.join(home, 'cgroup.procs'), String(pid));
      } catch {
        // gone meanwhile
      }
    }
    code = tryRmdir(dir) ?? '';
    if (code === '' || code === 'ENOENT') return null;
    sleepSync(25);
  }
  return `cannot remove \`${dir}\` (${code}): processes ${members(dir).join(', ') || 'none'} are in it`;
}

function tryRmdir(dir: string): string | null {
  try {
    rmdirSync(dir);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

/**
 * Groups of earlier runs whose process is gone (it was SIGKILLed): removed when empty. A group
 * that still holds processes is left alone: they are not ours to move.
 */
function removeStale(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = /^(\d+)-[0-9a-f]+$/.exec(name)?.[1];
    if (owner === undefined || existsSync(`/proc/${owner}`)) continue;
    const run = path.join(parent, name);
    const children = readdirSync(run, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(run, e.name));
    if ([run, ...children].some((dir) => members(dir).length > 0)) continue;
    for (const child of children) tryRmdir(child);
    tryRmdir(run);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// --- counters ------------------------------------------------------------------------------------

/** A group's limits and counters. `null`: this kernel does not show it (or there is no limit). */
export interface CgroupStats {
  readonly version: CgroupVersion;
  /** Quota / period; `null` without a CPU limit. */
  readonly cpuLimitCores: number | null;
  /** CFS periods in which the group ran (v1 and v2 `nr_periods`). */
  readonly cpuPeriods: number | null;
  /** Periods in which it used its whole quota and was stopped (`nr_throttled`). */
  readonly cpuThrottledPeriods: number | null;
  /** Total time it was stopped (v1 `throttled_time` ns, v2 `throttled_usec`), in seconds. */
  readonly cpuThrottledSeconds: number | null;
  /** `null` without a memory limit. */
  readonly memoryLimitBytes: number | null;
  /** v1 `memory.usage_in_bytes`, v2 `memory.current`: page cache included, as cAdvisor's usage. */
  readonly memoryUsageBytes: number | null;
  /** Usage minus inactive file cache, what the kubelet's `container_memory_working_set_bytes` shows. */
  readonly memoryWorkingSetBytes: number | null;
  /** v1 `memory.max_usage_in_bytes`, v2 `memory.peak` (Linux ≥ 5.19): highest usage so far. */
  readonly memoryPeakBytes: number | null;
  /** The kernel's count of processes OOM-killed in the group (v1 `memory.oom_control` since 4.13, v2 `memory.events`). */
  readonly oomKills: number | null;
  /** Times usage hit the limit (v1 `memory.failcnt`, v2 `memory.events` `max`). */
  readonly memoryLimitHits: number | null;
}

/** Control files as read (`undefined` when missing), by file name. */
export type CgroupFiles = Readonly<Record<string, string | undefined>>;

export const CGROUP_FILES: Readonly<Record<CgroupVersion, readonly string[]>> = {
  1: ['cpu.stat', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.limit_in_bytes', 'memory.oom_control', 'memory.failcnt', 'memory.stat'],
  2: ['cpu.stat', 'cpu.max', 'memory.current', 'memory.peak', 'memory.max', 'memory.events', 'memory.stat'],
};

/** Reads a group's control files and turns them into counters. */
export function readCgroupStats(paths: CgroupPaths): CgroupStats {
  const files: Record<string, string | undefined> = {};
  for (const file of CGROUP_FILES[paths.version]) {
    const dir = paths.version === 2 ? paths.dir : file.startsWith('cpu.') ? paths.cpu : paths.memory;
    try {
      files[file] = readFileSync(path.join(dir, file), 'utf8');
    } catch {
      files[file] = undefined;
    }
  }
  return statsFromFiles(paths.version, files);
}

/** Counters from control files' text; pure, so every kernel's format can be tested. */
export function statsFromFiles(version: CgroupVersion, files: CgroupFiles): CgroupStats {
  const cpu = parseKeyed(files['cpu.stat']);
  const memoryStat = parseKeyed(files['memory.stat']);
  if (version === 2) {
    const max = parseCpuMax(files['cpu.max']);
    const events = parseKeyed(files['memory.events']);
    const usage = parseBytes(files['memory.current']);
    const inactive = memoryStat.get('inactive_file');
    return {
      version,
      cpuLimitCores: max === null || max.quotaUs === null ? null : round6(max.quotaUs / max.periodUs),
      cpuPeriods: cpu.get('nr_periods') ?? null,
      cpuThrottledPeriods: cpu.get('nr_throttled') ?? null,
      cpuThrottledSeconds: seconds(cpu.get('throttled_usec'), 1e6),
      memoryLimitBytes: parseBytes(files['memory.max']),
      memoryUsageBytes: usage,
      memoryWorkingSetBytes: workingSet(usage, inactive),
      memoryPeakBytes: parseBytes(files['memory.peak']),
      oomKills: events.get('oom_kill') ?? null,
      memoryLimitHits: events.get('max') ?? null,
    };
  }
  const quota = parseInteger(files['cpu.cfs_quota_us']);
  const period = parseInteger(files['cpu.cfs_period_us']);
  const usage = parseBytes(files['memory.usage_in_bytes']);
  // total_inactive_file covers child groups too, as usage_in_bytes does.
  const inactive = memoryStat.get('total_inactive_file') ?? memoryStat.get('inactive_file');
  return {
    version,
    cpuLimitCores: quota === null || period === null || quota < 0 || period <= 0 ? null : round6(quota / period),
    cpuPeriods: cpu.get('nr_periods') ?? null,
    cpuThrottledPeriods: cpu.get('nr_throttled') ?? null,
    cpuThrottledSeconds: seconds(cpu.get('throttled_time'), 1e9),
    memoryLimitBytes: parseBytes(files['memory.limit_in_bytes']),
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: workingSet(usage, inactive),
    memoryPeakBytes: parseBytes(files['memory.max_usage_in_bytes']),
    oomKills: parseKeyed(files['memory.oom_control']).get('oom_kill') ?? null,
    memoryLimitHits: parseInteger(files['memory.failcnt']),
  };
}

/** `key value` lines (cpu.stat, memory.stat, memory.events, memory.oom_control) as numbers. */
export function parseKeyed(text: string | undefined): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const match = /^(\S+)\s+(-?\d+)$/.exec(line.trim());
    if (match !== null) values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

/** v2 `cpu.max`: `$MAX $PERIOD`, `max` for no quota; `null` when unreadable. */
export function parseCpuMax(text: string | undefined): { quotaUs: number | null; periodUs: number } | null {
  const match = /^(max|\d+)\s+(\d+)$/.exec((text ?? '').trim());
  if (match === null || Number(match[2]) <= 0) return null;
  return { quotaUs: match[1] === 'max' ? null : Number(match[1]), periodUs: Number(match[2]) };
}

/**
 * A byte count; `null` for v2's `max` and for v1's "no limit", which is the largest page-aligned
 * 63-bit value (9223372036854771712 with 4 KiB pages) — anything from 2^62 up is taken as no limit.
 */
export function parseBytes(text: string | undefined): number | null {
  const value = parseInteger(text);
  return value === null || value >= 2 ** 62 ? null : value;
}

function parseInteger(text: string | undefined): number | null {
  const trimmed = (text ?? '').trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

function seconds(value: number | undefined, perSecond: number): number | null {
  return value === undefined ? null : value / perSecond;
}

function workingSet(usage: number | null, inactive: number | undefined): number | null {
  if (usage === null || inactive === undefined) return null;
  return Math.max(0, usage - inactive);
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
