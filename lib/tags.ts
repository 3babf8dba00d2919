/**
 * The standard tags k6-capacity puts on every request sample, so one NDJSON file (or many) can be
 * split and grouped later: which run, against which target, by which scenario, at which level.
 */
export const STANDARD_TAGS = ['run_id', 'target', 'scenario', 'level'] as const;
export type StandardTag = (typeof STANDARD_TAGS)[number];

/**
 * A run id that sorts by time and does not collide between runs started in the same second:
 * `20261124T010714Z-3f9c2a`. `random` is a uniform draw in [0, 1).
 */
export function newRunId(now: Date, random: number): string {
  const stamp = utcStamp(now);
  const suffix = Math.floor(random * 0x1000000).toString(16).padStart(6, '0');
  return `${stamp}-${suffix}`;
}

/** `20261124T010714Z`: UTC to the second, sortable, safe in file names and tag values. */
export function utcStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** `host:port` of a base URL, the default `target` tag (the port defaults from the scheme). */
export function targetOfUrl(baseUrl: string): string {
  const match = /^(https?):\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?/.exec(baseUrl);
  if (match === null) return baseUrl;
  const port = match[3] ?? (match[1] === 'https' ? '443' : '80');
  return `${match[2]}:${port}`;
}

/** Tag values are strings in k6's output; rates are written without float noise (`2.5`, not `2.5000001`). */
export function levelTag(rate: number): string {
  return String(Math.round(rate * 1000) / 1000);
}
