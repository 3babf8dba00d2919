import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../scripts/lib/cli.ts';
import { envRows, withEnvTable } from '../scripts/lib/env-docs.ts';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('opens with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm ci && npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it('documents every scenario variable with the default the code uses (run `npm run docs` after a change)', () => {
    expect(withEnvTable(readme)).toBe(readme);
  });

  it('lists the variables the issue requires', () => {
    const names = envRows().map((row) => row.name);
    for (const name of ['BASE_URL', 'TPS', 'DURATION', 'SUMMARY_PATH', 'SLO_P95_MS', 'SLO_ERROR_RATE', 'STAGES', 'STEP', 'MAX_RATE', 'WARMUP']) {
      expect(names).toContain(name);
    }
    expect(envRows().find((row) => row.name === 'BASE_URL')?.fallback).toBe('`http://127.0.0.1:18080`');
  });
});
