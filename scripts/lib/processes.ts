/**
 * Child processes the tools start: the sample service and k6. Always `spawn` with an argument array
 * (never a shell string), and always stopped on the way out.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceState } from '../sample-service.ts';
import type { CgroupVersion } from './cgroups.ts';
import { CliError, repoRoot } from './cli.ts';
import { onPath } from './k6.ts';
import type { LimitedReplica, LimitSource } from './proc-sampler.ts';

export interface SampleServiceOptions {
  readonly port?: number;
  readonly replicas?: number;
  readonly predictCost?: number;
  readonly latencyMs?: number;
  readonly errorRate?: number;
  readonly readyAfterMs?: number;
  readonly restartDelayMs?: number;
  /** KiB each replica keeps, never freed, per answered work request (`--leak-kb-per-request`). */
  readonly leakKbPerRequest?: number;
  /** KiB each replica keeps per second of uptime (`--leak-kb-per-s`). */
  readonly leakKbPerSecond?: number;
  /** Work requests wait this many ms longer per minute of a replica's uptime (`--degrade-ms-per-min`). */
  readonly degradeMsPerMinute?: number;
  readonly pidFile?: string;
  /** Pin the service to these CPUs (`taskset -c`), e.g. so a benchmark's load generator gets its own core. */
  readonly cpuList?: string;
  /** Require `Authorization: Bearer <token>` on the work endpoints (passed through the environment). */
  readonly requireToken?: string;
  /** CPU limit per replica in cores (`--cpu-limit`): a CFS quota in the replica's cgroup. */
  readonly cpuLimitCores?: number;
  /** Memory limit per replica in bytes (`--memory-limit`): over it the replica is OOM-killed and restarted. */
  readonly memoryLimitBytes?: number;
  /** Keep a control channel open (`--control-stdin`), so `scale(n)` can change the replica count. */
  readonly control?: boolean;
}

/** Whether the per-replica limits asked for are enforced (by cgroups), or why not. */
export type ServiceLimits =
  | { readonly enforced: true; readonly cgroupVersion: CgroupVersion; readonly cores: number | null; readonly memoryBytes: number | null }
  | { readonly enforced: false; readonly reason: string };

/** `limits` of a service started without `cpuLimitCores` or `memoryLimitBytes`. */
export const NO_LIMITS_ASKED = 'no CPU or memory limit was asked for';

export interface RunningService extends LimitSource {
  readonly url: string;
  readonly port: number;
  /** PID of the primary process (the "Service"). */
  readonly pid: number;
  /** PIDs of the replica processes by replica index, as announced at start. */
  readonly replicaPids: ReadonlyMap<number, number>;
  /** The per-replica limits: enforced, or the one-line reason they are not (the service printed it too). */
  readonly limits: ServiceLimits;
  /** Each replica with its cgroup, restarts and OOM kills, from the service's state now; empty unless limits are enforced. */
  limitedReplicas(): LimitedReplica[];
  /**
   * Scales to `count` replicas (needs `control: true`); resolves once the service has taken the
   * command. New replicas are in `replicaPids` when they listen; stopped ones leave it when gone.
   */
  scale(count: number): Promise<void>;
  /** Everything the service printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(): Promise<void>;
}

/** Starts `scripts/sample-service.ts` on 127.0.0.1 and resolves once it prints `listening on`. */
export function startSampleService(options: SampleServiceOptions = {}, timeoutMs = 20_000): Promise<RunningService> {
  const args = ['--import', 'tsx', path.join(repoRoot, 'scripts', 'sample-service.ts'), '--port', String(options.port ?? 0)];
  const flags: [string, number | string | undefined][] = [
    ['--replicas', options.replicas],
    ['--predict-cost', options.predictCost],
    ['--latency-ms', options.latencyMs],
    ['--error-rate', options.errorRate],
    ['--ready-after-ms', options.readyAfterMs],
    ['--restart-delay-ms', options.restartDelayMs],
    ['--leak-kb-per-request', options.leakKbPerRequest],
    ['--leak-kb-per-s', options.leakKbPerSecond],
    ['--degrade-ms-per-min', options.degradeMsPerMinute],
    ['--cpu-limit', options.cpuLimitCores],
    ['--memory-limit', options.memoryLimitBytes],
  ];
  const limitsAsked = options.cpuLimitCores !== undefined || options.memoryLimitBytes !== undefined;
  // With limits the state file is where cgroups, restarts and OOM kills are read from: one is kept
  // even when the caller asked for none.
  const stateDir = limitsAsked && options.pidFile === undefined ? mkdtempSync(path.join(os.tmpdir(), 'k6-capacity-service-')) : null;
  const stateFile = stateDir === null ? options.pidFile : path.join(stateDir, 'state.json');
  const removeState = (): void => {
    if (stateDir !== null) rmSync(stateDir, { recursive: true, force: true });
  };
  flags.push(['--pid-file', stateFile]);
  for (const [flag, value] of flags) if (value !== undefined) args.push(flag, String(value));
  if (options.requireToken !== undefined) args.push('--require-token-env', 'SAMPLE_REQUIRED_TOKEN');
  const env = options.requireToken === undefined ? process.env : { ...process.env, SAMPLE_REQUIRED_TOKEN: options.requireToken };
  if (options.control === true) args.push('--control-stdin');
  const child = spawnGuarded(process.execPath, args, options.cpuList, { cwd: repoRoot, env, stdio: [options.control === true ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let output = '';
  let unread = '';
  const replicaPids = new Map<number, number>();
  const waiting: { count: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  const onLine = (line: string): void => {
    let match = /^replica (\d+) pid (\d+)$/.exec(line);
    if (match !== null) replicaPids.set(Number(match[1]), Number(match[2]));
    match = /^replica (\d+) stopped \(scaled down\)$/.exec(line);
    if (match !== null) replicaPids.delete(Number(match[1]));
    match = /^scaled to (\d+) replicas? /.exec(line);
    if (match !== null) {
      const index = waiting.findIndex((w) => w.count === Number(match?.[1]));
      if (index >= 0) waiting.splice(index, 1)[0]?.resolve();
    }
  };
  const scale = (count: number): Promise<void> => {
    const stdin = child.stdin;
    if (stdin === null || stdin.destroyed) return Promise.reject(new CliError('sample-service: scale() needs a service started with `control: true`'));
    return new Promise((resolve, reject) => {
      waiting.push({ count, resolve, reject });
      stdin.write(`scale ${count}\n`);
    });
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      removeState();
      reject(new CliError(`sample-service: not listening after ${timeoutMs} ms; it printed:\n${output}`));
    }, timeoutMs);
    let resolved = false;
    // Replica lines keep coming after start (a replica that dies is restarted with a new PID).
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      unread += chunk.toString();
      const lines = unread.split('\n');
      unread = lines.pop() ?? '';
      for (const line of lines) onLine(line);
      const listening = resolved ? null : /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(output);
      if (listening !== null) {
        resolved = true;
        clearTimeout(timer);
        const state = limitsAsked && stateFile !== undefined ? readState(stateFile) : null;
        resolve({
          url: listening[1] as string,
          port: Number(listening[2]),
          pid: child.pid ?? 0,
          replicaPids,
          limits: limitsOf(limitsAsked, state, output),
          limitedReplicas: () => (state?.limits?.enforced === true && stateFile !== undefined ? limitedReplicas(readState(stateFile)) : []),
          scale,
          output: () => output,
          stop: async () => {
            await stopProcess(child);
            removeState();
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      for (const w of waiting.splice(0)) w.reject(new CliError(`sample-service: exited (${signal ?? `code ${code}`}) before it scaled to ${w.count} replicas`));
      if (!resolved) removeState();
      reject(new CliError(`sample-service: exited (${signal ?? `code ${code}`}) before listening; it printed:\n${output}`));
    });
  });
}

function readState(file: string): ServiceState | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServiceState;
  } catch {
    // written atomically, so only missing (the service is gone), never half-written
    return null;
  }
}

function limitsOf(asked: boolean, state: ServiceState | null, output: string): ServiceLimits {
  if (!asked) return { enforced: false, reason: NO_LIMITS_ASKED };
  const limits = state?.limits;
  if (limits === undefined) return { enforced: false, reason: /^limits not enforced: (.*)$/m.exec(output)?.[1] ?? 'the sample service wrote no state file' };
  if (!limits.enforced) return { enforced: false, reason: limits.reason };
  return { enforced: true, cgroupVersion: limits.cgroup_version, cores: limits.cpu_cores, memoryBytes: limits.memory_bytes };
}

function limitedReplicas(state: ServiceState | null): LimitedReplica[] {
  const replicas: LimitedReplica[] = [];
  for (const replica of state?.replicas ?? []) {
    if (replica.cgroup === undefined || replica.cgroup === null) continue;
    replicas.push({ name: `sample-replica-${replica.replica}`, pid: replica.pid, cgroup: replica.cgroup, restarts: replica.restarts ?? 0, oomKills: replica.oom_kills ?? 0 });
  }
  return replicas;
}

/**
 * Whether children can be made to die with this process: util-linux's `setpriv --pdeathsig` sets
 * the kernel's parent-death signal (prctl PR_SET_PDEATHSIG) and execs the program, so a k6 or sample
 * service started by a sweep gets SIGTERM when the sweep dies, however it dies (SIGKILL, OOM) — and
 * SIGTERM makes both stop cleanly. Without it (not Linux, no util-linux) children outlive a crash
 * and only `--resume` stops them.
 */
export function parentDeathGuard(): string | null {
  guard ??= process.platform === 'linux' ? (onPath('setpriv')[0] ?? null) : null;
  return guard;
}

let guard: string | null | undefined;

/**
 * `spawn`, through `setpriv --pdeathsig TERM` (see parentDeathGuard) and `taskset -c <cpus>` when a
 * CPU list is given. Both exec the program in the same process, so PIDs, signals and CPU accounting
 * are the program's own.
 */
function spawnGuarded(program: string, args: readonly string[], cpuList: string | undefined, options: SpawnOptions) {
  const argv = [program, ...args];
  if (cpuList !== undefined) {
    if (!/^\d+([-,]\d+)*$/.test(cpuList)) throw new CliError(`taskset: CPU list \`${cpuList}\` is not valid: expected e.g. \`0\` or \`0-1\``);
    argv.unshift('taskset', '-c', cpuList);
  }
  const setpriv = parentDeathGuard();
  if (setpriv !== null) argv.unshift(setpriv, '--pdeathsig', 'TERM', '--');
  const [first, ...rest] = argv as [string, ...string[]];
  return spawn(first, rest, options);
}

export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface K6RunOptions {
  readonly k6: string;
  readonly script: string;
  /** Passed as `-e NAME=value`: visible in the process list, so never secrets. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Passed through the environment (k6 reads system env into `__ENV`): for tokens and the like. */
  readonly secretVars?: Readonly<Record<string, string>>;
  /** `--out json=<path>`; a `.gz` name makes k6 gzip it. */
  readonly jsonOut?: string;
  readonly extraArgs?: readonly string[];
  readonly cwd?: string;
  /** Pin k6 to these CPUs (`taskset -c`). */
  readonly cpuList?: string;
  /** Start k6 in its own process group, so a terminal's Ctrl-C reaches only its parent. */
  readonly detached?: boolean;
  /** Called with each chunk k6 prints (stdout and stderr), for live progress. */
  readonly onOutput?: (chunk: string) => void;
}

export interface K6RunResult {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface K6Process {
  readonly child: ChildProcess;
  readonly done: Promise<K6RunResult>;
}

/** Variable names k6 accepts in `-e` (k6: `^[a-zA-Z_][a-zA-Z0-9_]*$`). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function startK6(options: K6RunOptions): K6Process {
  const args = ['run', '--quiet'];
  for (const [name, value] of Object.entries(options.vars ?? {})) {
    if (!ENV_NAME.test(name)) throw new CliError(`k6: variable name \`${name}\` is not valid: expected letters, digits and _`);
    args.push('-e', `${name}=${value}`);
  }
  if (options.jsonOut !== undefined) args.push('--out', `json=${options.jsonOut}`);
  args.push(...(options.extraArgs ?? []), options.script);
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.secretVars };
  const child = spawnGuarded(options.k6, args, options.cpuList, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onOutput?.(chunk.toString());
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    options.onOutput?.(chunk.toString());
  });
  const done = new Promise<K6RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? -1, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runK6(options: K6RunOptions): Promise<K6RunResult> {
  return startK6(options).done;
}
