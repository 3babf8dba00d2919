/**
 * `npm run --silent ensure-k6` in the situations a new user meets: k6 on PATH, a wrong k6 on PATH,
 * a cached build, nothing at all. Fake `k6` programs stand in for the binary; the real build is what
 * the global setup and CI do.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { K6_VERSION, parseK6Version } from '../../scripts/lib/k6.ts';

const execFileAsync = promisify(execFile);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ensure-k6-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeK6(folder: string, version: string): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'k6');
  writeFileSync(file, `#!/bin/sh\necho "k6 v${version} (commit/devel, go1.26.8, linux/amd64)"\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Runs ensure-k6 with only `pathDirs` on PATH and an empty per-test cache. */
async function ensure(pathDirs: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: pathDirs.join(path.delimiter), HOME: dir, K6_CAPACITY_CACHE: path.join(dir, 'cache') };
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'ensure-k6.ts')], { cwd: repoRoot, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('ensure-k6', () => {
  it('uses a k6 v2 from PATH and prints its absolute path last', async () => {
    const k6 = fakeK6(path.join(dir, 'bin'), '2.1.0');
    const result = await ensure([path.join(dir, 'bin')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${k6}\n`);
    expect(result.stderr).toBe(`ensure-k6: using k6 v2.1.0 from PATH (${k6})\n`);
  });

  it('uses the cached build when PATH has none', async () => {
    const cached = fakeK6(path.join(dir, 'cache', 'k6', `v${K6_VERSION}`), K6_VERSION);
    const result = await ensure([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${cached}\n`);
    expect(result.stderr).toBe(`ensure-k6: using cached k6 v${K6_VERSION} (${cached})\n`);
  });

  it('without k6 and without Go, fails and says how to install k6', async () => {
    const result = await ensure([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `ensure-k6: no k6 v2 on PATH and no Go toolchain to build k6 v${K6_VERSION}\n` +
        'Note: install k6 v2 (https://grafana.com/docs/k6/latest/set-up/install-k6/) and put it on PATH, ' +
        'or install Go 1.25 or newer (https://go.dev/dl/) and run `npm run ensure-k6` again to build k6 into ' +
        `${path.join(dir, 'cache', 'k6', `v${K6_VERSION}`)}\n`,
    );
  });

  it('ignores a k6 of another major version, and says why', async () => {
    const old = fakeK6(path.join(dir, 'old'), '1.8.1');
    const result = await ensure([path.join(dir, 'old')]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`ensure-k6: ignoring ${old}: it is k6 v1.8.1, the project needs k6 v2`);
  });
});

describe('parseK6Version', () => {
  it.each([
    ['k6 v2.2.0 (commit/devel, go1.26.8, linux/amd64)', '2.2.0'],
    ['k6 v1.8.1 (go1.25.1, linux/amd64)\n  k6/x/sql v1.0.0', '1.8.1'],
    ['something else', undefined],
  ])('%s', (output, version) => {
    expect(parseK6Version(output)).toBe(version);
  });
});
