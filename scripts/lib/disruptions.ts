/**
 * `--disrupt KIND[:WHICH]@TIME`: the sweep disrupts the target at a time into every level (a replica
 * killed, a pod deleted) and records exactly what it did and when, so the analysis can measure the
 * error window and the recovery from k6's own samples. Parsed and checked here before any load; done
 * by the target's driver (which knows how); recorded by the sweep in the manifest level and the
 * level's capture log.
 */
import { parseDuration } from '../../lib/config.ts';
import { DISRUPTION_KINDS, type Disruption, type DisruptionKind, type PlannedDisruption } from '../../analysis/model/manifest.ts';
import type { CaptureRecord } from './capture.ts';
import { CliError } from './cli.ts';

export type { Disruption, DisruptionKind, PlannedDisruption };
export { DISRUPTION_KINDS };

/** What a driver did for one disruption: the record's fields, and the command's raw result for the capture log. */
export interface DisruptionOutcome {
  readonly target: string | null;
  readonly pid: number | null;
  readonly ok: boolean;
  readonly detail: string;
  /** What was run (`kubectl … delete pod …`; `kill -KILL <pid>` for a replica); empty when nothing was. */
  readonly command: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What can perform disruptions: a target driver. */
export interface Disruptor {
  /** The kinds this target can be disrupted with; empty when none. */
  readonly disruptionKinds: readonly DisruptionKind[];
  /**
   * Why `disruption` cannot be done in the cell `cell` (a replica index beyond its replicas, no way to
   * choose a pod), as the rest of a message after the flag; `null` when it can.
   */
  checkDisruption(disruption: PlannedDisruption, cell: { readonly id: string; readonly replicas: number | null }): string | null;
  /** Does it now. A failure of the target is an outcome with `ok: false`, never a throw. */
  disrupt(disruption: PlannedDisruption): Promise<DisruptionOutcome>;
}

// Pod names are DNS subdomains (RFC 1123): lowercase letters, digits, '-' and '.', at most 253 characters.
const POD_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_POD_NAME = 253;

/** `kill-replica@30s`, `kill-replica:1@1m30s`, `delete-pod:inference-7d9f8b6c5-x2x8q@45s` → a planned disruption. */
export function parseDisruption(command: string, raw: string): PlannedDisruption {
  const subject = `${command}: \`--disrupt\` is \`${raw}\``;
  const match = /^([^:@]+)(?::([^@]*))?@(.*)$/.exec(raw);
  if (match === null) throw new CliError(`${subject}: expected KIND@TIME such as \`kill-replica@30s\` or \`delete-pod@1m30s\``);
  const [, kind = '', which, time = ''] = match;
  if (!(DISRUPTION_KINDS as readonly string[]).includes(kind)) {
    throw new CliError(`${subject}: unknown kind \`${kind}\`: expected ${DISRUPTION_KINDS.map((k) => `\`${k}\``).join(' or ')}`);
  }
  const duration = parseDuration(time);
  if (duration === undefined) throw new CliError(`${subject}: expected a time into the level after \`@\`, a k6 duration such as \`30s\` or \`1m30s\``);
  if (which === undefined) return { kind: kind as DisruptionKind, at_s: duration.seconds, which: null };
  if (kind === 'kill-replica') {
    if (!/^\d{1,4}$/.test(which)) throw new CliError(`${subject}: expected a replica index (0, 1, …) after \`kill-replica:\``);
    return { kind, at_s: duration.seconds, which: Number(which) };
  }
  if (which.length > MAX_POD_NAME || !POD_NAME.test(which)) {
    throw new CliError(`${subject}: \`${which}\` is not a pod name: expected a Kubernetes name (lowercase letters, digits, '-' and '.', at most ${MAX_POD_NAME})`);
  }
  return { kind: 'delete-pod', at_s: duration.seconds, which };
}

/**
 * Every `--disrupt` of a command line, in time order (a stable sort: the order given for equal times).
 * The same one twice is allowed: `delete-pod@30s` twice deletes two pods at once, the first Running
 * one being Terminating by the second.
 */
export function parseDisruptions(command: string, raws: readonly string[]): PlannedDisruption[] {
  return raws.map((raw) => parseDisruption(command, raw)).sort((a, b) => a.at_s - b.at_s);
}

/** The flag's value again, from a plan (replica 0 spelled as it was: `kill-replica:0@…` when given). */
export function disruptionText(disruption: PlannedDisruption): string {
  return `${disruption.kind}${disruption.which === null ? '' : `:${disruption.which}`}@${durationText(disruption.at_s)}`;
}

/**
 * Checks the plan's disruptions against the target and every level before any load: a kind the
 * target cannot do, a time at or after a level's planned end (`plannedMs`, else `durationMs`), what
 * the driver refuses (a replica that a level does not have). Throws the first problem as a CliError.
 */
export function checkDisruptions(
  disruptions: readonly PlannedDisruption[],
  options: {
    readonly command: string;
    readonly target: { readonly name: string; readonly kind: string };
    readonly disruptor: Disruptor;
    readonly cells: readonly { readonly id: string; readonly replicas: number | null }[];
    readonly plannedMs: ReadonlyMap<string, number>;
    readonly durationMs: number;
  },
): void {
  const { command, target, disruptor, cells, plannedMs, durationMs } = options;
  for (const disruption of disruptions) {
    const flag = `\`--disrupt ${disruptionText(disruption)}\``;
    if (!disruptor.disruptionKinds.includes(disruption.kind)) {
      const kinds = disruptor.disruptionKinds;
      throw new CliError(
        `${command}: ${flag} does not fit target \`${target.name}\`, a ${target.kind} target: ${kinds.length === 0 ? 'it has nothing to disrupt; drop `--disrupt`' : `expected ${kinds.map((k) => `\`${k}\``).join(' or ')}`}`,
      );
    }
    for (const cell of cells) {
      const levelMs = plannedMs.get(cell.id) ?? durationMs;
      if (disruption.at_s * 1000 >= levelMs) {
        const length = durationText(levelMs / 1000);
        throw new CliError(`${command}: ${flag} is at or after the end of level \`${cell.id}\`, which runs \`${length}\`: expected a time before \`${length}\``);
      }
      const refused = disruptor.checkDisruption(disruption, cell);
      if (refused !== null) throw new CliError(`${command}: ${flag}: ${refused}`);
    }
  }
}

export interface DisruptionRun {
  /** Cancels what has not been done yet and waits for one being done. */
  stop(): Promise<void>;
}

/**
 * Does `disruptions` (in time order) at their times after `startMs`, one at a time, each reported to
 * `record` with the time it was done. Nothing is done after `stop()` or once `signal` is aborted: a
 * level that ends (or is interrupted) before a disruption's time has none.
 */
export function runDisruptions(
  disruptions: readonly PlannedDisruption[],
  options: {
    readonly startMs: number;
    readonly disruptor: Disruptor;
    readonly signal: AbortSignal;
    readonly record: (disruption: Disruption, outcome: DisruptionOutcome) => void;
  },
): DisruptionRun {
  const { startMs, disruptor, signal, record } = options;
  let stopped = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;
  const stopWaiting = (): void => {
    clearTimeout(timer);
    wake?.();
  };
  signal.addEventListener('abort', stopWaiting);
  const done = (async () => {
    for (const disruption of disruptions) {
      const waitMs = startMs + disruption.at_s * 1000 - Date.now();
      if (waitMs > 0 && !stopped && !signal.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, waitMs);
        });
        wake = null;
      }
      if (stopped || signal.aborted) return;
      let outcome: DisruptionOutcome;
      try {
        outcome = await disruptor.disrupt(disruption);
      } catch (error) {
        // kubectl missing and the like: recorded as a failed disruption; the level goes on.
        outcome = { target: null, pid: null, ok: false, detail: error instanceof Error ? error.message : String(error), command: [], exitCode: 1, stdout: '', stderr: '' };
      }
      const { target, pid, ok, detail } = outcome;
      record({ kind: disruption.kind, at_s: disruption.at_s, time: new Date().toISOString(), target, pid, ok, detail }, outcome);
    }
  })();
  return {
    async stop() {
      stopped = true;
      stopWaiting();
      await done;
      signal.removeEventListener('abort', stopWaiting);
    },
  };
}

/**
 * The capture log's line for a disruption (kind `disruption`): the command's raw result as every
 * capture has it, and the manifest's record. The snapshot reader skips these lines; the manifest is
 * where the analysis reads disruptions from.
 */
export function disruptionCapture(disruption: Disruption, outcome: DisruptionOutcome): CaptureRecord & { readonly disruption: Disruption } {
  return {
    captured_at: disruption.time,
    kind: DISRUPTION_CAPTURE_KIND,
    phase: 'during',
    command: outcome.command,
    exit_code: outcome.exitCode,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    disruption,
  };
}

export const DISRUPTION_CAPTURE_KIND = 'disruption';

/** Seconds as a k6 duration: `30s`, `1m30s`, `1h`, `1.5s`. */
export function durationText(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
}
