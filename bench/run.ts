/**
 * Benchmarks. They print measurements and ratios against a baseline measured in the same run; no
 * test asserts on wall-clock time.
 *
 *   npm run bench                   every benchmark
 *   npm run bench -- lib-overhead   one of them
 */
import { parseArgs } from 'node:util';
import { CliError, fail, isMain } from '../scripts/lib/cli.ts';
import { csvBench } from './csv.ts';
import { ingestBench } from './ingest.ts';
import { memoryBench } from './memory.ts';
import { DEFAULT_OVERHEAD, libOverhead, libOverheadCli } from './lib-overhead.ts';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  'lib-overhead': () => libOverhead(DEFAULT_OVERHEAD),
  ingest: () => ingestBench({ bytes: 1.05e9, rounds: 3 }),
  csv: () => csvBench({ bytes: 300e6, rounds: 3 }),
  memory: () => memoryBench({ scale: 1 }),
};

const HELP = `Usage: npm run bench [-- NAME...]

Benchmarks: ${Object.keys(BENCHMARKS).join(', ')} (default: all).
`;

async function main(): Promise<void> {
  // `npm run bench -- lib-overhead --rounds 20 --seconds 5`: what follows its name is its own flags.
  const argv = process.argv.slice(2);
  if (argv[0] === 'lib-overhead' && argv.length > 1) {
    process.stdout.write('\n== lib-overhead ==\n');
    await libOverheadCli(argv.slice(1));
    return;
  }
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const names = positionals.length > 0 ? positionals : Object.keys(BENCHMARKS);
  for (const name of names) {
    const benchmark = BENCHMARKS[name];
    if (benchmark === undefined) throw new CliError(`bench: unknown benchmark \`${name}\`: expected one of ${Object.keys(BENCHMARKS).join(', ')}`);
    process.stdout.write(`\n== ${name} ==\n`);
    await benchmark();
  }
}

if (isMain(import.meta.url)) main().catch(fail);
