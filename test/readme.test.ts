import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOut } from '../analysis/cli.ts';
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

/**
 * Every path a README example writes to, from the commands in its `sh` blocks: k6's `--out` and
 * `SUMMARY_PATH` (default `summary.json`), `analyze`'s report folder (its own default rule), the
 * sweeps' and `k8s`'s `--out` (defaults under runs/ and k8s/), `kubectl cp` destinations.
 */
function writtenPaths(text: string): string[] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const lines = blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n')).map((line) => line.replace(/\s+#.*$/, '').trim());
  const out: string[] = [];
  for (const line of lines) {
    const words = line.split(/\s+/);
    const after = (flag: string): string | undefined => {
      const i = words.indexOf(flag);
      return i < 0 ? undefined : words[i + 1];
    };
    if (line.startsWith('k6 run')) {
      for (const word of words) {
        const written = /^(?:json|csv)=(.+)$/.exec(word)?.[1];
        if (written !== undefined) out.push(written);
      }
      out.push(/SUMMARY_PATH=(\S+)/.exec(line)?.[1] ?? 'summary.json');
    } else if (line.startsWith('npm run analyze')) {
      const args = words.slice(words.indexOf('--') + 1);
      const positionals = args.filter((word, i) => !word.startsWith('--') && args[i - 1] !== '--out' && args[i - 1] !== '--bucket');
      out.push(path.relative(repoRoot, after('--out') === undefined ? defaultOut(positionals, repoRoot) : path.resolve(repoRoot, after('--out') as string)));
    } else if (line.startsWith('npm run compare')) {
      const args = words.slice(words.indexOf('--') + 1).filter((word, i, all) => !word.startsWith('--') && !all[i - 1]?.startsWith('--'));
      const [baseline = '', candidate = ''] = args;
      out.push(after('--out') ?? path.join(path.dirname(baseline), `compare-${path.basename(baseline)}-vs-${path.basename(candidate)}`));
    } else if (/^npm run (sweep|matrix|demo|k8s)\b/.test(line)) {
      const given = after('--out');
      if (given !== undefined) out.push(given);
      else if (line.startsWith('npm run k8s')) out.push(`k8s/${after('--name') ?? 'x'}`);
      else if (!line.includes('--resume')) out.push('runs/x');
    } else if (line.startsWith('kubectl cp')) {
      out.push(words[words.length - 1] as string);
    }
  }
  return out;
}

describe('README examples', () => {
  it('write only where git ignores it (runs/, k8s/, or ignored defaults), never untracked files in the clone', () => {
    const paths = writtenPaths(readme);
    // The examples this test must see, so a change to the README cannot make it vacuous.
    expect(paths).toEqual(
      expect.arrayContaining(['runs/try/k6.json.gz', 'runs/try/summary.json', 'runs/try/report', 'k8s/checkout-20261124', 'runs/checkout-20261124', 'runs/compare-before-vs-after']),
    );
    for (const written of paths) {
      const ignored = spawnSync('git', ['check-ignore', '--no-index', '-q', written], { cwd: repoRoot });
      expect(ignored.status, `${written} is not ignored by .gitignore`).toBe(0);
    }
  });

  it('the defaults of a bare k6 run and analysis in the root are ignored too', () => {
    for (const written of ['summary.json', 'k6.json.gz', 'k6.csv', 'report/report.md']) {
      expect(spawnSync('git', ['check-ignore', '--no-index', '-q', written], { cwd: repoRoot }).status, written).toBe(0);
    }
  });
});
