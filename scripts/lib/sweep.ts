/**
 * The sweep engine behind `npm run sweep` and `npm run matrix`: a series of k6 runs (cells: a load
 * level, optionally at a replica count) against one target, each with cluster (or process) captures
 * before, during and after, a manifest rewritten atomically after every change, Ctrl-C that keeps
 * every finished level, and `--resume`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli as analyzeCli } from '../../analysis/cli.ts';
import { writeAtomically } from '../../analysis/io.ts';
import { MANIFEST_KIND, MANIFEST_SCHEMA_VERSION, type Cell, type HostInfo, type Manifest, type ManifestLevel, type ResumeRecord, type SweepPlan } from '../../analysis/model/manifest.ts';
import { parseDuration } from '../../lib/config.ts';
import { ScenarioError } from '../../lib/errors.ts';
import { planScenario } from '../../lib/plan.ts';
import { SCENARIOS } from '../../lib/scenarios.ts';
import { totalSeconds } from '../../lib/schedule.ts';
import { utcStamp } from '../../lib/tags.ts';
import { buildScenarios } from '../build.ts';
import { CaptureLog, every, loadgenCapturer, type Capturer } from './capture.ts';
import { cpuQuantity, driverFor, memoryQuantity, type Preflight } from './drivers/driver.ts';
import { CliError, repoRoot } from './cli.ts';
import { checkDisruptions, disruptionCapture, runDisruptions } from './disruptions.ts';
import { ensureK6, k6Version } from './k6.ts';
import { ProcessRegistry, stopRecorded } from './process-registry.ts';
import { parentDeathGuard, startK6 } from './processes.ts';
import { clock, type ProgressSink } from './progress.ts';
import type { Target } from './targets.ts';

export type { Cell, SweepPlan };

export interface SweepOptions {
  readonly target: Target;
  readonly plan: SweepPlan;
  readonly outDir: string;
  /** Secret k6 variables, passed to k6 through its environment only. */
  readonly secretVars: Readonly<Record<string, string>>;
  /** The command line as typed, secrets already redacted. */
  readonly commandLine: readonly string[];
  readonly resume: boolean;
  /** The command as messages name it (`demo`); default the plan's mode. */
  readonly name?: string;
  /** The first line once the run directory and the levels are checked; default `sweep: writing DIR`. */
  readonly announce?: string;
  /** When `outDir` already holds a sweep: move it aside (true) or stop before any load (false, the default). */
  readonly force?: boolean;
  /** Aborting it stops the sweep as Ctrl-C does; its `reason` (`SIGINT`, `SIGTERM`) is recorded. */
  readonly signal: AbortSignal;
  /** Aborting it after `signal` (a second Ctrl-C) kills k6 at once instead of waiting for it. */
  readonly hardStop?: AbortSignal;
  /** How long k6 may take to stop after `signal` before it is killed (default 15 s). */
  readonly stopGraceMs?: number;
  readonly progress: ProgressSink;
  /** Runs the analysis at the end (the CLI does; tests that only look at the manifest may not). */
  readonly analyze?: boolean;
}

export interface SweepResult {
  readonly outDir: string;
  readonly manifest: ManifestFile;
  readonly interrupted: boolean;
  readonly reportDir: string | null;
}

/** The manifest as the sweep writes it: the shared schema, with the fields a sweep always fills. */
export type ManifestFile = Manifest & { plan: SweepPlan; preflight: { metrics: string; notes: string[] }; host: HostInfo };

const K6_EXIT_MEANINGS: Readonly<Record<number, string>> = {
  104: 'invalid configuration',
  105: 'stopped from outside',
  107: 'script exception',
  108: 'test aborted, e.g. a bad scenario variable',
  255: 'the script could not be loaded',
};

/** Cell ids: `tps-50`; in a matrix `r4-tps-50`, `cpu500m-mem256Mi-r2-tps-50` (tier, replicas, level). */
export function cellId(level: number, replicas: number | null, size: { cores?: number | null; memoryBytes?: number | null } = {}): string {
  const tps = `tps-${Number.isInteger(level) ? level : String(level).replace('.', '_')}`;
  const parts = [
    ...(size.cores === undefined || size.cores === null ? [] : [`cpu${cpuQuantity(size.cores)}`]),
    ...(size.memoryBytes === undefined || size.memoryBytes === null ? [] : [`mem${memoryQuantity(size.memoryBytes)}`]),
    ...(replicas === null ? [] : [`r${replicas}`]),
    tps,
  ];
  return parts.join('-');
}

export function writeManifest(outDir: string, manifest: ManifestFile): void {
  manifest.updated_at = new Date().toISOString();
  // A crash leaves the old manifest or the new one, never half of one.
  writeAtomically(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifestFile(outDir: string): ManifestFile {
  const file = path.join(outDir, 'manifest.json');
  if (!existsSync(file)) throw new CliError(`sweep: no manifest.json in \`${outDir}\`: expected the folder of an earlier sweep`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as ManifestFile;
  if (manifest.kind !== MANIFEST_KIND || manifest.plan === undefined) {
    throw new CliError(`sweep: \`${file}\` is not a k6-capacity sweep manifest that can be resumed`);
  }
  return manifest;
}

function toolVersion(): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The machine the sweep (and k6) runs on. */
export function hostInfo(): HostInfo {
  const cpus = os.cpus();
  return { cores: cpus.length, memory_bytes: os.totalmem(), cpu_model: cpus[0]?.model.trim() ?? null, platform: `${process.platform} ${process.arch}` };
}

/**
 * What in `outDir` says a sweep was already written there: its manifest, or level folders (a folder
 * named like a planned cell, or holding k6 output or a summary). `null` when there is none.
 */
export function existingSweep(outDir: string, plan: SweepPlan): string | null {
  if (!existsSync(outDir)) return null;
  if (existsSync(path.join(outDir, 'manifest.json'))) return 'manifest.json';
  const cells = new Set(plan.cells.map((cell) => cell.id));
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (cells.has(entry.name)) return `the level folder ${entry.name}/`;
    const inside = readdirSync(path.join(outDir, entry.name));
    if (inside.some((name) => /^(k6\.(json|csv)(\.gz)?|summary\.json)$/.test(name))) return `the level folder ${entry.name}/`;
  }
  return null;
}

/**
 * Refuses to write over an earlier sweep: every finished level is somebody's hour of load. With
 * `force`, the old folder is moved aside (never deleted) and its new name returned.
 */
export function claimOutDir(outDir: string, plan: SweepPlan, options: { force: boolean; name: string; say: (line: string) => void }): string | null {
  const { force, name, say } = options;
  const found = existingSweep(outDir, plan);
  if (found === null) return null;
  const shown = path.relative(process.cwd(), outDir) || '.';
  if (!force) {
    // The demo has no --resume of its own: its run directory is a matrix's.
    const resume = name === 'demo' ? `npm run matrix -- --resume ${shown}` : `--resume ${shown}`;
    throw new CliError(`${name}: \`${shown}\` already holds a sweep (${found}): use \`${resume}\` to continue it, or a new \`--out\``);
  }
  const aside = `${outDir}.replaced-${utcStamp(new Date())}`;
  renameSync(outDir, aside);
  say(`${name}: --force: moved the sweep that was in ${shown} to ${path.relative(process.cwd(), aside)}`);
  return aside;
}

/**
 * Checks every level's k6 variables exactly as the scenario will (lib/plan.ts) before anything runs:
 * a bad value, or a VU pool beyond the bound, is refused here rather than after the levels before it.
 * Scenarios of the user's own (not in lib/scenarios.ts) are checked by k6 itself. Returns each level's
 * planned length in ms (a soak's `WARMUP` included), for the progress line and the `--disrupt` times;
 * empty for those scenarios (their levels are taken to run `--duration`).
 */
export function checkLevels(plan: SweepPlan, cells: readonly Cell[], baseUrl: string, command: string = plan.mode): Map<string, number> {
  const planned = new Map<string, number>();
  if (!Object.hasOwn(SCENARIOS, plan.scenario)) return planned;
  const name = plan.scenario as keyof typeof SCENARIOS;
  const clock = { now: new Date(0), random: 0 };
  for (const cell of cells) {
    const env = { ...plan.vars, BASE_URL: baseUrl, TPS: String(cell.level), DURATION: plan.duration, SUMMARY_PATH: 'none' };
    try {
      // One call per definition: each has its own config type.
      const scenario =
        name === 'constant'
          ? planScenario(SCENARIOS.constant(), env, clock)
          : name === 'ramp'
            ? planScenario(SCENARIOS.ramp(), env, clock)
            : name === 'stress'
              ? planScenario(SCENARIOS.stress(), env, clock)
              : planScenario(SCENARIOS.soak(), env, clock);
      planned.set(cell.id, totalSeconds(scenario.schedule) * 1000);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      throw new CliError(`${command}: level \`${cell.id}\` would not run: ${error.message.split('\n').join('; ')}`, {
        note: 'nothing was sent; change the level or the variable (`--env NAME=value`)',
      });
    }
  }
  return planned;
}

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const { target, plan, outDir, progress, signal } = options;
  const stopGraceMs = options.stopGraceMs ?? 15_000;
  const say = (line: string): void => progress.log(line);

  // --- before anything runs: the run directory is ours, every level can run -------------------
  const name = options.name ?? plan.mode;
  if (!options.resume) claimOutDir(outDir, plan, { force: options.force === true, name, say });
  const registry = new ProcessRegistry(outDir);
  let resumeRecord: ResumeRecord | null = null;
  if (options.resume) resumeRecord = await stopSurvivors(registry, plan, stopGraceMs, say);
  const earlier = options.resume ? readManifestFile(outDir) : null;
  const pendingCells = earlier === null ? plan.cells : plan.cells.filter((cell) => !isFinished(earlier.levels.find((l) => l.id === cell.id)));
  const plannedMs = checkLevels(plan, pendingCells, target.kind === 'process' ? 'http://127.0.0.1:18080' : target.baseUrl, name);
  const durationMs = (parseDuration(plan.duration)?.seconds ?? 0) * 1000;
  const driver = driverFor(target, { say, signal, registry });
  const disruptions = plan.disruptions ?? [];
  checkDisruptions(disruptions, { command: name, target, disruptor: driver, cells: pendingCells, plannedMs, durationMs });
  say(options.announce ?? `${name}: ${options.resume ? 'resuming' : 'writing'} ${path.relative(process.cwd(), outDir) || '.'}`);

  // --- preflight ------------------------------------------------------------------------------
  const k6 = await ensureK6({ log: (line) => say(`ensure-k6: ${line}`) });
  const version = (await k6Version(k6)) ?? null;
  await buildScenarios();
  const script = path.join(repoRoot, 'dist', `${plan.scenario}.js`);
  if (!existsSync(script)) throw new CliError(`sweep: scenario \`${plan.scenario}\` does not exist: expected one of scenarios/*.ts`);
  const preflight: Preflight = { metrics: 'not applicable', notes: [] };
  await driver.prepare(preflight);
  if (parentDeathGuard() === null) {
    preflight.notes.push('setpriv (util-linux) not found: k6 and the sample service do not stop by themselves if the sweep is killed; `--resume` stops them');
    say(`${plan.mode}: WARNING ${preflight.notes[preflight.notes.length - 1]}`);
  }

  // --- manifest ---------------------------------------------------------------------------------
  mkdirSync(outDir, { recursive: true });
  registry.add('sweep', process.pid);
  const sweepId = path.basename(outDir);
  let manifest: ManifestFile;
  if (earlier !== null) {
    manifest = { ...earlier, preflight, k6_version: version, host: hostInfo() };
    for (const level of manifest.levels) {
      if (level.status === 'running' || level.status === 'interrupted') {
        // `running` in a manifest nobody writes any more: the sweep died during the level.
        level.reason = level.status === 'running' ? 'the sweep stopped during this level without finishing it (killed or crashed); run again by --resume' : null;
        level.status = 'pending';
      }
    }
    if (resumeRecord !== null) manifest.resumes = [...(manifest.resumes ?? []), resumeRecord];
  } else {
    manifest = {
      kind: MANIFEST_KIND,
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      id: sweepId,
      target: {
        name: target.name,
        kind: target.kind,
        base_url: target.kind === 'process' ? null : target.baseUrl,
        resources: {
          cores: target.resources?.cores ?? null,
          memory_bytes: target.resources?.memoryBytes ?? null,
          replicas: target.kind === 'process' && target.autoscale === null ? target.replicas : null,
          nodes: target.resources?.nodes ?? null,
        },
        ...(target.kind === 'process' && target.autoscale !== null
          ? {
              autoscale: {
                min_replicas: target.autoscale.minReplicas,
                max_replicas: target.autoscale.maxReplicas,
                target_cpu_utilization_percent: target.autoscale.targetCPUUtilizationPercentage,
                sync_period_s: target.autoscale.syncPeriodSeconds,
                scale_down_stabilization_s: target.autoscale.scaleDownStabilizationSeconds,
              },
            }
          : {}),
      },
      scenario: plan.scenario,
      duration: plan.duration,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      k6_version: version,
      tool_version: toolVersion(),
      command: options.commandLine,
      preflight,
      plan,
      host: hostInfo(),
      levels: plan.cells.map((cell) => ({
        id: cell.id,
        level: cell.level,
        replicas: cell.replicas,
        resources:
          (cell.cores ?? null) === null && (cell.memory_bytes ?? null) === null ? null : { cores: cell.cores ?? null, memory_bytes: cell.memory_bytes ?? null, enforced: null, reason: null },
        status: 'pending',
        run_id: `${sweepId}-${cell.id}`,
        started_at: null,
        ended_at: null,
        exit_code: null,
        reason: null,
      })),
    };
  }
  writeManifest(outDir, manifest);

  // --- the levels ---------------------------------------------------------------------------------
  const todo = manifest.levels.filter((level) => level.status === 'pending');
  if (resumeRecord !== null) {
    resumeRecord.levels = todo.map((level) => level.id);
    writeManifest(outDir, manifest);
  }
  const started = Date.now();
  const finishedMs: number[] = [];
  let interrupted = false;
  const stoppedBy = (): string => `stopped by ${typeof signal.reason === 'string' ? signal.reason : 'Ctrl-C (SIGINT) or SIGTERM'}`;

  try {
    for (const [index, level] of todo.entries()) {
      if (signal.aborted) {
        interrupted = true;
        break;
      }
      // The cell's shape: the driver starts, scales or resizes the target when it changes.
      const cell = plan.cells.find((c) => c.id === level.id);
      const applied = await driver.apply({ replicas: level.replicas, cores: cell?.cores ?? null, memoryBytes: cell?.memory_bytes ?? null });
      level.resources = applied.resources;
      if (applied.changed && index > 0 && plan.cooldown_ms > 0) await sleep(plan.cooldown_ms, signal);
      const baseUrl = applied.baseUrl;
      if (index === 0 || applied.changed) {
        if (!plan.skip_health_wait) await waitHealthy(`${baseUrl}${target.healthPath}`, plan.health_timeout_ms, signal, say);
        if (index === 0 && !plan.skip_data && target.dataHook !== null) await runDataHook(target.dataHook, baseUrl, say);
      }
      if (signal.aborted) {
        interrupted = true;
        break;
      }

      // One level: captures before, k6 with periodic captures, captures after.
      const dir = path.join(outDir, level.id);
      keepEarlierAttempt(dir, say);
      mkdirSync(dir, { recursive: true });
      level.status = 'running';
      level.started_at = new Date().toISOString();
      level.ended_at = null;
      level.exit_code = null;
      level.reason = null;
      if (disruptions.length > 0) level.disruptions = [];
      else delete level.disruptions;
      writeManifest(outDir, manifest);
      const log = new CaptureLog(dir);
      const targetCapturer = driver.capturer(log);
      await targetCapturer.capture('before');
      const levelStart = Date.now();
      const levelMs = plannedMs.get(level.id) ?? durationMs;
      let disrupted = '';
      const ticker = setInterval(() => {
        const done = finishedMs.length > 0 ? finishedMs.reduce((a, b) => a + b, 0) / finishedMs.length : levelMs + plan.pause_ms;
        const left = done * (todo.length - index - 1) + Math.max(0, levelMs - (Date.now() - levelStart));
        progress.update(
          `${plan.mode} ${index + 1}/${todo.length} ${level.id} · ${clock(Date.now() - levelStart)}/${clock(levelMs)} · elapsed ${clock(Date.now() - started)} · ~${clock(left)} left${disrupted}`,
        );
      }, 1000);
      const k6run = startK6({
        k6,
        script,
        vars: {
          ...plan.vars,
          BASE_URL: baseUrl,
          TPS: String(level.level),
          DURATION: plan.duration,
          RUN_ID: level.run_id ?? `${sweepId}-${level.id}`,
          TARGET: target.name,
          SUMMARY_PATH: path.join(dir, 'summary.json'),
        },
        secretVars: options.secretVars,
        jsonOut: path.join(dir, 'k6.json.gz'),
        extraArgs: level.replicas === null ? [] : ['--tag', `replicas=${level.replicas}`],
        cwd: dir,
        // Its own process group: Ctrl-C reaches k6 once, from us, so it can stop cleanly and still
        // write its summary (a second SIGINT would make k6 quit at once).
        detached: true,
      });
      // TIME of --disrupt counts from k6's start (`levelStart`), as the level's clock on the progress line does.
      const disrupting = runDisruptions(disruptions, {
        startMs: levelStart,
        disruptor: driver,
        signal,
        record: (disruption, outcome) => {
          // Recorded the moment it is done: a crash later in the level keeps it.
          (level.disruptions ??= []).push(disruption);
          writeManifest(outDir, manifest);
          log.append(disruptionCapture(disruption, outcome));
          const at = clock(Date.parse(disruption.time) - levelStart);
          disrupted = ` · ${disruption.ok ? 'disrupted' : 'failed to disrupt:'} ${disruption.kind} at ${at}`;
          say(`${plan.mode}: ${level.id}: ${disruption.kind} at ${at}${disruption.ok ? '' : ' FAILED'} — ${disruption.detail}`);
        },
      });
      const k6pid = k6run.child.pid ?? 0;
      registry.add('k6', k6pid, level.id);
      // k6's own CPU and memory beside the target's: a saturated generator must not pass for a
      // saturated target.
      const capturer = combine(targetCapturer, loadgenCapturer(k6pid, log));
      const periodic = every(capturer, plan.snapshot_interval_ms);
      let killed = false;
      let graceTimer: NodeJS.Timeout | undefined;
      const kill = (): void => {
        if (k6run.child.exitCode !== null || k6run.child.signalCode !== null) return;
        killed = true;
        k6run.child.kill('SIGKILL');
      };
      const onAbort = (): void => {
        k6run.child.kill('SIGINT');
        // k6 stops its iterations and writes its summary; one that hangs is killed after the grace.
        graceTimer = setTimeout(kill, stopGraceMs);
      };
      signal.addEventListener('abort', onAbort);
      options.hardStop?.addEventListener('abort', kill);
      if (signal.aborted) onAbort();
      let result: Awaited<typeof k6run.done>;
      try {
        result = await k6run.done;
      } finally {
        // A disruption whose time has not come when k6 ends is not done.
        await disrupting.stop();
      }
      signal.removeEventListener('abort', onAbort);
      options.hardStop?.removeEventListener('abort', kill);
      clearTimeout(graceTimer);
      registry.remove(k6pid);
      clearInterval(ticker);
      progress.done();
      await periodic.stop();
      await targetCapturer.capture('after');

      level.ended_at = new Date().toISOString();
      level.exit_code = result.exitCode;
      if (signal.aborted) {
        level.status = 'interrupted';
        level.reason = killed
          ? `${stoppedBy()}; k6 did not stop within ${Math.round(stopGraceMs / 1000)} s and was killed (its summary may be missing)`
          : stoppedBy();
        interrupted = true;
      } else if (result.exitCode === 0) {
        level.status = 'ok';
      } else if (result.exitCode === 99) {
        level.status = 'thresholds-failed';
      } else {
        level.status = 'error';
        const lastLine = result.stderr.trim().split('\n').pop() ?? '';
        level.reason = `k6 exited with code ${result.exitCode}${K6_EXIT_MEANINGS[result.exitCode] === undefined ? '' : ` (${K6_EXIT_MEANINGS[result.exitCode]})`}${lastLine === '' ? '' : `: ${lastLine.slice(0, 300)}`}`;
      }
      writeManifest(outDir, manifest);
      finishedMs.push(Date.now() - levelStart + plan.pause_ms);
      say(`${plan.mode}: ${level.id} ${level.status}${level.reason === null ? '' : ` — ${level.reason}`} (${index + 1}/${todo.length}, elapsed ${clock(Date.now() - started)})`);
      if (interrupted) break;
      const next = todo[index + 1];
      if (next !== undefined && next.replicas === level.replicas && plan.pause_ms > 0) await sleep(plan.pause_ms, signal);
    }
  } finally {
    await driver.stop();
    if (signal.aborted) interrupted = true;
    writeManifest(outDir, manifest);
    registry.clear();
  }

  if (interrupted) {
    say(`${plan.mode}: interrupted; finished levels are kept in ${outDir}`);
    return { outDir, manifest, interrupted, reportDir: null };
  }
  let reportDir: string | null = null;
  if (options.analyze !== false) {
    const analysis = await analyzeCli([outDir], { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), cwd: process.cwd() });
    reportDir = analysis.outDir;
  }
  return { outDir, manifest, interrupted, reportDir };
}

function isFinished(level: ManifestLevel | undefined): boolean {
  return level !== undefined && (level.status === 'ok' || level.status === 'thresholds-failed' || level.status === 'error' || level.status === 'skipped');
}

/**
 * `--resume` after a crash: the earlier attempt's sweep must be gone, and any k6 or sample service it
 * left running (recorded PIDs, checked to be ours) is stopped before this one sends load.
 */
async function stopSurvivors(registry: ProcessRegistry, plan: SweepPlan, graceMs: number, say: (line: string) => void): Promise<ResumeRecord> {
  const survivors = registry.survivors();
  const sweep = survivors.find((entry) => entry.role === 'sweep');
  if (sweep !== undefined && sweep.pid !== process.pid) {
    throw new CliError(`${plan.mode}: a sweep is still running in this folder (PID ${sweep.pid}): stop it (Ctrl-C) or wait for it before --resume`);
  }
  const stopped: ResumeRecord['stopped'] = [];
  for (const entry of survivors.filter((e) => e.role !== 'sweep')) {
    const how = await stopRecorded(entry, graceMs);
    say(`${plan.mode}: --resume: ${entry.role} PID ${entry.pid}${entry.level === null ? '' : ` (level ${entry.level})`} of the earlier attempt was still running: ${how}`);
    stopped.push({ role: entry.role, pid: entry.pid });
  }
  registry.prune();
  return { at: new Date().toISOString(), levels: [], stopped };
}

/**
 * A level run again (by --resume) may hold the interrupted attempt's partial output: it is kept in
 * `previous-attempts/<time>/` inside the level folder, never overwritten.
 */
function keepEarlierAttempt(dir: string, say: (line: string) => void): void {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir).filter((name) => name !== 'previous-attempts');
  if (files.length === 0) return;
  const aside = path.join(dir, 'previous-attempts', utcStamp(new Date()));
  mkdirSync(aside, { recursive: true });
  for (const name of files) renameSync(path.join(dir, name), path.join(aside, name));
  say(`sweep: kept the earlier attempt's files of ${path.basename(dir)} in ${path.relative(process.cwd(), aside)}`);
}

function combine(...capturers: Capturer[]): Capturer {
  return {
    async capture(phase) {
      for (const capturer of capturers) await capturer.capture(phase);
    },
  };
}

/** Polls `url` until it answers 2xx; throws after `timeoutMs` with the last answer. */
export async function waitHealthy(url: string, timeoutMs: number, signal: AbortSignal, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let told = false;
  while (!signal.aborted) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      last = cause?.code ?? cause?.message ?? (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new CliError(`sweep: \`${url}\` is not healthy after ${Math.round(timeoutMs / 1000)} s: last answer ${last}`, {
        note: 'check the target, raise --health-timeout, or pass --skip-health-wait',
      });
    }
    if (!told) {
      say(`sweep: waiting for ${url} to answer 2xx (up to ${Math.round(timeoutMs / 1000)} s)…`);
      told = true;
    }
    await sleep(1000, signal);
  }
}

function runDataHook(argv: readonly string[], baseUrl: string, say: (line: string) => void): Promise<void> {
  const [program, ...args] = argv;
  say(`sweep: loading data: ${argv.join(' ')}`);
  return new Promise((resolve, reject) => {
    execFile(program as string, args, { env: { ...process.env, BASE_URL: baseUrl }, maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new CliError(`sweep: data hook \`${argv.join(' ')}\` failed (${error.code ?? error.message}): ${firstLine(String(stderr))}`, { note: 'fix the hook or pass --skip-data' }));
    });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
