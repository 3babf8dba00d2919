/**
 * Getting k6: a k6 of the pinned major version from PATH, else a build of the pinned version cached
 * per user (shared by every clone), else a clear message on how to install one.
 */
import { spawn, execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CliError } from './cli.ts';

const execFileAsync = promisify(execFile);

/** The newest k6 whose module builds from the Go module proxy here (v2.3.0's zip is not served). */
export const K6_VERSION = '2.2.0';
export const K6_MAJOR = 2;
/** k6 moved to a /v2 module path in v2.0.0; `go install go.k6.io/k6@v2…` is not valid. */
export const K6_MODULE = 'go.k6.io/k6/v2';

export type Log = (line: string) => void;
type ProcessEnv = Readonly<Record<string, string | undefined>>;

/** The per-user cache: `$K6_CAPACITY_CACHE`, else `$XDG_CACHE_HOME/k6-capacity`, else `~/.cache/k6-capacity`. */
export function cacheDir(env: ProcessEnv = process.env): string {
  if (env.K6_CAPACITY_CACHE) return path.resolve(env.K6_CAPACITY_CACHE);
  const base = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), '.cache');
  return path.join(base, 'k6-capacity');
}

export function cachedK6Path(env: ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'k6', `v${K6_VERSION}`, 'k6');
}

/** `k6 v2.2.0 (commit/devel, go1.26.8, linux/amd64)` → `2.2.0`; `undefined` when it is not k6. */
export function parseK6Version(output: string): string | undefined {
  return /\bk6 v(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

export async function k6Version(binary: string, env: ProcessEnv = process.env): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['version'], { timeout: 15_000, env: env as NodeJS.ProcessEnv });
    return parseK6Version(stdout);
  } catch {
    return undefined;
  }
}

/** Every executable called `name` on the PATH of `env`, in PATH order. */
export function onPath(name: string, env: ProcessEnv = process.env): string[] {
  const found: string[] = [];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      found.push(candidate);
    } catch {
      // not here
    }
  }
  return found;
}

/**
 * The absolute path of a usable k6 binary; builds the pinned version when there is none.
 * Progress goes to `log` (stderr for the CLI); nothing is printed on stdout.
 */
export async function ensureK6(options: { env?: ProcessEnv; log?: Log } = {}): Promise<string> {
  const { env = process.env, log = (line: string) => process.stderr.write(`ensure-k6: ${line}\n`) } = options;

  for (const candidate of onPath('k6', env)) {
    const version = await k6Version(candidate, env);
    if (version !== undefined && Number(version.split('.')[0]) === K6_MAJOR) {
      log(`using k6 v${version} from PATH (${candidate})`);
      return candidate;
    }
    log(`ignoring ${candidate}: it is ${version === undefined ? 'not a working k6' : `k6 v${version}`}, the project needs k6 v${K6_MAJOR}`);
  }

  const cached = cachedK6Path(env);
  const cachedVersion = await k6Version(cached, env);
  if (cachedVersion === K6_VERSION) {
    log(`using cached k6 v${K6_VERSION} (${cached})`);
    return cached;
  }

  const go = onPath('go', env)[0];
  if (go === undefined) {
    throw new CliError(`ensure-k6: no k6 v${K6_MAJOR} on PATH and no Go toolchain to build k6 v${K6_VERSION}`, {
      note:
        `install k6 v${K6_MAJOR} (https://grafana.com/docs/k6/latest/set-up/install-k6/) and put it on PATH, ` +
        `or install Go 1.25 or newer (https://go.dev/dl/) and run \`npm run ensure-k6\` again to build k6 into ${path.dirname(cached)}`,
    });
  }
  await buildK6(go, cached, env, log);
  return cached;
}

async function buildK6(go: string, destination: string, env: ProcessEnv, log: Log): Promise<void> {
  mkdirSync(path.dirname(destination), { recursive: true });
  // Build into a private folder and rename at the end, so a concurrent or interrupted build never
  // leaves a half-written binary where the next run would pick it up.
  const work = mkdtempSync(path.join(path.dirname(destination), '.build-'));
  const goEnv = { ...env, GOBIN: work, GOFLAGS: '-mod=readonly' } as NodeJS.ProcessEnv;
  try {
    log(`building k6 v${K6_VERSION} with \`go install ${K6_MODULE}@v${K6_VERSION}\`; the first build takes a few minutes`);
    const installed = await run(go, ['install', `${K6_MODULE}@v${K6_VERSION}`], { env: goEnv });
    if (!installed.ok) {
      // `go install m@v` also asks the proxy for m's version list to look for a deprecation notice;
      // a proxy that serves the version but not the list (seen here) makes it fail. Building the
      // module from its downloaded source needs neither.
      log(`go install failed (${installed.lastLine}); building from the module source instead`);
      const download = await run(go, ['mod', 'download', '-json', `${K6_MODULE}@v${K6_VERSION}`], { env: goEnv, capture: true });
      const dir = download.ok ? (JSON.parse(download.stdout) as { Dir?: string }).Dir : undefined;
      if (dir === undefined) throw new CliError(`ensure-k6: could not download ${K6_MODULE}@v${K6_VERSION}: ${download.lastLine}`);
      const built = await run(go, ['build', '-trimpath', '-o', path.join(work, 'k6'), '.'], { env: goEnv, cwd: dir });
      if (!built.ok) throw new CliError(`ensure-k6: building k6 v${K6_VERSION} failed: ${built.lastLine}`);
    }
    const version = await k6Version(path.join(work, 'k6'), env);
    if (version !== K6_VERSION) throw new CliError(`ensure-k6: the built k6 reports version \`${version ?? 'none'}\`: expected ${K6_VERSION}`);
    renameSync(path.join(work, 'k6'), destination);
    log(`built k6 v${K6_VERSION} (${destination})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface RunResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly lastLine: string;
}

/** Runs a program with arguments (no shell); its stderr streams through to ours as progress. */
function run(program: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; capture?: boolean }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!options.capture) process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', (error) => resolve({ ok: false, stdout, lastLine: error.message }));
    child.on('close', (code) => {
      const lines = stderr.trim().split('\n');
      resolve({ ok: code === 0, stdout, lastLine: lines[lines.length - 1] ?? `exit code ${code}` });
    });
  });
}
