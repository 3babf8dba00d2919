/**
 * The bundled sample service: N replica processes behind one port on 127.0.0.1, like pods behind a
 * Service. Runs in the foreground until SIGINT or SIGTERM.
 *
 *   npm run sample-service -- --port 18080 --replicas 2
 */
import cluster from 'node:cluster';
import { writeAtomically } from '../analysis/io.ts';
import http from 'node:http';
import { CliError, commandFlags, fail, isMain } from './lib/cli.ts';
import { flagHelp } from './lib/flags.ts';
import { createApp, WORK_UNIT_ROUNDS, type AppOptions } from './lib/sample-app.ts';

/** Load goes to loopback only: the service never listens on another address. */
export const SAMPLE_HOST = '127.0.0.1';
export const DEFAULT_PORT = 18080;

const FLAGS = {
  port: { type: 'string', value: 'N', help: `port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)` },
  replicas: { type: 'string', value: 'N', help: 'worker processes sharing the port, like pods behind a Service (default 1)' },
  'predict-cost': { type: 'string', value: 'N', help: `CPU work per /predict, in units of ${WORK_UNIT_ROUNDS} mixing rounds (default 50)` },
  'latency-ms': { type: 'string', value: 'N', help: 'delay added to /predict and /api/light (default 0)' },
  'error-rate': { type: 'string', value: 'X', help: 'share of /predict and /api/light answered 500, 0..1 (default 0)' },
  'ready-after-ms': { type: 'string', value: 'N', help: '/ready answers 503 for this long after start (default 0)' },
  'restart-delay-ms': { type: 'string', value: 'N', help: 'a replica that dies is restarted after this delay, like a pod (default 1000)' },
  'pid-file': { type: 'string', value: 'PATH', help: 'keep {"pid", "replicas": [{"replica", "pid"}]} up to date in PATH' },
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

Options:
${flagHelp(FLAGS)}
Endpoints: GET /health, GET /ready, GET /api/light, GET|POST /predict, GET /metrics.
Per-request overrides on /predict and /api/light: ?cost=N&delay_ms=N&error_rate=X.
`;

export interface ServiceOptions extends Omit<AppOptions, 'replica'> {
  readonly port: number;
  readonly replicas: number;
  readonly restartDelayMs: number;
  readonly pidFile: string | undefined;
}

export function parseServiceArgs(argv: readonly string[]): ServiceOptions | 'help' {
  const values = commandFlags('sample-service', FLAGS, argv);
  if (values.help) return 'help';
  return {
    port: integer('--port', values.port, DEFAULT_PORT, 0, 65535),
    replicas: integer('--replicas', values.replicas, 1, 1, 64),
    predictCost: number('--predict-cost', values['predict-cost'], 50, 0, 100_000),
    latencyMs: number('--latency-ms', values['latency-ms'], 0, 0, 60_000),
    errorRate: number('--error-rate', values['error-rate'], 0, 0, 1),
    readyAfterMs: number('--ready-after-ms', values['ready-after-ms'], 0, 0, 3_600_000),
    restartDelayMs: number('--restart-delay-ms', values['restart-delay-ms'], 1000, 0, 600_000),
    pidFile: values['pid-file'],
    requireToken: tokenFrom(values['require-token-env']),
  };
}

function tokenFrom(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const token = process.env[name];
  if (token === undefined || token === '') throw new CliError(`sample-service: \`--require-token-env ${name}\`: the environment variable \`${name}\` is not set`);
  return token;
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

function runPrimary(options: ServiceOptions): void {
  const pids = new Map<number, number>();
  let announced = false;
  let stopping = false;
  let port = options.port;

  const writePids = (): void => {
    if (options.pidFile === undefined) return;
    const replicas = [...pids].sort(([a], [b]) => a - b).map(([replica, pid]) => ({ replica, pid }));
    writeAtomically(options.pidFile, `${JSON.stringify({ pid: process.pid, port, replicas })}\n`);
  };

  const start = (replica: number): void => {
    const worker = cluster.fork({ SAMPLE_REPLICA: String(replica), SAMPLE_OPTIONS: JSON.stringify(options) });
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
      if (stopping) return;
      process.stdout.write(`replica ${replica} exited (${signal ?? `code ${code}`}); restarting in ${options.restartDelayMs} ms\n`);
      writePids();
      setTimeout(() => {
        if (!stopping) start(replica);
      }, options.restartDelayMs);
    });
  };

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping ${pids.size} replica(s)\n`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    const deadline = setTimeout(() => process.exit(0), 5000);
    deadline.unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  for (let replica = 0; replica < options.replicas; replica++) start(replica);
}

function runReplica(): void {
  const options = JSON.parse(process.env.SAMPLE_OPTIONS ?? '{}') as ServiceOptions;
  const replica = Number(process.env.SAMPLE_REPLICA ?? '0');
  const server = http.createServer(createApp({ ...options, replica }));
  // Load generators keep connections open; a short idle timeout would show up as connection errors.
  server.keepAliveTimeout = 65_000;
  server.listen(options.port, SAMPLE_HOST);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  // Ctrl-C reaches the whole process group; the primary decides how replicas stop.
  process.on('SIGINT', () => undefined);
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
