/**
 * JSON captures that may be cut off (a sampler killed mid-write, an issue paste ending in `},`),
 * preceded by an echoed command, or several documents in a row. Complete parts are kept; whatever
 * the end of the text or a syntax error interrupted is marked, so callers can drop half-read items
 * instead of reporting a pod with half its containers.
 */
import { noise, preview } from './lines.ts';

export interface JsonDocument {
  readonly value: unknown;
  /** 1-based line where the document starts. */
  readonly line: number;
}

export interface JsonError {
  readonly line: number;
  /** `true` when the text ended inside the document, `false` for a syntax error. */
  readonly truncated: boolean;
  readonly message: string;
}

export interface LenientJson {
  readonly documents: readonly JsonDocument[];
  /** Objects and arrays that were still open when the text ended or broke: their content is partial. */
  readonly incomplete: WeakSet<object>;
  /** 1-based line where each object or array starts. */
  readonly lines: WeakMap<object, number>;
  readonly errors: readonly JsonError[];
  /** Lines outside any document that are neither blank nor an echoed command (errors, stray text). */
  readonly text: readonly { readonly line: number; readonly text: string }[];
}

/** Reads every JSON document in `text`, keeping the complete parts of a broken one. */
export function parseJsonLenient(text: string): LenientJson {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (position: number): number => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= position) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
  const documents: JsonDocument[] = [];
  const errors: JsonError[] = [];
  const stray: { line: number; text: string }[] = [];
  const incomplete = new WeakSet<object>();
  const lines = new WeakMap<object, number>();

  let position = 0;
  while (position < text.length) {
    const lineEnd = endOfLine(text, position);
    const line = text.slice(position, lineEnd);
    const indent = line.length - line.trimStart().length;
    const first = line[indent];
    if (first === '{' || first === '[') {
      const parsed = parseDocument(text, position + indent, { incomplete, lines, lineOf });
      if (parsed.value !== undefined) documents.push({ value: parsed.value, line: lineOf(position + indent) });
      if (parsed.error !== undefined) {
        errors.push(parsed.error);
        if (parsed.error.truncated) break;
        // Resume on the line after the error: a later document may be whole.
        position = endOfLine(text, parsed.end) + 1;
        continue;
      }
      position = parsed.end;
      const rest = text.slice(position, endOfLine(text, position));
      if (rest.trim() === '') position = endOfLine(text, position) + 1;
      else {
        stray.push({ line: lineOf(position), text: rest.trim() });
        position = endOfLine(text, position) + 1;
      }
      continue;
    }
    const kind = noise(line)?.kind;
    if (kind !== 'blank' && kind !== 'command' && kind !== 'marker') stray.push({ line: lineOf(position), text: line.trim() });
    position = lineEnd + 1;
  }
  return { documents, incomplete, lines, errors, text: stray };
}

// --- internals -----------------------------------------------------------------------------------

interface Context {
  readonly incomplete: WeakSet<object>;
  readonly lines: WeakMap<object, number>;
  readonly lineOf: (position: number) => number;
}

interface Frame {
  readonly node: Record<string, unknown> | unknown[];
  readonly array: boolean;
  key: string | undefined;
  /** `first`: just opened; `value`: a value is due; `key`/`colon`: inside an object member; `after`: `,` or close due. */
  state: 'first' | 'value' | 'key' | 'colon' | 'after';
}

class Stop {
  constructor(
    readonly position: number,
    readonly truncated: boolean,
    readonly message: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function endOfLine(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

/** An iterative parser: every container is attached to its parent when it opens, so a cut keeps the tree. */
function parseDocument(text: string, start: number, context: Context): { value: unknown; end: number; error?: JsonError } {
  const stack: Frame[] = [];
  let root: unknown;
  let position = start;

  const place = (value: unknown): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) root = value;
    else if (top.array) (top.node as unknown[]).push(value);
    // A `__proto__` key must stay data, as with JSON.parse, so it is defined, not assigned.
    else if (top.key === '__proto__') Object.defineProperty(top.node, top.key, { value, enumerable: true, writable: true, configurable: true });
    else (top.node as Record<string, unknown>)[top.key ?? ''] = value;
    if (top !== undefined) top.state = 'after';
  };
  const open = (node: Record<string, unknown> | unknown[], array: boolean): void => {
    context.lines.set(node, context.lineOf(position));
    place(node);
    stack.push({ node, array, key: undefined, state: 'first' });
    position += 1;
  };
  const skipSpace = (): void => {
    // JSON whitespace: space, tab, line feed, carriage return.
    for (let c = text.charCodeAt(position); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(position)) position += 1;
  };
  const end = (): Stop => new Stop(position, true, 'the text ends inside the JSON');
  const unexpected = (expected: string): Stop => {
    const found = text.slice(position, position + 20).split('\n')[0] ?? '';
    return new Stop(position, false, `expected ${expected}, got \`${preview(found, 20)}\``);
  };
  const readString = (): string => {
    let i = position + 1;
    let plain = true;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \\ */) {
        plain = false;
        i += 2;
      } else if (c === 34 /* " */) break;
      else {
        if (c < 32) plain = false;
        i += 1;
      }
    }
    if (i >= text.length) throw end();
    if (plain) {
      const value = text.slice(position + 1, i);
      position = i + 1;
      return value;
    }
    // Escapes and control characters: JSON.parse decodes or rejects them exactly as the spec says.
    const raw = text.slice(position, i + 1);
    try {
      const value = JSON.parse(raw) as string;
      position = i + 1;
      return value;
    } catch {
      throw unexpected('a JSON string');
    }
  };

  try {
    for (;;) {
      skipSpace();
      const top = stack[stack.length - 1];
      if (position >= text.length) throw end();
      const c = text[position];
      if (top !== undefined && top.state === 'after') {
        if (c === ',') {
          top.state = top.array ? 'value' : 'key';
          position += 1;
        } else if (c === (top.array ? ']' : '}')) {
          stack.pop();
          position += 1;
          if (stack.length === 0) return { value: root, end: position };
        } else {
          throw unexpected(top.array ? '`,` or `]`' : '`,` or `}`');
        }
        continue;
      }
      if (top !== undefined && !top.array && (top.state === 'first' || top.state === 'key')) {
        if (c === '}' && top.state === 'first') {
          stack.pop();
          position += 1;
          if (stack.length === 0) return { value: root, end: position };
        } else if (c === '"') {
          top.key = readString();
          top.state = 'colon';
        } else {
          throw unexpected('a member name');
        }
        continue;
      }
      if (top !== undefined && top.state === 'colon') {
        if (c !== ':') throw unexpected('`:`');
        top.state = 'value';
        position += 1;
        continue;
      }
      // A value is due: at the top, in an array, or after `:`.
      if (c === ']' && top !== undefined && top.array && top.state === 'first') {
        stack.pop();
        position += 1;
        if (stack.length === 0) return { value: root, end: position };
      } else if (c === '{') {
        open({}, false);
      } else if (c === '[') {
        open([], true);
      } else if (c === '"') {
        place(readString());
      } else if (c === 't' || c === 'f' || c === 'n') {
        const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
        const found = text.slice(position, position + word.length);
        if (found !== word) throw word.startsWith(found) && position + found.length >= text.length ? end() : unexpected('a JSON value');
        position += word.length;
        place(word === 'true' ? true : word === 'false' ? false : null);
      } else {
        NUMBER.lastIndex = position;
        const match = NUMBER.exec(text);
        if (match === null) throw unexpected('a JSON value');
        // A number that runs into the end of the text may have lost digits.
        if (position + match[0].length >= text.length) throw end();
        position += match[0].length;
        place(Number(match[0]));
      }
    }
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    for (const frame of stack) context.incomplete.add(frame.node);
    const line = context.lineOf(Math.min(error.position, Math.max(text.length - 1, 0)));
    return { value: root, end: error.position, error: { line, truncated: error.truncated, message: error.message } };
  }
}
