/**
 * Regenerates the generated parts of README.md (the table of scenario variables).
 *
 *   npm run docs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, commandFlags, fail, isMain, repoRoot } from './lib/cli.ts';
import { flagHelp } from './lib/flags.ts';
import { withEnvTable } from './lib/env-docs.ts';

const FLAGS = {
  check: { type: 'boolean', help: 'only check: exit 1 when README.md is not up to date (nothing is written)' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const HELP = `Usage: npm run docs [-- --check]

Regenerates the generated parts of README.md: the table of scenario variables, from the field
definitions in lib/plan.ts and lib/scenarios.ts.

Options:
${flagHelp(FLAGS)}`;

function main(): void {
  const values = commandFlags('docs', FLAGS);
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const file = path.join(repoRoot, 'README.md');
  const before = readFileSync(file, 'utf8');
  const after = withEnvTable(before);
  if (values.check) {
    if (after !== before) throw new CliError('docs: README.md is not up to date: its variable table differs from lib/', { note: 'run `npm run docs`' });
    process.stdout.write('README.md is up to date\n');
    return;
  }
  if (after !== before) writeFileSync(file, after);
  process.stdout.write(after === before ? 'README.md is up to date\n' : 'README.md: variable table rewritten\n');
}

if (isMain(import.meta.url)) {
  try {
    main();
  } catch (error) {
    fail(error);
  }
}
