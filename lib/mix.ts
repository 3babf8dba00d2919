/**
 * Weighted request mixes, as Locust's task weights: `predict:80,health:10,metrics:10` sends 80% of
 * iterations to `predict`. The choice is a pure function of a uniform number in [0, 1), so tests can
 * drive it exactly and k6 feeds it `Math.random()`.
 */
import { parseNumber, type Field } from './config.ts';

export interface MixEntry {
  readonly name: string;
  readonly weight: number;
}

export interface Mix {
  readonly entries: readonly MixEntry[];
  /** The entry for a uniform draw `u` in [0, 1). */
  pick(u: number): string;
}

export function weightedMix(entries: readonly MixEntry[]): Mix {
  const { names, bounds } = mixTable(entries);
  return { entries, pick: (u) => names[pickIndex(bounds, u)] as string };
}

/** The entries with weight > 0 and their cumulative shares: plain data, as setup() passes it on. */
export function mixTable(entries: readonly MixEntry[]): { names: string[]; bounds: number[] } {
  const active = entries.filter((entry) => entry.weight > 0);
  const total = active.reduce((sum, entry) => sum + entry.weight, 0);
  const bounds = [] as number[];
  let cumulative = 0;
  for (const entry of active) {
    cumulative += entry.weight;
    bounds.push(cumulative / total);
  }
  return { names: active.map((entry) => entry.name), bounds };
}

/** The index a uniform draw `u` in [0, 1) picks among cumulative `bounds`. */
export function pickIndex(bounds: readonly number[], u: number): number {
  // Mixes are short (a handful of requests): a linear scan beats a binary search here.
  for (let i = 0; i < bounds.length - 1; i++) if (u < (bounds[i] as number)) return i;
  return bounds.length - 1;
}

/** The share of each entry, weights normalised to sum to 1. */
export function mixShares(entries: readonly MixEntry[]): Record<string, number> {
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  return Object.fromEntries(entries.map((entry) => [entry.name, entry.weight / total]));
}

/**
 * The `MIX` variable: `name:weight` pairs, names from `known`, weights >= 0 with at least one > 0.
 * A bare name counts as weight 1, so `MIX=health` means "only health".
 */
export function mixField(known: readonly string[], options: { fallback?: string; doc?: string } = {}): Field<readonly MixEntry[]> {
  return {
    ...options,
    expected: `\`name:weight\` pairs separated by commas, names among ${known.map((k) => `\`${k}\``).join(', ')}, weights >= 0 and not all 0`,
    parse(raw) {
      const entries: MixEntry[] = [];
      for (const part of raw.split(',')) {
        const [name = '', weightText, ...rest] = part.split(':').map((piece) => piece.trim());
        const weight = weightText === undefined ? 1 : parseNumber(weightText);
        if (rest.length > 0 || !known.includes(name) || weight === undefined || weight < 0) return undefined;
        if (entries.some((entry) => entry.name === name)) return undefined;
        entries.push({ name, weight });
      }
      return entries.some((entry) => entry.weight > 0) ? entries : undefined;
    },
  };
}
