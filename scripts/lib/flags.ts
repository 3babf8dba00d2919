/**
 * Command-line flags for every program of the project: one definition per flag gives both the
 * parser's option and its line of `--help` (citty's way), and every parse error becomes one line in
 * the house style instead of Node's message or a stack trace.
 */
import { parseArgs } from 'node:util';

export interface Flag {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's placeholder in the help, e.g. `D` for `--duration D`. */
  readonly value?: string;
  /** One line (or lines joined by `\n`) of help. */
  readonly help: string;
}

export type Flags = Readonly<Record<string, Flag>>;

export type FlagValues<F extends Flags> = {
  -readonly [K in keyof F]?: F[K] extends { readonly type: 'boolean' } ? boolean : F[K] extends { readonly multiple: true } ? string[] : string;
};

export interface ParseOptions {
  /** The program as messages name it: `sweep`, `k8s testrun`. */
  readonly command: string;
  /** Where the options are listed, for the `Note:` line: `` `npm run sweep -- --help` lists the options ``. */
  readonly note: string;
  /** Accept arguments that are not flags (file names); default false. */
  readonly positionals?: boolean;
  /** Builds the error to throw; each side has its own class (CliError, AnalysisError). */
  readonly error: (message: string, note: string) => Error;
}

/**
 * Parses `argv` against `flags`. Unknown flags, a flag without its value and stray arguments throw
 * `options.error` with one line naming the flag. A value that starts with `-` (`--duration -5s`) is
 * taken as the value when it is not itself a flag, so the flag's own check can say what is wrong with
 * it, rather than Node's "argument is ambiguous".
 */
export function parseFlags<F extends Flags>(argv: readonly string[], flags: F, options: ParseOptions): { values: FlagValues<F>; positionals: string[] } {
  const known = new Set(Object.entries(flags).flatMap(([name, flag]) => [`--${name}`, ...(flag.short === undefined ? [] : [`-${flag.short}`])]));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const flag = arg.startsWith('--') && !arg.includes('=') ? flags[arg.slice(2)] : undefined;
    if (flag?.type === 'string' && next !== undefined && next.startsWith('-') && next !== '-' && next !== '--' && !known.has(next.split('=')[0] as string)) {
      args.push(`${arg}=${next}`);
      i += 1;
    } else {
      args.push(arg);
    }
  }
  const parserOptions = Object.fromEntries(
    Object.entries(flags).map(([name, flag]) => [name, { type: flag.type, ...(flag.short === undefined ? {} : { short: flag.short }), ...(flag.multiple === true ? { multiple: true } : {}) }]),
  );
  try {
    const parsed = parseArgs({ args, options: parserOptions, strict: true, allowPositionals: options.positionals === true });
    return { values: parsed.values as FlagValues<F>, positionals: parsed.positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
    const { command, note } = options;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw options.error(`${command}: unknown option \`${quoted}\``, note);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw options.error(`${command}: unexpected argument \`${quoted}\`: expected options only`, note);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = quoted.split(' ')[0] ?? quoted;
      // parseArgs says "invalid value" for a value given to a boolean flag too (`--gate=yes`).
      const flag = flags[name.replace(/^--/, '')];
      throw options.error(flag?.type === 'boolean' ? `${command}: \`${name}\` takes no value` : `${command}: \`${name}\` needs a value`, note);
    }
    throw options.error(`${command}: ${message}`, note);
  }
}

/** The options part of a `--help`: one aligned line per flag, continuation lines indented. */
export function flagHelp(flags: Flags, options: { width?: number } = {}): string {
  const { width = 23 } = options;
  const lines: string[] = [];
  for (const [name, flag] of Object.entries(flags)) {
    const left = `  ${flag.short === undefined ? '' : `-${flag.short}, `}--${name}${flag.value === undefined ? '' : ` ${flag.value}`}`;
    const [first = '', ...rest] = flag.help.split('\n');
    lines.push(left.length >= width ? `${left}\n${' '.repeat(width)}${first}` : `${left.padEnd(width)}${first}`);
    for (const line of rest) lines.push(`${' '.repeat(width)}${line}`);
  }
  return `${lines.join('\n')}\n`;
}
