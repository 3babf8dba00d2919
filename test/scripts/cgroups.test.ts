/**
 * cgroups for the sample service's replicas: the parsers on the kernel's own formats, detection on
 * made-up machines (every reason, exactly), and the real thing on this machine — a busy process held
 * to its CPU quota, a hungry one OOM-killed at its memory limit, the groups gone afterwards. Where
 * cgroups cannot be used, the real tests assert the exact reason instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  CgroupError,
  detectCgroups,
  parseBytes,
  parseCpuMax,
  parseKeyed,
  parseMountInfo,
  parseProcCgroup,
  readCgroupStats,
  ServiceGroups,
  statsFromFiles,
  type CgroupEnvironment,
  type CgroupPaths,
  type CgroupStats,
} from '../../scripts/lib/cgroups.ts';
import { readProc } from '../../scripts/lib/proc-sampler.ts';

const lines = (...rows: string[]): string => `${rows.join('\n')}\n`;

// This test machine's /proc/self/mountinfo (cgroup lines) and /proc/self/cgroup: a hybrid layout,
// v1 per controller, v2 at /sys/fs/cgroup/unified with only hugetlb.
const HYBRID_MOUNTS = lines(
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
);
const HYBRID_GROUPS = lines('9:name=systemd:/', '4:memory:/process_api/9136', '2:cpuacct:/', '1:cpu:/', '0::/');
// A systemd machine with cgroup v2 only (proc(5) layout; options as Ubuntu 22.04 mounts them).
const V2_MOUNTS = lines('35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot');
// A Docker container on cgroup v1: cpu and cpuacct co-mounted, the container's group bind-mounted read-only.
const DOCKER_MOUNTS = lines(
  '1250 1249 0:27 /docker/3f2a /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,cpu,cpuacct',
  '1251 1249 0:29 /docker/3f2a /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:13 - cgroup cgroup rw,memory',
);
const DOCKER_GROUPS = lines('4:memory:/docker/3f2a', '3:cpu,cpuacct:/docker/3f2a');

function machine(files: Record<string, string>, options: { platform?: NodeJS.Platform; denied?: Record<string, string> } = {}): CgroupEnvironment {
  return {
    platform: options.platform ?? 'linux',
    readFile: (file) => {
      const text = files[file];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT', path: file });
      return text;
    },
    writable: (dir) => options.denied?.[dir] ?? null,
  };
}

// --- parsers --------------------------------------------------------------------------------------

describe('parseMountInfo', () => {
  it.each([
    [
      'hybrid v1 + v2',
      HYBRID_MOUNTS,
      [
        { type: 'cgroup', mountPoint: '/sys/fs/cgroup/cpu', root: '/', controllers: ['cpu'] },
        { type: 'cgroup', mountPoint: '/sys/fs/cgroup/cpuacct', root: '/', controllers: ['cpuacct'] },
        { type: 'cgroup', mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] },
        { type: 'cgroup', mountPoint: '/sys/fs/cgroup/systemd', root: '/', controllers: ['name=systemd'] },
        { type: 'cgroup2', mountPoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] },
      ],
    ],
    ['v2 only', V2_MOUNTS, [{ type: 'cgroup2', mountPoint: '/sys/fs/cgroup', root: '/', controllers: [] }]],
    [
      'container, co-mounted controllers',
      DOCKER_MOUNTS,
      [
        { type: 'cgroup', mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/docker/3f2a', controllers: ['cpu', 'cpuacct'] },
        { type: 'cgroup', mountPoint: '/sys/fs/cgroup/memory', root: '/docker/3f2a', controllers: ['memory'] },
      ],
    ],
    ['an escaped space in the mount point', '50 31 0:40 / /mnt/my\\040cgroups rw - cgroup2 none rw\n', [{ type: 'cgroup2', mountPoint: '/mnt/my cgroups', root: '/', controllers: [] }]],
    ['no cgroup at all', '22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n', []],
  ])('%s', (_, text, expected) => {
    expect(parseMountInfo(text)).toEqual(expected);
  });
});

describe('parseProcCgroup', () => {
  it('reads v1 lines, named hierarchies and the v2 line', () => {
    expect(parseProcCgroup(HYBRID_GROUPS)).toEqual([
      { hierarchy: 9, controllers: ['name=systemd'], path: '/' },
      { hierarchy: 4, controllers: ['memory'], path: '/process_api/9136' },
      { hierarchy: 2, controllers: ['cpuacct'], path: '/' },
      { hierarchy: 1, controllers: ['cpu'], path: '/' },
      { hierarchy: 0, controllers: [], path: '/' },
    ]);
    expect(parseProcCgroup(DOCKER_GROUPS)[1]).toEqual({ hierarchy: 3, controllers: ['cpu', 'cpuacct'], path: '/docker/3f2a' });
  });
});

describe('control files', () => {
  it.each([
    ['max 100000', { quotaUs: null, periodUs: 100000 }],
    ['25000 100000\n', { quotaUs: 25000, periodUs: 100000 }],
    ['25000 0', null],
    ['', null],
  ])('cpu.max %j', (text, expected) => {
    expect(parseCpuMax(text)).toEqual(expected);
  });

  it.each([
    ['134217728\n', 134217728],
    // v1's "no limit" on this kernel (4 KiB pages), and v2's
    ['9223372036854771712\n', null],
    ['max\n', null],
    ['', null],
    [undefined, null],
  ])('bytes %j', (text, expected) => {
    expect(parseBytes(text)).toBe(expected);
  });

  it('reads key-value files and skips what is not one', () => {
    expect([...parseKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 2\nnot a pair\n')]).toEqual([
      ['oom_kill_disable', 0],
      ['under_oom', 0],
      ['oom_kill', 2],
    ]);
  });

  // cgroup v1 files as this machine's kernel (6.18) writes them, read from a replica after a load.
  const V1: Record<string, string> = {
    'cpu.stat': lines('nr_periods 20', 'nr_throttled 20', 'throttled_time 1469066764', 'nr_bursts 0', 'burst_time 0'),
    'cpu.cfs_quota_us': '25000\n',
    'cpu.cfs_period_us': '100000\n',
    'memory.usage_in_bytes': '41050112\n',
    'memory.max_usage_in_bytes': '67108864\n',
    'memory.limit_in_bytes': '67108864\n',
    'memory.oom_control': lines('oom_kill_disable 0', 'under_oom 0', 'oom_kill 1'),
    'memory.failcnt': '312\n',
    'memory.stat': lines('cache 1000', 'inactive_file 4096', 'total_inactive_file 1050112'),
  };
  // cgroup v2 files in the format of Documentation/admin-guide/cgroup-v2.rst.
  const V2: Record<string, string> = {
    'cpu.stat': lines('usage_usec 2500000', 'user_usec 2400000', 'system_usec 100000', 'nr_periods 40', 'nr_throttled 30', 'throttled_usec 2250000', 'nr_bursts 0', 'burst_usec 0'),
    'cpu.max': '50000 100000\n',
    'memory.current': '50331648\n',
    'memory.peak': '60000000\n',
    'memory.max': 'max\n',
    'memory.events': lines('low 0', 'high 0', 'max 3', 'oom 1', 'oom_kill 1', 'oom_group_kill 0'),
    'memory.stat': lines('anon 40000000', 'inactive_file 331648'),
  };

  it.each<[string, 1 | 2, Record<string, string | undefined>, CgroupStats]>([
    [
      'v1',
      1,
      V1,
      {
        version: 1,
        cpuLimitCores: 0.25,
        cpuPeriods: 20,
        cpuThrottledPeriods: 20,
        cpuThrottledSeconds: 1.469066764,
        memoryLimitBytes: 67108864,
        memoryUsageBytes: 41050112,
        memoryWorkingSetBytes: 40000000,
        memoryPeakBytes: 67108864,
        oomKills: 1,
        memoryLimitHits: 312,
      },
    ],
    [
      'v1 without limits, on a kernel before 4.13 (no oom_kill line)',
      1,
      { ...V1, 'cpu.cfs_quota_us': '-1\n', 'memory.limit_in_bytes': '9223372036854771712\n', 'memory.oom_control': lines('oom_kill_disable 0', 'under_oom 0') },
      {
        version: 1,
        cpuLimitCores: null,
        cpuPeriods: 20,
        cpuThrottledPeriods: 20,
        cpuThrottledSeconds: 1.469066764,
        memoryLimitBytes: null,
        memoryUsageBytes: 41050112,
        memoryWorkingSetBytes: 40000000,
        memoryPeakBytes: 67108864,
        oomKills: null,
        memoryLimitHits: 312,
      },
    ],
    [
      'v2',
      2,
      V2,
      {
        version: 2,
        cpuLimitCores: 0.5,
        cpuPeriods: 40,
        cpuThrottledPeriods: 30,
        cpuThrottledSeconds: 2.25,
        memoryLimitBytes: null,
        memoryUsageBytes: 50331648,
        memoryWorkingSetBytes: 50000000,
        memoryPeakBytes: 60000000,
        oomKills: 1,
        memoryLimitHits: 3,
      },
    ],
    [
      'v2 before Linux 5.19 (no memory.peak), nothing else readable',
      2,
      { 'cpu.max': 'max 100000\n' },
      {
        version: 2,
        cpuLimitCores: null,
        cpuPeriods: null,
        cpuThrottledPeriods: null,
        cpuThrottledSeconds: null,
        memoryLimitBytes: null,
        memoryUsageBytes: null,
        memoryWorkingSetBytes: null,
        memoryPeakBytes: null,
        oomKills: null,
        memoryLimitHits: null,
      },
    ],
  ])('stats from %s files', (_, version, files, expected) => {
    expect(statsFromFiles(version, Object.freeze(files))).toEqual(expected);
  });
});

// --- detection -------------------------------------------------------------------------------------

describe('detectCgroups on made-up machines', () => {
  it.each<[string, CgroupEnvironment, ReturnType<typeof detectCgroups>]>([
    [
      'hybrid (this machine): v1, memory below the own group',
      machine({ '/proc/self/mountinfo': HYBRID_MOUNTS, '/proc/self/cgroup': HYBRID_GROUPS, '/sys/fs/cgroup/unified/cgroup.controllers': 'hugetlb\n' }),
      { usable: true, base: { version: 1, cpu: '/sys/fs/cgroup/cpu', memory: '/sys/fs/cgroup/memory/process_api/9136' } },
    ],
    [
      'v2 with cpu and memory',
      machine({ '/proc/self/mountinfo': V2_MOUNTS, '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n' }),
      { usable: true, base: { version: 2, dir: '/sys/fs/cgroup' } },
    ],
    [
      'v2, not root',
      machine(
        { '/proc/self/mountinfo': V2_MOUNTS, '/proc/self/cgroup': '0::/user.slice/user-1000.slice/session-2.scope\n', '/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/cgroup.controllers': 'cpu memory pids\n' },
        { denied: { '/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope': 'EACCES' } },
      ),
      { usable: false, reason: 'cannot write to `/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope` (EACCES): expected root or a cgroup delegated to this user' },
    ],
    [
      'v2 without the cpu controller, no v1',
      machine({ '/proc/self/mountinfo': V2_MOUNTS, '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cgroup.controllers': 'memory pids\n' }),
      { usable: false, reason: 'no `cpu` controller: cgroup v2 (`/sys/fs/cgroup`) offers `memory`, `pids` and no cgroup v1 hierarchy has it' },
    ],
    [
      'hybrid without a v1 memory hierarchy',
      machine({ '/proc/self/mountinfo': HYBRID_MOUNTS.replace(/.*memory.*\n/, ''), '/proc/self/cgroup': HYBRID_GROUPS, '/sys/fs/cgroup/unified/cgroup.controllers': 'hugetlb\n' }),
      { usable: false, reason: 'no `memory` controller: cgroup v2 (`/sys/fs/cgroup/unified`) offers `hugetlb` and no cgroup v1 hierarchy has it' },
    ],
    [
      'no cgroup mounted',
      machine({ '/proc/self/mountinfo': '22 1 8:1 / / rw - ext4 /dev/sda1 rw\n', '/proc/self/cgroup': '' }),
      { usable: false, reason: 'no `cpu` controller: no cgroup v2 with it is mounted and no cgroup v1 hierarchy has it' },
    ],
    [
      'a Docker container on v1 (read-only)',
      machine({ '/proc/self/mountinfo': DOCKER_MOUNTS, '/proc/self/cgroup': DOCKER_GROUPS }, { denied: { '/sys/fs/cgroup/cpu,cpuacct': 'EROFS' } }),
      { usable: false, reason: 'cannot write to `/sys/fs/cgroup/cpu,cpuacct` (EROFS): expected root or a cgroup delegated to this user' },
    ],
    [
      'a group outside the mounted subtree',
      machine({ '/proc/self/mountinfo': DOCKER_MOUNTS, '/proc/self/cgroup': lines('4:memory:/docker/3f2a', '3:cpu,cpuacct:/other') }),
      { usable: false, reason: "this process's `cpu` group `/other` is outside the mount `/sys/fs/cgroup/cpu,cpuacct` (root `/docker/3f2a`)" },
    ],
    ['no /proc', machine({}), { usable: false, reason: 'cannot read `/proc/self/mountinfo` (ENOENT)' }],
    ['macOS', machine({}, { platform: 'darwin' }), { usable: false, reason: 'cgroups are Linux only, this is `darwin`' }],
  ])('%s', (_, env, expected) => {
    expect(detectCgroups(env)).toEqual(expected);
  });
});

// --- v2 groups, on a directory that stands in for the cgroup2 mount ----------------------------------

describe('ServiceGroups on cgroup v2 (a stand-in directory)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cgroup-v2-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('enables the controllers level by level and writes cpu.max, memory.max and memory.swap.max', () => {
    // A kernel makes the control files with each group; the stand-in has the one whose presence matters.
    mkdirSync(path.join(root, 'k6-capacity', '42-abcdef', 'sample-replica-0'), { recursive: true });
    writeFileSync(path.join(root, 'k6-capacity', '42-abcdef', 'sample-replica-0', 'memory.swap.max'), 'max\n');
    const groups = ServiceGroups.create({ cpuCores: 0.25, memoryBytes: 64 * 2 ** 20 }, { support: { usable: true, base: { version: 2, dir: root } }, name: '42-abcdef' });
    const replica = groups.replica(0);
    expect(replica).toEqual({ version: 2, dir: path.join(root, 'k6-capacity', '42-abcdef', 'sample-replica-0') });
    const read = (...parts: string[]): string => readFileSync(path.join(root, ...parts), 'utf8');
    expect([read('cgroup.subtree_control'), read('k6-capacity', 'cgroup.subtree_control'), read('k6-capacity', '42-abcdef', 'cgroup.subtree_control')]).toEqual(['+cpu +memory', '+cpu +memory', '+cpu +memory']);
    const replicaFile = (file: string): string => read('k6-capacity', '42-abcdef', 'sample-replica-0', file);
    expect([replicaFile('cpu.max'), replicaFile('memory.max'), replicaFile('memory.swap.max')]).toEqual(['25000 100000', '67108864', '0']);
    groups.add(0, 4242);
    expect(replicaFile('cgroup.procs')).toBe('4242');
    expect(readCgroupStats(replica)).toMatchObject({ version: 2, cpuLimitCores: 0.25, memoryLimitBytes: 67108864 });
  });
});

// --- the real thing ----------------------------------------------------------------------------------

/** Whether this machine's cgroup v1 cpu hierarchy can take new groups (root, mounted read-write). */
function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const support = detectCgroups();
const V1_WRITABLE = process.platform === 'linux' && writable('/sys/fs/cgroup/cpu');

describe('this machine', () => {
  it('can use cgroups when /sys/fs/cgroup/cpu is writable, else says exactly why not', () => {
    if (V1_WRITABLE) {
      // This test machine: root, cgroup v1 cpu and memory hierarchies mounted read-write.
      const own = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
      const trim = (dir: string): string => (dir.endsWith('/') ? dir.slice(0, -1) : dir);
      const memory = own.find((g) => g.controllers.includes('memory'))?.path ?? '?';
      const cpu = own.find((g) => g.controllers.includes('cpu'))?.path ?? '?';
      expect(support).toEqual({ usable: true, base: { version: 1, cpu: trim(`/sys/fs/cgroup/cpu${cpu}`), memory: trim(`/sys/fs/cgroup/memory${memory}`) } });
    } else if (process.platform !== 'linux') {
      expect(support).toEqual({ usable: false, reason: `cgroups are Linux only, this is \`${process.platform}\`` });
    } else if (support.usable) {
      // No writable v1 cpu hierarchy, yet usable: only cgroup v2 can be why.
      expect(support.base.version).toBe(2);
    } else {
      expect(support.reason).toMatch(/^(cannot write to `[^`]+` \(E[A-Z]+\): expected root or a cgroup delegated to this user|no `(cpu|memory)` controller: .+ and no cgroup v1 hierarchy has it)$/);
    }
  });
});

describe.runIf(support.usable)('real groups', () => {
  const children: ChildProcess[] = [];
  const made: ServiceGroups[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const groups of made.splice(0)) groups.remove();
  });

  const run = (script: string): ChildProcess => {
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const dirs = (paths: CgroupPaths): string[] => (paths.version === 2 ? [paths.dir] : [paths.cpu, paths.memory]);
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('holds a busy process to a 0.25-core quota and counts its throttled periods', async () => {
    const groups = ServiceGroups.create({ cpuCores: 0.25, memoryBytes: null });
    made.push(groups);
    const child = run('for (;;) {}');
    groups.add(0, child.pid as number);
    await sleep(500);
    const before = { proc: readProc(child.pid as number), cgroup: groups.stats(0) };
    await sleep(3000);
    const after = { proc: readProc(child.pid as number), cgroup: groups.stats(0) };
    const cores = ((after.proc?.cpuTicks ?? 0) - (before.proc?.cpuTicks ?? 0)) / 100 / (((after.proc?.atMs ?? 0) - (before.proc?.atMs ?? 0)) / 1000);
    // 10 ms ticks over 3 s: ±0.004 core of rounding; the quota itself is exact per 100 ms period.
    expect(cores).toBeLessThanOrEqual(0.25 + 0.02);
    expect(cores).toBeGreaterThan(0.1);
    expect(after.cgroup.cpuLimitCores).toBe(0.25);
    expect(after.cgroup.memoryLimitBytes).toBeNull();
    expect((after.cgroup.cpuThrottledPeriods ?? 0) - (before.cgroup.cpuThrottledPeriods ?? 0)).toBeGreaterThanOrEqual(20);
    expect(after.cgroup.cpuThrottledSeconds).toBeGreaterThan(before.cgroup.cpuThrottledSeconds ?? 0);
  });

  it('OOM-kills a process that outgrows a 64Mi limit, and counts it', async () => {
    const groups = ServiceGroups.create({ cpuCores: null, memoryBytes: 64 * 2 ** 20 });
    made.push(groups);
    // It starts allocating after 300 ms, once it is in its group: memory it takes before stays charged outside.
    const child = run('const kept = []; setTimeout(() => { for (;;) kept.push(Buffer.allocUnsafe(1 << 20).fill(1)); }, 300);');
    groups.add(0, child.pid as number);
    const exit = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
    expect(exit).toBe('SIGKILL');
    const stats = groups.stats(0);
    expect(stats.oomKills ?? stats.memoryLimitHits).toBeGreaterThanOrEqual(1);
    expect(stats.memoryLimitBytes).toBe(64 * 2 ** 20);
    expect(stats.memoryPeakBytes).toBeGreaterThan(60 * 2 ** 20);
  });

  it('removes its groups, moving a process still in one back to this process\'s group first', () => {
    const groups = ServiceGroups.create({ cpuCores: 0.5, memoryBytes: 128 * 2 ** 20 });
    const child = run('setInterval(() => {}, 1000)');
    groups.add(1, child.pid as number);
    const replica = groups.replica(1);
    const all = [...dirs(replica), ...dirs(groups.run)];
    expect(all.every((dir) => existsSync(dir))).toBe(true);
    expect(groups.remove()).toEqual([]);
    expect(all.filter((dir) => existsSync(dir))).toEqual([]);
    // Back where the test runner is, in every hierarchy.
    const own = (pid: number | 'self'): string => readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    expect(own(child.pid as number)).toBe(own('self'));
  });
});

describe('limits', () => {
  it('refuses limits the kernel would not take, with the value', () => {
    expect(() => ServiceGroups.create({ cpuCores: 0.001, memoryBytes: null })).toThrow(new CgroupError('CPU limit `0.001` is out of range: expected cores from 0.01 to 1024'));
    expect(() => ServiceGroups.create({ cpuCores: null, memoryBytes: 1.5 })).toThrow(new CgroupError('memory limit `1.5` is not valid: expected a positive whole number of bytes'));
  });
});
