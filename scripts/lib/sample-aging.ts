/**
 * Software aging in the sample service, the effects a soak test exists to find: memory a replica
 * keeps and never frees (a leak, per request and per second of uptime) and latency that grows with
 * its uptime. Both belong to the replica process, so a restarted replica starts fresh, as a
 * restarted pod does ("software aging", and restarting as its cure, "rejuvenation": Huang, Kintala,
 * Kolettis and Fulton, *Software Rejuvenation: Analysis, Module and Applications*, FTCS-25, 1995).
 */

/** Most a replica leaks when no memory limit is enforced on it: 1 GiB, so a leak cannot take the machine. */
export const MAX_LEAK_BYTES = 2 ** 30;
/** The added delay of a degrading replica stops growing here. */
export const MAX_DEGRADE_DELAY_MS = 10_000;
/** Bounds of the leak and degradation settings (`--leak-kb-per-request`, `leakKbPerRequest`, …). */
export const MAX_LEAK_KB_PER_REQUEST = 10_240;
export const MAX_LEAK_KB_PER_SECOND = 102_400;
export const MAX_DEGRADE_MS_PER_MINUTE = 10_000;

/**
 * The leak's storage comes in 1 MiB slabs written as the leak grows: the pages of a fresh slab are
 * not resident until written (allocUnsafeSlow does not zero them, and malloc serves this size from
 * mmap), so RSS and the cgroup's usage grow with the bytes leaked, not a slab at a time. One object
 * per MiB, not per request, so the leak's bookkeeping adds nothing to measure.
 */
const SLAB_BYTES = 2 ** 20;
/** Non-zero, so no page can stay the kernel's shared zero page. */
const FILL = 0xa5;

/** Memory retained and never freed, up to `capBytes`. */
export class Leak {
  private readonly slabs: Buffer[] = [];
  /** Bytes written into the last slab. */
  private used = SLAB_BYTES;
  private retained = 0;

  constructor(readonly capBytes: number) {}

  /** Bytes leaked so far. */
  get bytes(): number {
    return this.retained;
  }

  /** Keeps `bytes` more, every page written, as far as the cap allows; returns what it kept. */
  retain(bytes: number): number {
    const kept = Math.max(0, Math.min(bytes, this.capBytes - this.retained));
    let left = kept;
    while (left > 0) {
      if (this.used === SLAB_BYTES) {
        this.slabs.push(Buffer.allocUnsafeSlow(SLAB_BYTES));
        this.used = 0;
      }
      const take = Math.min(left, SLAB_BYTES - this.used);
      (this.slabs[this.slabs.length - 1] as Buffer).fill(FILL, this.used, this.used + take);
      this.used += take;
      left -= take;
    }
    this.retained += kept;
    return kept;
  }
}

/**
 * How far a replica leaks: to its memory limit when one is enforced (the kernel OOM-kills it
 * before the leak gets there), else MAX_LEAK_BYTES.
 */
export function leakCapBytes(enforcedMemoryLimitBytes: number | null): number {
  return enforcedMemoryLimitBytes ?? MAX_LEAK_BYTES;
}

/** Delay added at `uptimeMs` by `msPerMinute` of degradation: msPerMinute × uptime in minutes, at most MAX_DEGRADE_DELAY_MS. */
export function addedDelayMs(msPerMinute: number, uptimeMs: number): number {
  return Math.min(MAX_DEGRADE_DELAY_MS, (msPerMinute * uptimeMs) / 60_000);
}
