/**
 * Every number a report shows is formatted here, and only here: analyses hand over raw values with
 * their unit, renderers (Markdown, HTML, JUnit, the plain text of analysis.json) call these.
 */

/** What a number is, which decides how it is written. */
export type Unit =
  /** Latency in milliseconds. */
  | 'ms'
  /** Requests (or iterations) per second. */
  | 'rate'
  /** A share 0..1 written as a percentage: an error rate, achieved ÷ offered. */
  | 'share'
  /** A share 0..1 written as a round percentage, for bounds and thresholds (0.01 → 1%, 0.955 → 95.5%). */
  | 'percent'
  /** A relative change as a fraction (0.12 → +12.0%). */
  | 'delta'
  /** A p-value. */
  | 'p'
  /** A whole count. */
  | 'count'
  /** CPU in millicores, written in cores. */
  | 'cores'
  /** CPU in millicores, written as millicores (tables). */
  | 'millicores'
  /** Bytes, written in MiB. */
  | 'mib'
  /** Bytes, written in GiB. */
  | 'gib'
  /** A duration in seconds. */
  | 'seconds'
  /** A duration in seconds, written in the unit that suits it (`42 s`, `2.5 min`, `13 min`, `5.3 h`, `3.2 days`). */
  | 'duration'
  /** A plain number. */
  | 'number';

/** What is shown where a value is missing. */
export const MISSING = '—';

/** `value` as a table cell shows it: no unit (the column header names it). */
export function formatNumber(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || Number.isNaN(value)) return MISSING;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  switch (unit) {
    case 'ms':
      return Math.abs(value) < 10 ? value.toFixed(2) : Math.abs(value) < 100 ? value.toFixed(1) : value.toFixed(0);
    case 'rate':
      return Number.isInteger(value) ? String(value) : Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
    case 'share':
      return `${(value * 100).toFixed(2)}%`;
    case 'percent':
      return `${Number((value * 100).toFixed(2))}%`;
    case 'delta': {
      const pct = value * 100;
      const text = Math.abs(pct) < 10 ? pct.toFixed(1) : pct.toFixed(0);
      return `${pct > 0 ? '+' : ''}${text === '-0.0' ? '0.0' : text}%`;
    }
    case 'p':
      return value < 0.0001 ? '<0.0001' : value < 0.001 ? value.toExponential(1) : value.toPrecision(2).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    case 'count':
      return String(Math.round(value));
    case 'cores':
      return (value / 1000).toFixed(2);
    case 'millicores':
      return value.toFixed(0);
    case 'mib':
      return (value / 1048576).toFixed(1);
    case 'gib':
      return (value / 2 ** 30).toFixed(1);
    case 'seconds':
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    case 'duration': {
      const abs = Math.abs(value);
      const short = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) < 10 ? v.toFixed(1) : v.toFixed(0));
      if (abs < 60) return `${short(value)} s`;
      if (abs < 3600) return `${short(value / 60)} min`;
      if (abs < 2 * 86400) return `${short(value / 3600)} h`;
      return `${short(value / 86400)} days`;
    }
    case 'number':
      return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  }
}

const SUFFIX: Readonly<Partial<Record<Unit, string>>> = { ms: ' ms', rate: ' req/s', cores: ' cores', millicores: ' m', mib: ' MiB', gib: ' GiB', seconds: ' s' };

/** `value` as a sentence shows it: with its unit (`72.0 ms`, `120 req/s`, `6.67%`). */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  const text = formatNumber(value, unit);
  if (text === MISSING) return text;
  if (unit === 'p') return `p = ${text.replace('<', '< ')}`.replace('= < ', '< ');
  return `${text}${SUFFIX[unit] ?? ''}`;
}

/** An ISO time as reports show it (UTC, to the second). */
export function formatTime(iso: string | null): string {
  return iso === null ? MISSING : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** `1 run`, `3 runs`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
