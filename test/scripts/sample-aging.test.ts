/**
 * The sample service's aging on its own: a leak that keeps exactly what it is asked to, up to its
 * cap, every page resident; the delay that grows with uptime, up to its maximum. The real service
 * is in sample-service.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addedDelayMs, Leak, leakCapBytes, MAX_DEGRADE_DELAY_MS, MAX_LEAK_BYTES } from '../../scripts/lib/sample-aging.ts';

const MiB = 2 ** 20;
const vmRssKiB = (): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

describe('Leak', () => {
  it('keeps what it is asked to, across slabs, and stops at its cap', () => {
    const leak = new Leak(3 * MiB + 100);
    expect([leak.retain(1000), leak.retain(MiB), leak.retain(2 * MiB), leak.retain(4096)]).toEqual([1000, MiB, 2 * MiB - 900, 0]);
    expect(leak.bytes).toBe(3 * MiB + 100);
    expect(leak.retain(0)).toBe(0);
    expect(leak.retain(-5)).toBe(0);
    expect(leak.bytes).toBe(3 * MiB + 100);
  });

  it.runIf(process.platform === 'linux')('is resident: RSS grows with every byte it keeps, not a slab ahead', () => {
    const leak = new Leak(MAX_LEAK_BYTES);
    const before = vmRssKiB();
    for (let i = 0; i < 640; i++) leak.retain(64 * 1024);
    // 40 MiB kept in 64 KiB steps; the test runner's own allocations are noise around it.
    expect(vmRssKiB() - before).toBeGreaterThanOrEqual(0.9 * 40 * 1024);
    expect(leak.bytes).toBe(40 * MiB);
  });

  it('leaks to an enforced memory limit, else to 1 GiB', () => {
    expect([leakCapBytes(128 * MiB), leakCapBytes(null), MAX_LEAK_BYTES]).toEqual([134217728, 1073741824, 1073741824]);
  });
});

describe('addedDelayMs', () => {
  it.each([
    // msPerMinute, uptime ms, added ms
    [0, 3_600_000, 0],
    [600, 0, 0],
    [600, 1000, 10],
    [600, 90_000, 900],
    [50, 600_000, 500],
    [0.5, 60_000, 0.5],
    // capped: 10 s at most, however old
    [50, 12_000_000, MAX_DEGRADE_DELAY_MS],
    [10_000, 61_000, 10_000],
  ])('%d ms/min at %d ms of uptime: %d ms', (msPerMinute, uptimeMs, expected) => {
    expect(addedDelayMs(msPerMinute, uptimeMs)).toBe(expected);
  });
});
