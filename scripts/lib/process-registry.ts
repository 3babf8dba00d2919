/**
 * The processes a sweep started, recorded in its run directory (`.processes.json`), so that a
 * `--resume` after a crash (SIGKILL, OOM) can find any of them still running and stop them before it
 * sends load. A PID alone is not proof: PIDs are reused, so an entry also holds the process's start
 * time (ticks since boot, /proc/<pid>/stat field 22) and the boot id, and only a process that matches
 * both is taken to be ours.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from '../../analysis/io.ts';

export type ProcessRole = 'sweep' | 'k6' | 'sample-service';

export interface ProcessEntry {
  readonly role: ProcessRole;
  readonly pid: number;
  /** /proc/<pid>/stat `starttime`: clock ticks after boot. */
  readonly start_ticks: number;
  readonly boot_id: string;
  /** The level it ran for (k6), where there is one. */
  readonly level: string | null;
  readonly started_at: string;
}

export const REGISTRY_FILE = '.processes.json';

/** The boot id, which changes with every boot: PIDs and start times of another boot mean nothing. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** State, parent and start time of a live process, or `null` when it is gone (a zombie counts as gone). */
export function procStat(pid: number): { state: string; parentPid: number; startTicks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields are counted after the last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0] ?? '?';
    if (state === 'Z' || state === 'X') return null;
    return { state, parentPid: Number(fields[1]), startTicks: Number(fields[19]) };
  } catch {
    return null;
  }
}

/** Whether the process `entry` describes is still running: same PID, same start time, same boot. */
export function isRunning(entry: ProcessEntry): boolean {
  if (entry.boot_id !== bootId()) return false;
  const stat = procStat(entry.pid);
  return stat !== null && stat.startTicks === entry.start_ticks;
}

export class ProcessRegistry {
  private readonly file: string;
  private entries: ProcessEntry[];

  constructor(outDir: string) {
    this.file = path.join(outDir, REGISTRY_FILE);
    this.entries = readRegistry(outDir);
  }

  /** Entries of an earlier attempt whose processes still run. */
  survivors(): ProcessEntry[] {
    return this.entries.filter(isRunning);
  }

  /** Records a process this sweep started (or the sweep itself). */
  add(role: ProcessRole, pid: number, level: string | null = null): void {
    const stat = procStat(pid);
    if (stat === null) return;
    this.entries.push({ role, pid, start_ticks: stat.startTicks, boot_id: bootId(), level, started_at: new Date().toISOString() });
    this.write();
  }

  remove(pid: number): void {
    this.entries = this.entries.filter((entry) => entry.pid !== pid);
    this.write();
  }

  /** Forgets entries whose processes are gone (the earlier attempt's, once stopped). */
  prune(): void {
    this.entries = this.entries.filter(isRunning);
    this.write();
  }

  /** At a clean end: nothing of ours runs any more. */
  clear(): void {
    this.entries = [];
    rmSync(this.file, { force: true });
  }

  private write(): void {
    writeAtomically(this.file, `${JSON.stringify(this.entries, null, 2)}\n`);
  }
}

export function readRegistry(outDir: string): ProcessEntry[] {
  const file = path.join(outDir, REGISTRY_FILE);
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as ProcessEntry[]).filter((e) => typeof e?.pid === 'number' && typeof e?.start_ticks === 'number') : [];
  } catch {
    // A registry cut off by a crash mid-write cannot happen (rename), but a hand-edited one can.
    return [];
  }
}

/**
 * Stops a recorded process: SIGTERM (k6 then stops cleanly), SIGKILL after `graceMs`. Resolves once
 * it is gone. Checked to be ours before every signal.
 */
export async function stopRecorded(entry: ProcessEntry, graceMs: number): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isRunning(entry)) return 'gone';
  signal(entry.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!isRunning(entry)) return 'stopped';
  }
  if (isRunning(entry)) signal(entry.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isRunning(entry); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return 'killed';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone between the check and the signal
  }
}
