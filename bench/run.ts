/**
 * Benchmarks. They print measurements and ratios against a baseline measured in the same run; no
 * test asserts on wall-clock time.
 *
 *   npm run bench                   every benchmark
 *   npm run bench -- lib-overhead   one of them
 */
import { parseArgs } from 'node:util';
import { CliError, fail, isMain } from '../scripts/lib/cli.ts';
import { ingestBench } from './ingest.ts';
import { libOverhead } from './lib-overhead.ts';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  'lib-overhead': () => libOverhead({ rounds: 5, seconds: 15, vus: 16 }),
  ingest: () => ingestBench({ bytes: 1.05e9, rounds: 3 }),
};

const HELP = `Usage: npm run bench [-- NAME...]

Benchmarks: ${Object.keys(BENCHMARKS).join(', ')} (default: all).
`;

async function main(): Promise<void> {
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
