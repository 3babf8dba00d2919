/**
 * Prints the absolute path of a k6 v2 binary as its last line, getting one first if needed.
 *
 *   npm run --silent ensure-k6
 */
import { commandFlags, fail, isMain } from './lib/cli.ts';
import { flagHelp } from './lib/flags.ts';
import { cacheDir, ensureK6, K6_MODULE, K6_VERSION } from './lib/k6.ts';

const FLAGS = { help: { type: 'boolean', short: 'h', help: 'this text' } } as const;

const HELP = `Usage: npm run --silent ensure-k6

Finds k6 and prints its absolute path as the last line of output (progress goes to stderr):
  1. a k6 v2 on PATH;
  2. else k6 v${K6_VERSION} cached in ${cacheDir()} (shared by every clone; set K6_CAPACITY_CACHE to move it);
  3. else builds it there with \`go install ${K6_MODULE}@v${K6_VERSION}\` (needs Go 1.25 or newer).
Exits 1 with instructions when there is neither k6 nor Go.

Options:
${flagHelp(FLAGS)}`;

async function main(): Promise<void> {
  const values = commandFlags('ensure-k6', FLAGS);
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const k6 = await ensureK6();
  process.stdout.write(`${k6}\n`);
}

if (isMain(import.meta.url)) main().catch(fail);
