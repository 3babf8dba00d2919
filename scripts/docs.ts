/**
 * Regenerates the generated parts of README.md (the table of scenario variables).
 *
 *   npm run docs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fail, isMain, repoRoot } from './lib/cli.ts';
import { withEnvTable } from './lib/env-docs.ts';

function main(): void {
  const file = path.join(repoRoot, 'README.md');
  const before = readFileSync(file, 'utf8');
  const after = withEnvTable(before);
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
