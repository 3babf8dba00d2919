/**
 * Cluster (or process) state beside the k6 output: raw command outputs with their capture time,
 * appended to `<level>/snapshots/captures.jsonl` — the capture log the analysis reads
 * (analysis/snapshots/index.ts): `{"captured_at", "kind", "command", "exit_code", "stdout", "stderr"}`.
 * Nothing is parsed or summarised here: the raw output is the record.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Kubectl, KubectlResult } from './kubectl.ts';
import { ProcSampler, sampleCgroups, type LimitSource, type Replica } from './proc-sampler.ts';

export type CapturePhase = 'before' | 'during' | 'after';

export interface CaptureRecord {
  readonly captured_at: string;
  readonly kind: string;
  readonly phase: CapturePhase;
  readonly command: readonly string[];
  readonly exit_code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class CaptureLog {
  readonly file: string;

  constructor(levelDir: string) {
    mkdirSync(path.join(levelDir, 'snapshots'), { recursive: true });
    this.file = path.join(levelDir, 'snapshots', 'captures.jsonl');
  }

  append(record: CaptureRecord): void {
    // One line per record, appended whole: a crash never leaves a half-written record mid-file.
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}

/** Takes captures for one level: once before, every interval during, once after. */
export interface Capturer {
  capture(phase: CapturePhase): Promise<void>;
}

/** Runs `capture('during')` every `intervalMs` until stopped; captures never overlap. */
export function every(capturer: Capturer, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : capturer.capture('during')));
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

interface KubectlCommand {
  readonly kind: string;
  readonly args: readonly string[];
  readonly namespaced: boolean;
  readonly phases: readonly CapturePhase[];
}

/**
 * What is captured from a cluster. `top` needs metrics-server: when the preflight found it missing,
 * `top` is still run once before each level, so the report can say why resource data is missing.
 */
export function kubernetesCommands(options: { selector: string | null; metricsAvailable: boolean }): KubectlCommand[] {
  const selector = options.selector === null ? [] : ['-l', options.selector];
  const topPhases: CapturePhase[] = options.metricsAvailable ? ['before', 'during', 'after'] : ['before'];
  return [
    { kind: 'top-pods', args: ['top', 'pods', ...selector], namespaced: true, phases: topPhases },
    { kind: 'top-nodes', args: ['top', 'nodes'], namespaced: false, phases: topPhases },
    { kind: 'hpa-json', args: ['get', 'hpa', '-o', 'json'], namespaced: true, phases: ['before', 'during', 'after'] },
    // During too: a pod replaced or restarted between two captures is a disruption (model/resilience.ts).
    { kind: 'pods-wide', args: ['get', 'pods', '-o', 'wide', ...selector], namespaced: true, phases: ['before', 'during', 'after'] },
    { kind: 'events', args: ['get', 'events', '--sort-by=.lastTimestamp'], namespaced: true, phases: ['before', 'after'] },
  ];
}

export function kubernetesCapturer(kubectl: Kubectl, log: CaptureLog, commands: readonly KubectlCommand[]): Capturer {
  return {
    async capture(phase) {
      for (const command of commands.filter((c) => c.phases.includes(phase))) {
        const capturedAt = new Date();
        const result: KubectlResult = await kubectl.run(command.args, { namespaced: command.namespaced });
        log.append({
          captured_at: capturedAt.toISOString(),
          kind: command.kind,
          phase,
          command: result.argv,
          exit_code: result.exitCode,
          stdout: result.stdout,
          stderr: result.stderr,
        });
      }
    },
  };
}

/**
 * The local sample service's replica processes, sampled from /proc. The sampler outlives the level
 * (it is made when the service starts and read once then), so even the `before` record covers a
 * CPU window of its own. With `limits` (the running service) and limits enforced, each capture also
 * writes a `cgroup` record: the replicas' limits, throttling, memory and OOM kills from their cgroups.
 */
export function processCapturer(replicas: () => readonly Replica[], log: CaptureLog, sampler: ProcSampler, limits?: LimitSource): Capturer {
  return {
    async capture(phase) {
      const capturedAt = new Date();
      const { json } = sampler.sample(replicas(), capturedAt.getTime());
      log.append({
        captured_at: capturedAt.toISOString(),
        kind: 'process',
        phase,
        command: ['proc-sampler', ...replicas().map((r) => String(r.pid))],
        exit_code: 0,
        stdout: json,
        stderr: '',
      });
      const limited = limits?.limitedReplicas() ?? [];
      if (limited.length === 0) return;
      const cgroupAt = new Date();
      log.append({
        captured_at: cgroupAt.toISOString(),
        kind: 'cgroup',
        phase,
        command: ['cgroup-sampler', ...limited.flatMap((r) => (r.cgroup.version === 2 ? [r.cgroup.dir] : [r.cgroup.cpu, r.cgroup.memory]))],
        exit_code: 0,
        stdout: sampleCgroups(limited).json,
        stderr: '',
      });
    },
  };
}

/**
 * The load generator itself: k6's CPU and RSS from /proc, as a PodMetricsList with one "pod" `k6` in
 * the namespace `loadgen` (capture kind `loadgen`, so the analysis never counts it as the target).
 * Read only while k6 runs; the first reading is taken now, so the first capture has a window.
 */
export function loadgenCapturer(pid: number, log: CaptureLog): Capturer {
  const sampler = new ProcSampler('loadgen');
  const k6 = [{ name: 'k6', pid }];
  sampler.sample(k6);
  return {
    async capture(phase) {
      const capturedAt = new Date();
      const { json, pods } = sampler.sample(k6, capturedAt.getTime());
      if (pods === 0) return;
      log.append({ captured_at: capturedAt.toISOString(), kind: 'loadgen', phase, command: ['proc-sampler', String(pid)], exit_code: 0, stdout: json, stderr: '' });
    },
  };
}

export const NO_CAPTURE: Capturer = { capture: async () => undefined };
