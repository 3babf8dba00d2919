/** Test double for k6's `k6` module: records checks instead of emitting samples. */
export const checks: { names: string[]; passed: boolean }[] = [];

export function check<T>(value: T, sets: Record<string, (value: T) => boolean>): boolean {
  const results = Object.values(sets).map((fn) => fn(value));
  checks.push({ names: Object.keys(sets), passed: results.every(Boolean) });
  return results.every(Boolean);
}
