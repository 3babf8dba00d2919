/**
 * Shared edges of the command-line programs: where the repository is, and how a failure is shown.
 * Library code throws `CliError` (or its own error class); only `fail` prints and picks the exit code.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseFlags, type Flags, type FlagValues } from './flags.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** An error meant for the user: printed as one line (plus a `Note:`), no stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly note: string | undefined;

  constructor(message: string, options: { exitCode?: number; note?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
    this.note = options.note;
  }
}

/** Prints an error for a person and exits: the message for known errors, the stack for bugs. */
export function fail(error: unknown): never {
  if (error instanceof CliError) {
    process.stderr.write(`${error.message}\n`);
    if (error.note !== undefined) process.stderr.write(`Note: ${error.note}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(70);
}

/** True when the module at `moduleUrl` is the program being run (not imported). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && path.resolve(entry) === fileURLToPath(moduleUrl);
}

/** The flags of `npm run <command>`, parse errors as `CliError` pointing at its `--help`. */
export function commandFlags<F extends Flags>(command: string, flags: F, argv: readonly string[] = process.argv.slice(2)): FlagValues<F> {
  return parseFlags(argv, flags, {
    command,
    note: `\`npm run ${command} -- --help\` lists the options`,
    error: (message, note) => new CliError(message, { note }),
  }).values;
}
