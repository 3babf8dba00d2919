/**
 * scripts/run-bundled.mjs, which `npm run analyze` and `npm run compare` go through: the program runs
 * from a bundle (same output as through tsx), the bundle is built once and reused, an edited source
 * makes it build again, and a wrong program is refused with its usage line.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/cli.ts';

const execFileAsync = promisify(execFile);
const cacheParent = path.join(repoRoot, 'node_modules', '.cache', 'k6-capacity');
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function launch(cacheDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [path.join(repoRoot, 'scripts', 'run-bundled.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, K6_CAPACITY_BUNDLE_DIR: path.relative(repoRoot, cacheDir), INIT_CWD: repoRoot },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('run-bundled', () => {
  const cacheDir = (): string => {
    mkdirSync(cacheParent, { recursive: true });
    const dir = mkdtempSync(path.join(cacheParent, 'test-'));
    dirs.push(dir);
    return dir;
  };

  it('runs analyze from a bundle with the output tsx gives, and builds it only when a source changed', async () => {
    const dir = cacheDir();
    const bundle = path.join(dir, 'analysis--cli.mjs');
    const inputsFile = path.join(dir, 'analysis--cli.inputs.json');

    const first = await launch(dir, 'analysis/cli.ts', '--help');
    expect(first.code).toBe(0);
    const { stdout: throughTsx } = await execFileAsync(process.execPath, ['--import', 'tsx', 'analysis/cli.ts', '--help'], { cwd: repoRoot });
    expect(first.stdout).toBe(throughTsx);
    expect(first.stdout).toMatch(/^Usage: npm run analyze -- <paths...> \[options\]$/m);

    // What it was made from is recorded with sizes and times: the sources, the packages bundled with
    // them (esbuild stays a package: the ingest runs it), and run-bundled.mjs itself (its build options).
    const inputs = (JSON.parse(readFileSync(inputsFile, 'utf8')) as { inputs: { path: string; size: number; mtimeMs: number }[] }).inputs;
    const paths = inputs.map((input) => input.path);
    expect(paths).toContain(path.join('analysis', 'cli.ts'));
    expect(paths).toContain(path.join('analysis', 'ingest', 'ndjson-reader.ts'));
    expect(paths).toContain(path.join('scripts', 'run-bundled.mjs'));
    expect(paths.some((p) => p.startsWith(path.join('node_modules', 'arquero')))).toBe(true);
    expect(paths.some((p) => p.startsWith(path.join('node_modules', 'esbuild')))).toBe(false);
    const reader = inputs.find((input) => input.path === path.join('analysis', 'ingest', 'ndjson-reader.ts'));
    expect(reader?.size).toBe(statSync(path.join(repoRoot, 'analysis', 'ingest', 'ndjson-reader.ts')).size);

    // Nothing changed: the bundle is reused as it is.
    const built = statSync(bundle).mtimeMs;
    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\n// reused\n`);
    const reused = statSync(bundle).mtimeMs;
    expect((await launch(dir, 'analysis/cli.ts', '--help')).stdout).toBe(throughTsx);
    expect(statSync(bundle).mtimeMs).toBe(reused);
    expect(readFileSync(bundle, 'utf8')).toMatch(/\/\/ reused\n$/);
    expect(reused).toBeGreaterThanOrEqual(built);

    // A source that is not as recorded (here: its recorded size is off by one, as after an edit)
    // makes the next launch build again.
    writeFileSync(inputsFile, JSON.stringify({ ...JSON.parse(readFileSync(inputsFile, 'utf8')), inputs: inputs.map((input) => (input === reader ? { ...input, size: input.size + 1 } : input)) }));
    expect((await launch(dir, 'analysis/cli.ts', '--help')).stdout).toBe(throughTsx);
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/\/\/ reused\n$/);
  }, 60_000);

  it('passes the arguments and the exit code through (a usage error: exit 1 and its message)', async () => {
    const dir = cacheDir();
    const result = await launch(dir, 'analysis/cli.ts', '--threads', '0', 'results-samples/demo');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('analyze: `--threads` is `0`: expected a whole number from 1 to 16\n');
  }, 60_000);

  it('refuses what is not a program of the repository, and one that exports no main', async () => {
    const dir = cacheDir();
    const missing = await launch(dir, 'analysis/nothing.ts');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('usage: node scripts/run-bundled.mjs PROGRAM.ts [ARGS…] (a program of this repository, e.g. analysis/cli.ts), got `analysis/nothing.ts`\n');
    const noMain = await launch(dir, 'analysis/errors.ts');
    expect(noMain.code).toBe(1);
    expect(noMain.stderr).toBe('run-bundled: analysis/errors.ts exports no `main` function to run\n');
    expect(existsSync(path.join(dir, 'analysis--errors.mjs'))).toBe(true);
  }, 60_000);
});
