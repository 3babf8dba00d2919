/**
 * Typed configuration from k6's `__ENV`.
 *
 * A scenario declares a schema (env name → field); `readConfig` parses every variable, collects every
 * problem and throws one `ScenarioError` listing them all, so a run with a bad value stops in the init
 * context, before any request, and the user fixes all mistakes in one go.
 *
 * Defaults are written as env text and parsed by the same parser as user input, so the README's
 * defaults column and the behaviour cannot drift apart.
 */
import { ScenarioError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Field<T> {
  /** What a valid value looks like, for error messages and the README ("a number > 0"). */
  readonly expected: string;
  /** One line for the README's variable table. */
  readonly doc?: string;
  /** The default as env text; `undefined` means the variable is required unless `optional`. */
  readonly fallback?: string;
  /** An unset optional variable yields `undefined` instead of an error. */
  readonly optional?: boolean;
  /** Parses the text; returns `undefined` when it is not valid. */
  readonly parse: (raw: string) => T | undefined;
}

export type Schema = Readonly<Record<string, Field<unknown>>>;

/** A field whose variable may stay unset; its value is then `undefined`. */
export type OptionalField<T> = Field<T> & { readonly optional: true };

type FieldValue<F> = F extends OptionalField<infer T> ? T | undefined : F extends Field<infer T> ? T : never;
export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: FieldValue<S[K]> };

/** A k6 duration such as `30s`, `1m30s` or `500ms`, with its length in seconds. */
export interface Duration {
  readonly text: string;
  readonly seconds: number;
}

/**
 * Parses every field of `schema` from `env`. Empty strings count as unset, because `-e TPS=` is how
 * people clear a variable on the command line.
 */
export function readConfig<S extends Schema>(env: Env, schema: S): ConfigOf<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, field] of Object.entries(schema)) {
    const given = env[name];
    const raw = given === undefined || given.trim() === '' ? field.fallback : given.trim();
    if (raw === undefined) {
      if (field.optional) values[name] = undefined;
      else problems.push(`config: \`${name}\` is not set: expected ${field.expected}`);
      continue;
    }
    const parsed = field.parse(raw);
    if (parsed === undefined) problems.push(`config: \`${name}\` is \`${raw}\`: expected ${field.expected}`);
    else values[name] = parsed;
  }
  if (problems.length > 0) throw new ScenarioError('config', problems.join('\n'));
  return values as ConfigOf<S>;
}

// --- field constructors --------------------------------------------------------------------------

interface Common {
  readonly fallback?: string;
  readonly doc?: string;
}

/** Makes `field` optional: unset gives `undefined` rather than an error. */
export function optional<T>(field: Field<T>): OptionalField<T> {
  return { ...field, optional: true };
}

/** Parses a decimal number (no hex, no `Infinity`); `undefined` when the text is not one. */
export function parseNumber(raw: string): number | undefined {
  // Regular expressions in this file are literals inside functions, not module constants: a module
  // constant lives in every k6 VU for the whole run, these are garbage once the config is read.
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

export function numberField(
  options: Common & { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {},
): Field<number> {
  const { min, max, exclusiveMin = false, integer = false } = options;
  const bounds: string[] = [];
  if (min !== undefined) bounds.push(`${exclusiveMin ? '>' : '>='} ${min}`);
  if (max !== undefined) bounds.push(`<= ${max}`);
  const noun = integer ? 'an integer' : 'a number';
  return {
    ...common(options),
    expected: bounds.length > 0 ? `${noun} ${bounds.join(' and ')}` : noun,
    parse(raw) {
      const value = parseNumber(raw);
      if (value === undefined) return undefined;
      if (integer && !Number.isInteger(value)) return undefined;
      if (min !== undefined && (exclusiveMin ? value <= min : value < min)) return undefined;
      if (max !== undefined && value > max) return undefined;
      return value;
    },
  };
}

// k6 durations follow Go's time.ParseDuration plus `d` for days (k6 types.ParseExtendedDuration).
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  d: 86400, h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9,
};

/** Parses a k6 duration string (`1h30m`, `45s`, `250ms`); a bare number is refused as ambiguous. */
export function parseDuration(raw: string): Duration | undefined {
  if (!/^((\d+(\.\d+)?|\.\d+)(ms|us|µs|ns|d|h|m|s))+$/.test(raw)) return undefined;
  let seconds = 0;
  // An exec loop, not matchAll: k6's runtime spends about 150 µs on matchAll's iterator, once per
  // duration per VU at start-up.
  const part = /(\d+(?:\.\d+)?|\.\d+)(ms|us|µs|ns|d|h|m|s)/g;
  for (let match = part.exec(raw); match !== null; match = part.exec(raw)) {
    seconds += Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? Number.NaN);
  }
  // Sub-nanosecond float noise (0.1s + 0.2s) would show up in reports; round to the nanosecond.
  seconds = Math.round(seconds * 1e9) / 1e9;
  return Number.isFinite(seconds) ? { text: raw, seconds } : undefined;
}

export function durationField(options: Common & { allowZero?: boolean } = {}): Field<Duration> {
  const { allowZero = false } = options;
  return {
    ...common(options),
    expected: `a k6 duration such as \`30s\`, \`5m\` or \`1h30m\`${allowZero ? '' : ' (more than zero)'}`,
    parse(raw) {
      const duration = parseDuration(raw);
      if (duration === undefined || (!allowZero && duration.seconds <= 0)) return undefined;
      return duration;
    },
  };
}

export function oneOfField<const V extends string>(values: readonly V[], options: Common = {}): Field<V> {
  return {
    ...common(options),
    expected: `one of ${values.map((v) => `\`${v}\``).join(', ')}`,
    parse: (raw) => (values as readonly string[]).includes(raw) ? (raw as V) : undefined,
  };
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

export function booleanField(options: Common = {}): Field<boolean> {
  return {
    ...common(options),
    expected: '`true` or `false`',
    parse(raw) {
      const lower = raw.toLowerCase();
      if (TRUE.includes(lower)) return true;
      if (FALSE.includes(lower)) return false;
      return undefined;
    },
  };
}

export function stringField(options: Common & { pattern?: RegExp; expected?: string } = {}): Field<string> {
  const { pattern, expected = 'a non-empty string' } = options;
  return {
    ...common(options),
    expected,
    parse: (raw) => (pattern === undefined || pattern.test(raw) ? raw : undefined),
  };
}

/** An http(s) base URL without query, fragment or credentials; the trailing slash is dropped. */
export function urlField(options: Common = {}): Field<string> {
  return {
    ...common(options),
    expected: 'an http:// or https:// URL such as `http://127.0.0.1:18080`',
    parse(raw) {
      // No WHATWG URL in k6's runtime, so the shape is checked here: scheme, host, port, path.
      const match = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:(\d{1,5}))?(\/[^\s?#]*)?$/.exec(raw);
      if (match === null) return undefined;
      const port = match[5];
      if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
      return raw.replace(/\/+$/, '');
    },
  };
}

/** A comma-separated list; every item must parse with `item`. */
export function listField<T>(item: Field<T>, options: Common = {}): Field<readonly T[]> {
  return {
    ...common(options),
    expected: `a comma-separated list of ${item.expected}`,
    parse(raw) {
      const parts = raw.split(',').map((part) => part.trim());
      const values: T[] = [];
      for (const part of parts) {
        const value = part === '' ? undefined : item.parse(part);
        if (value === undefined) return undefined;
        values.push(value);
      }
      return values;
    },
  };
}

function common(options: Common): { fallback?: string; doc?: string } {
  const out: { fallback?: string; doc?: string } = {};
  if (options.fallback !== undefined) out.fallback = options.fallback;
  if (options.doc !== undefined) out.doc = options.doc;
  return out;
}
