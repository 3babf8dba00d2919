/**
 * The bundled sample service: N replica processes behind one port on 127.0.0.1, like pods behind a
 * Service. Runs in the foreground until SIGINT or SIGTERM. With `--cpu-limit` / `--memory-limit`,
 * each replica runs in its own cgroup with that CFS quota and hard memory limit, like a container's
 * limits: over its memory limit the kernel OOM-kills it, and it is restarted like a pod. With
 * `--leak-kb-per-request` / `--leak-kb-per-s` / `--degrade-ms-per-min` its replicas age, as a soak
 * test must find: they keep memory they never free, and answer slower the longer they run.
 *
 *   npm run sample-service -- --port 18080 --replicas 2 --cpu-limit 500m --memory-limit 256Mi
 *   npm run sample-service -- --memory-limit 128Mi --leak-kb-per-request 64 --degrade-ms-per-min 50
 */
import cluster, { type Worker } from 'node:cluster';
import { writeAtomically } from '../analysis/io.ts';
import http, { type ServerResponse } from 'node:http';
import { parseQuantity, toNumber } from '../analysis/snapshots/quantity.ts';
import { CgroupError, MAX_CPU_CORES, MIN_CPU_CORES, ServiceGroups, type CgroupPaths, type CgroupVersion } from './lib/cgroups.ts';
import { CliError, commandFlags, fail, isMain } from './lib/cli.ts';
import { flagHelp } from './lib/flags.ts';
import { createApp, WORK_UNIT_ROUNDS, type AppOptions, type Handler } from './lib/sample-app.ts';
import { leakCapBytes, MAX_DEGRADE_DELAY_MS, MAX_DEGRADE_MS_PER_MINUTE, MAX_LEAK_BYTES, MAX_LEAK_KB_PER_REQUEST, MAX_LEAK_KB_PER_SECOND } from './lib/sample-aging.ts';

/** Load goes to loopback only: the service never listens on another address. */
export const SAMPLE_HOST = '127.0.0.1';
export const DEFAULT_PORT = 18080;

/** Bounds of `/alloc`, so a request can push a replica over a limit but not exhaust the machine. */
export const MAX_ALLOC_MB = 256;
const MAX_HELD_MB = 512;
export const MAX_HOLD_MS = 10_000;
const MIN_MEMORY_LIMIT = 16 * 2 ** 20;
const MAX_MEMORY_LIMIT = 2 ** 40;

const FLAGS = {
  port: { type: 'string', value: 'N', help: `port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)` },
  replicas: { type: 'string', value: 'N', help: 'worker processes sharing the port, like pods behind a Service (default 1)' },
  'predict-cost': { type: 'string', value: 'N', help: `CPU work per /predict, in units of ${WORK_UNIT_ROUNDS} mixing rounds (default 50)` },
  'latency-ms': { type: 'string', value: 'N', help: 'delay added to /predict and /api/light (default 0)' },
  'error-rate': { type: 'string', value: 'X', help: 'share of /predict and /api/light answered 500, 0..1 (default 0)' },
  'ready-after-ms': { type: 'string', value: 'N', help: '/ready answers 503 for this long after start (default 0)' },
  'restart-delay-ms': { type: 'string', value: 'N', help: 'a replica that dies is restarted after this delay, like a pod (default 1000)' },
  'leak-kb-per-request': {
    type: 'string',
    value: 'N',
    help: `each replica keeps N KiB it never frees per /predict and /api/light it answers\n(default 0, at most ${MAX_LEAK_KB_PER_REQUEST}); it stops at ${MAX_LEAK_BYTES / 2 ** 30} GiB, or with an enforced --memory-limit\nleaks until the kernel OOM-kills it there`,
  },
  'leak-kb-per-s': { type: 'string', value: 'N', help: `each replica keeps N KiB more per second it runs, whatever the load\n(default 0, at most ${MAX_LEAK_KB_PER_SECOND}; the same bound)` },
  'degrade-ms-per-min': {
    type: 'string',
    value: 'X',
    help: `/predict and /api/light wait X ms longer per minute of the replica's uptime\n(a timer, not CPU; default 0, at most ${MAX_DEGRADE_MS_PER_MINUTE}; the delay stops at ${MAX_DEGRADE_DELAY_MS} ms)`,
  },
  'cpu-limit': { type: 'string', value: 'CORES', help: 'CPU limit per replica, e.g. 0.5 or 250m: a CFS quota in its own cgroup (Linux, root)' },
  'memory-limit': { type: 'string', value: 'BYTES', help: 'memory limit per replica, e.g. 256Mi or 268435456: over it the replica is\nOOM-killed and restarted (Linux, root)' },
  'pid-file': { type: 'string', value: 'PATH', help: 'keep {"pid", "port", "replicas": [{"replica", "pid"}]} up to date in PATH\n(with limits: also each replica\'s cgroup, restarts and OOM kills)' },
  'control-stdin': {
    type: 'boolean',
    help: 'read `scale N` lines from stdin and start or stop replicas to match, as scaling a\nDeployment does (the autoscaling process target drives it)',
  },
  'require-token-env': {
    type: 'string',
    value: 'V',
    help: '/predict and /api/light answer 401 without "Authorization: Bearer <$V>"\n(the token is read from the environment variable V, never from the command line)',
  },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const HELP = `Usage: npm run sample-service -- [options]

Runs the bundled sample service on ${SAMPLE_HOST} in the foreground until SIGINT/SIGTERM.
Prints "replica <i> pid <pid>" per replica, then "listening on http://${SAMPLE_HOST}:<port>" when ready.
With limits it first prints "limits per replica: …", or "limits not enforced: <reason>" and runs
without them (cgroups need Linux and root, or a delegated cgroup).

Options:
${flagHelp(FLAGS)}
Endpoints: GET /health, GET /ready, GET /api/light, GET|POST /predict, GET /metrics,
GET /alloc?mb=N&hold_ms=M (holds N MiB, at most ${MAX_ALLOC_MB}, for M ms, at most ${MAX_HOLD_MS}: to test --memory-limit).
Per-request overrides on /predict and /api/light: ?cost=N&delay_ms=N&error_rate=X.
/metrics also gives each replica's sample_uptime_seconds, sample_leaked_bytes (and sample_leak_cap_bytes)
and sample_added_delay_seconds; a restarted replica starts fresh, without its leak or its delay.
`;

export interface ServiceOptions extends Omit<AppOptions, 'replica' | 'leakCapBytes'> {
  readonly port: number;
  readonly replicas: number;
  readonly restartDelayMs: number;
  readonly pidFile: string | undefined;
  /** Per replica; `null`: no limit. */
  readonly cpuLimitCores: number | null;
  readonly memoryLimitBytes: number | null;
  /** `scale N` lines on stdin change the replica count at runtime. */
  readonly controlStdin: boolean;
}

/** Most replicas the service runs, at start or scaled. */
export const MAX_REPLICAS = 64;

/** What `--pid-file` holds; kept up to date by the primary, written atomically. */
export interface ServiceState {
  readonly pid: number;
  readonly port: number;
  /** Without limits: `{replica, pid}` of each listening replica. With limits: every replica, `pid` `null` while it is down. */
  readonly replicas: readonly ReplicaState[];
  /** Only when `--cpu-limit` or `--memory-limit` is given. */
  readonly limits?: LimitsState;
}

export interface ReplicaState {
  readonly replica: number;
  readonly pid: number | null;
  /** The next three only with limits. */
  readonly restarts?: number;
  readonly oom_kills?: number;
  /** `null` when the limits are not enforced. */
  readonly cgroup?: CgroupPaths | null;
}

export type LimitsState =
  | { readonly enforced: true; readonly cgroup_version: CgroupVersion; readonly cpu_cores: number | null; readonly memory_bytes: number | null }
  | { readonly enforced: false; readonly reason: string };


export function parseServiceArgs(argv: readonly string[]): ServiceOptions | 'help' {
  const values = commandFlags('sample-service', FLAGS, argv);
  if (values.help) return 'help';
  return {
    port: integer('--port', values.port, DEFAULT_PORT, 0, 65535),
    replicas: integer('--replicas', values.replicas, 1, 1, MAX_REPLICAS),
    predictCost: number('--predict-cost', values['predict-cost'], 50, 0, 100_000),
    latencyMs: number('--latency-ms', values['latency-ms'], 0, 0, 60_000),
    errorRate: number('--error-rate', values['error-rate'], 0, 0, 1),
    readyAfterMs: number('--ready-after-ms', values['ready-after-ms'], 0, 0, 3_600_000),
    restartDelayMs: number('--restart-delay-ms', values['restart-delay-ms'], 1000, 0, 600_000),
    leakKbPerRequest: integer('--leak-kb-per-request', values['leak-kb-per-request'], 0, 0, MAX_LEAK_KB_PER_REQUEST),
    leakKbPerSecond: integer('--leak-kb-per-s', values['leak-kb-per-s'], 0, 0, MAX_LEAK_KB_PER_SECOND),
    degradeMsPerMinute: number('--degrade-ms-per-min', values['degrade-ms-per-min'], 0, 0, MAX_DEGRADE_MS_PER_MINUTE),
    pidFile: values['pid-file'],
    cpuLimitCores: cores(values['cpu-limit']),
    memoryLimitBytes: memoryBytes(values['memory-limit']),
    requireToken: tokenFrom(values['require-token-env']),
    controlStdin: values['control-stdin'] === true,
  };
}

function tokenFrom(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const token = process.env[name];
  if (token === undefined || token === '') throw new CliError(`sample-service: \`--require-token-env ${name}\`: the environment variable \`${name}\` is not set`);
  return token;
}

/** Cores as Kubernetes writes them: `0.5`, `2`, `250m`. */
function cores(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const quantity = /^(\d+(\.\d+)?|\.\d+)m?$/.test(raw) ? parseQuantity(raw) : undefined;
  const value = quantity === undefined ? Number.NaN : toNumber(quantity);
  if (!(value >= MIN_CPU_CORES && value <= MAX_CPU_CORES)) {
    throw new CliError(`sample-service: \`--cpu-limit\` is \`${raw}\`: expected cores from ${MIN_CPU_CORES} to ${MAX_CPU_CORES}, such as \`0.5\` or \`250m\``);
  }
  return value;
}

/** Bytes as Kubernetes writes them (`256Mi`, `1G`, `268435456`), rounded up to a whole byte as Kubernetes does. */
function memoryBytes(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const quantity = raw.startsWith('-') || raw.startsWith('+') ? undefined : parseQuantity(raw);
  const value = quantity === undefined ? Number.NaN : Math.ceil(toNumber(quantity));
  if (!(value >= MIN_MEMORY_LIMIT && value <= MAX_MEMORY_LIMIT)) {
    throw new CliError(`sample-service: \`--memory-limit\` is \`${raw}\`: expected bytes from 16Mi to 1Ti, such as \`256Mi\` or \`268435456\``);
  }
  return value;
}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new CliError(`sample-service: \`${flag}\` is \`${raw}\`: expected a number from ${min} to ${max}`);
  }
  return value;
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const value = number(flag, raw, fallback, min, max);
  if (!Number.isInteger(value)) throw new CliError(`sample-service: \`${flag}\` is \`${raw}\`: expected an integer from ${min} to ${max}`);
  return value;
}

// --- primary: starts, watches and stops the replicas --------------------------------------------

/** The primary's messages with a replica: the replica asks once it can listen, the primary says go. */
const READY = 'sample-service:ready';
const START = 'sample-service:start';

interface ReplicaRecord {
  restarts: number;
  oomKills: number;
  /** The group's OOM counter when the current process was started. */
  oomCounter: number | null;
}

function runPrimary(options: ServiceOptions): void {
  const pids = new Map<number, number>();
  const workers = new Map<number, Worker>();
  const restartTimers = new Map<number, NodeJS.Timeout>();
  /** Replicas asked to stop by a scale-down: their exit is the end, not a crash to restart. */
  const retiring = new Set<number>();
  let wanted = options.replicas;
  let announced = false;
  let stopping = false;
  let port = options.port;
  let askedPort = options.port;
  const sharing = new Set<number>();
  const { groups, limits } = openGroups(options);
  // Only a limit the kernel enforces may end a leak; an unenforced one is no bound at all.
  const leakCap = leakCapBytes(limits?.enforced === true ? limits.memory_bytes : null);
  const records = new Map<number, ReplicaRecord>();
  for (let replica = 0; replica < options.replicas; replica++) records.set(replica, { restarts: 0, oomKills: 0, oomCounter: null });
  // However the primary ends (a signal, an error), its groups go with it.
  process.on('exit', () => {
    for (const line of groups?.remove() ?? []) process.stderr.write(`sample-service: ${line}\n`);
  });

  const writePids = (): void => {
    if (options.pidFile === undefined) return;
    let replicas: ReplicaState[];
    if (limits === undefined) {
      replicas = [...pids].sort(([a], [b]) => a - b).map(([replica, pid]) => ({ replica, pid }));
    } else {
      replicas = [...records].map(([replica, record]) => ({
        replica,
        pid: pids.get(replica) ?? null,
        restarts: record.restarts,
        oom_kills: record.oomKills,
        cgroup: groups?.replica(replica) ?? null,
      }));
    }
    const state: ServiceState = { pid: process.pid, port, replicas, ...(limits === undefined ? {} : { limits }) };
    writeAtomically(options.pidFile, `${JSON.stringify(state)}\n`);
  };

  const oomCounter = (replica: number): number | null => {
    if (groups === null) return null;
    const stats = groups.stats(replica);
    // Kernels before 4.13 count no OOM kills in v1: hitting the limit (failcnt) is the next best sign.
    return stats.oomKills ?? stats.memoryLimitHits;
  };

  const start = (replica: number): void => {
    const record = records.get(replica) as ReplicaRecord;
    // cluster shares one socket per port *as the replicas ask for it* (`0` included), while one of
    // them lives: a replica asks for what the live ones asked for, and only when none is left for
    // the port the service got — else, with `--port 0`, a restart after the last replica died
    // would move the service to a new port.
    if (sharing.size === 0) askedPort = port;
    sharing.add(replica);
    const replicaOptions: ReplicaOptions = { ...options, port: askedPort, leakCapBytes: leakCap };
    const worker = cluster.fork({ SAMPLE_REPLICA: String(replica), SAMPLE_OPTIONS: JSON.stringify(replicaOptions) });
    workers.set(replica, worker);
    const held = groups !== null && !confine(worker, replica);
    record.oomCounter = oomCounter(replica);
    worker.on('message', (message: unknown) => {
      if (!held && isMessage(message, READY)) worker.send({ type: START });
    });
    worker.on('listening', (address) => {
      const pid = worker.process.pid ?? 0;
      pids.set(replica, pid);
      port = address.port;
      process.stdout.write(`replica ${replica} pid ${pid}\n`);
      writePids();
      if (!announced && pids.size === options.replicas) {
        announced = true;
        process.stdout.write(`listening on http://${SAMPLE_HOST}:${port}\n`);
      }
    });
    worker.on('exit', (code, signal) => {
      pids.delete(replica);
      sharing.delete(replica);
      workers.delete(replica);
      if (stopping) return;
      if (retiring.delete(replica)) {
        records.delete(replica);
        process.stdout.write(`replica ${replica} stopped (scaled down)\n`);
        writePids();
        return;
      }
      const counter = oomCounter(replica);
      const oom = signal === 'SIGKILL' && counter !== null && record.oomCounter !== null && counter > record.oomCounter;
      if (oom) record.oomKills += 1;
      const why = oom ? `: OOM-killed at its memory limit of ${groups?.stats(replica).memoryLimitBytes ?? options.memoryLimitBytes} bytes` : '';
      process.stdout.write(`replica ${replica} exited (${signal ?? `code ${code}`}${why}); restarting in ${options.restartDelayMs} ms\n`);
      writePids();
      restartTimers.set(
        replica,
        setTimeout(() => {
          restartTimers.delete(replica);
          if (stopping) return;
          record.restarts += 1;
          start(replica);
        }, options.restartDelayMs),
      );
    });
  };

  /**
   * Scales to `count` replicas, as a Deployment's scale does: new replicas get the next indices (and
   * their own groups, with the same limits); a scale-down stops the highest ones with SIGTERM, so they
   * finish the requests they hold. Says `scaled to N replicas (from M)` at once; each new replica says
   * `replica <i> pid <pid>` when it listens.
   */
  const scaleTo = (count: number): void => {
    const from = wanted;
    wanted = count;
    for (let replica = from; replica < count; replica++) {
      if (retiring.has(replica) || workers.has(replica)) {
        // Scaled down and up again before it stopped: it stays.
        retiring.delete(replica);
        continue;
      }
      records.set(replica, { restarts: 0, oomKills: 0, oomCounter: null });
      start(replica);
    }
    for (let replica = count; replica < from; replica++) {
      const timer = restartTimers.get(replica);
      if (timer !== undefined) {
        // Down and waiting for its restart: it is simply not restarted.
        clearTimeout(timer);
        restartTimers.delete(replica);
        records.delete(replica);
        continue;
      }
      retiring.add(replica);
      workers.get(replica)?.kill('SIGTERM');
    }
    process.stdout.write(`scaled to ${count} ${count === 1 ? 'replica' : 'replicas'} (from ${from})\n`);
    writePids();
  };

  /**
   * Moves a just-forked replica into its group. It has only begun to load and waits for START
   * before it listens, so no request is served before its limits apply. A replica that cannot be
   * moved is killed (and restarted): it must never serve unlimited while limits are reported.
   */
  const confine = (worker: Worker, replica: number): boolean => {
    const pid = worker.process.pid;
    try {
      if (pid === undefined) throw new CgroupError('the forked replica has no PID');
      groups?.add(replica, pid);
      return true;
    } catch (error) {
      if (!(error instanceof CgroupError)) throw error;
      process.stdout.write(`replica ${replica}: cannot put PID ${pid} into its cgroup (${error.reason}): stopping it\n`);
      worker.process.kill('SIGKILL');
      return false;
    }
  };

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping ${pids.size} replica(s)\n`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    const deadline = setTimeout(() => {
      // A replica that ignores SIGTERM must not outlive the service (nor keep its group busy).
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(0);
    }, 5000);
    deadline.unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  if (limits !== undefined) writePids();
  for (let replica = 0; replica < options.replicas; replica++) start(replica);
  if (options.controlStdin) readControl(scaleTo);
}

/**
 * `--control-stdin`: one command per line, `scale N` (1 to MAX_REPLICAS). Anything else gets one
 * line saying what was expected, and changes nothing.
 */
function readControl(scaleTo: (count: number) => void): void {
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    let end = pending.indexOf('\n');
    while (end >= 0) {
      const line = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      end = pending.indexOf('\n');
      if (line === '') continue;
      const match = /^scale (\d+)$/.exec(line);
      const count = match === null ? Number.NaN : Number(match[1]);
      if (Number.isInteger(count) && count >= 1 && count <= MAX_REPLICAS) scaleTo(count);
      else process.stdout.write(`control: ignored \`${line.slice(0, 80)}\`: expected \`scale N\` with N from 1 to ${MAX_REPLICAS}\n`);
    }
  });
}

/**
 * The run's cgroups, one per replica, made before any replica starts; when they cannot be made, one
 * line says why and the service runs without limits.
 */
function openGroups(options: ServiceOptions): { groups: ServiceGroups | null; limits: LimitsState | undefined } {
  const { cpuLimitCores: cpu, memoryLimitBytes: memory } = options;
  if (cpu === null && memory === null) return { groups: null, limits: undefined };
  let groups: ServiceGroups | null = null;
  try {
    groups = ServiceGroups.create({ cpuCores: cpu, memoryBytes: memory });
    for (let replica = 0; replica < options.replicas; replica++) groups.replica(replica);
  } catch (error) {
    if (!(error instanceof CgroupError)) throw error;
    groups?.remove();
    process.stdout.write(`limits not enforced: ${error.reason}\n`);
    return { groups: null, limits: { enforced: false, reason: error.reason } };
  }
  const sizes = [cpu === null ? null : `cpu ${cpu} cores`, memory === null ? null : `memory ${memory} bytes`].filter((size) => size !== null);
  const where = groups.run.version === 2 ? groups.run.dir : `${groups.run.cpu}, ${groups.run.memory}`;
  process.stdout.write(`limits per replica: ${sizes.join(', ')} (cgroup v${groups.version}: ${where})\n`);
  return { groups, limits: { enforced: true, cgroup_version: groups.version, cpu_cores: cpu, memory_bytes: memory } };
}

function isMessage(message: unknown, type: string): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

// --- replica: one "pod" ----------------------------------------------------------------------------

/** What the primary hands a replica: the service's options, and what it decided for the replica. */
interface ReplicaOptions extends ServiceOptions {
  readonly leakCapBytes: number;
}

function runReplica(): void {
  const options = JSON.parse(process.env.SAMPLE_OPTIONS ?? '{}') as ReplicaOptions;
  const replica = Number(process.env.SAMPLE_REPLICA ?? '0');
  const server = http.createServer(withAlloc(createApp({ ...options, replica }), replica, options.requireToken));
  // Load generators keep connections open; a short idle timeout would show up as connection errors.
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  // Ctrl-C reaches the whole process group; the primary decides how replicas stop.
  process.on('SIGINT', () => undefined);
  // Listen only once the primary has put this process into its cgroup (it says START).
  const onMessage = (message: unknown): void => {
    if (!isMessage(message, START)) return;
    process.off('message', onMessage);
    server.listen(options.port, SAMPLE_HOST);
  };
  process.on('message', onMessage);
  process.send?.({ type: READY });
}

/**
 * `GET /alloc?mb=N&hold_ms=M`: holds N MiB for M ms (default 1000), every page written so the kernel
 * charges it, so a test can push a replica over its `--memory-limit`. Bounded: N at most
 * MAX_ALLOC_MB, M at most MAX_HOLD_MS, and at most MAX_HELD_MB held by one replica at a time; behind
 * the bearer token when the work endpoints are.
 */
function withAlloc(app: Handler, replica: number, token: string | undefined): Handler {
  let heldMb = 0;
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://sample');
    if (url.pathname !== '/alloc' || request.method !== 'GET') return app(request, response);
    request.resume();
    if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) return json(response, 401, { error: 'missing or wrong bearer token' }, replica);
    const mb = Number(url.searchParams.get('mb') ?? '');
    const holdMs = Number(url.searchParams.get('hold_ms') ?? '1000');
    if (!Number.isInteger(mb) || mb < 1 || mb > MAX_ALLOC_MB) return json(response, 400, { error: `\`mb\` is \`${url.searchParams.get('mb') ?? ''}\`: expected a whole number from 1 to ${MAX_ALLOC_MB}` }, replica);
    if (!Number.isInteger(holdMs) || holdMs < 0 || holdMs > MAX_HOLD_MS) return json(response, 400, { error: `\`hold_ms\` is \`${url.searchParams.get('hold_ms') ?? ''}\`: expected a whole number from 0 to ${MAX_HOLD_MS}` }, replica);
    if (heldMb + mb > MAX_HELD_MB) return json(response, 429, { error: `this replica already holds ${heldMb} MiB: at most ${MAX_HELD_MB} at a time` }, replica);
    // allocUnsafe + fill: Buffer.alloc may map zero pages the kernel has not charged yet.
    const block = Buffer.allocUnsafe(mb * 2 ** 20).fill(0x5a);
    heldMb += mb;
    setTimeout(() => {
      heldMb -= mb;
      json(response, 200, { allocated_mb: block.length / 2 ** 20, held_ms: holdMs }, replica);
    }, holdMs);
  };
}

function json(response: ServerResponse, status: number, body: Record<string, unknown>, replica: number): void {
  const text = JSON.stringify({ ...body, replica });
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'X-Replica': String(replica) });
  response.end(text);
}

function main(): void {
  if (cluster.isWorker) return runReplica();
  const options = parseServiceArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  runPrimary(options);
}

if (isMain(import.meta.url) || cluster.isWorker) {
  try {
    main();
  } catch (error) {
    fail(error);
  }
}
