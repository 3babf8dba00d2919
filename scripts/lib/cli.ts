/**
 * Shared edges of the command-line programs: where the repository is, and how a failure is shown.
 * Library code throws `CliError` (or its own error class); only `fail` prints and picks the exit code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseFlags, type Flags, type FlagValues } from './flags.ts';

/**
 * The repository: the nearest folder above this module with the project's package.json. Searched
 * rather than fixed at `../..`, because the CLIs also run from a bundle in `node_modules/.cache/`
 * (scripts/run-bundled.mjs), where this module's URL is the bundle's.
 */
export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'k6-capacity') return dir;
    if (path.dirname(dir) === dir) throw new Error(`k6-capacity: no package.json of k6-capacity in ${from} or a folder above it`);
  }
}

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
