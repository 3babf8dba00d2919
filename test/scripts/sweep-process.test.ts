/**
 * `npm run sweep` and `npm run matrix` for real on the built-in `sample` target (the sample service
 * as local processes, sampled from /proc), and on a `url` target: failing thresholds, secrets,
 * Ctrl-C and --resume.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startSampleService } from '../../scripts/lib/processes.ts';
import { runScript, startScript } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-sweep-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fast = ['--duration', '2s', '--pause', '0s', '--snapshot-interval', '1s'];

interface Manifest {
  command: string[];
  plan: { vars: Record<string, string>; secret_names: string[] };
  levels: { id: string; status: string; replicas: number | null; exit_code: number | null; reason: string | null }[];
}

const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;

function processRecords(file: string): { phase: string; pods: { name: string; cpu: string }[] }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { phase: string; kind: string; stdout: string })
    .map((record) => ({
      phase: record.phase,
      pods: (JSON.parse(record.stdout) as { items: { metadata: { name: string }; containers: { usage: { cpu: string } }[] }[] }).items.map((item) => ({
        name: item.metadata.name,
        cpu: item.containers[0]?.usage.cpu ?? '',
      })),
    }));
}

describe('sweep on the sample target', () => {
  it('runs each level with /proc captures of the replicas and analyses the run directory', async () => {
    const out = path.join(work, 'sample');
    const result = await runScript('sweep.ts', ['--target', 'sample', '--tps-levels', '20,40', ...fast, '--out', out]);
    expect(result.code).toBe(0);
    expect(manifestOf(out).levels.map((l) => [l.id, l.status, l.exit_code])).toEqual([
      ['tps-20', 'ok', 0],
      ['tps-40', 'ok', 0],
    ]);
    for (const level of ['tps-20', 'tps-40']) {
      expect(existsSync(path.join(out, level, 'k6.json.gz'))).toBe(true);
      expect(existsSync(path.join(out, level, 'summary.json'))).toBe(true);
    }
    // The replica sends CPU while k6 loads it: every "during" record has the one replica with usage > 0.
    const during = processRecords(path.join(out, 'tps-40', 'snapshots', 'captures.jsonl')).filter((r) => r.phase === 'during');
    expect(during.length).toBeGreaterThan(0);
    for (const record of during) {
      expect(record.pods.map((p) => p.name)).toEqual(['sample-replica-0']);
      expect(Number(record.pods[0]?.cpu.replace('n', ''))).toBeGreaterThan(0);
    }
    const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    expect(analysis.runs.map((r: { label: string; level: number; status: string }) => [r.label, r.level, r.status])).toEqual([
      ['tps-20', 20, 'ok'],
      ['tps-40', 40, 'ok'],
    ]);
    expect(analysis.findings.filter((f: { severity: string }) => f.severity !== 'info')).toEqual([]);
    expect(readFileSync(path.join(out, 'report', 'report.md'), 'utf8')).toContain('| tps-40 | local/sample-replica-0 |');
  });

  it('records a level whose thresholds fail and goes on with the next', async () => {
    const out = path.join(work, 'slo');
    const result = await runScript('sweep.ts', ['--target', 'sample', '--tps-levels', '10,20', ...fast, '--env', 'SLO_P95_MS=0.001', '--out', out]);
    expect(result.code).toBe(0);
    expect(manifestOf(out).levels.map((l) => [l.id, l.status, l.exit_code])).toEqual([
      ['tps-10', 'thresholds-failed', 99],
      ['tps-20', 'thresholds-failed', 99],
    ]);
    expect(manifestOf(out).plan.vars).toEqual({ SLO_P95_MS: '0.001' });
    expect(result.stdout).toContain('  FAIL tps-10: 1 threshold failed');
  });
});

describe('matrix on the sample target', () => {
  it('restarts the sample service with each replica count', async () => {
    const out = path.join(work, 'matrix');
    const result = await runScript('matrix.ts', ['--target', 'sample', '--replicas', '1,2', '--tps-levels', '30', '--cooldown', '0s', ...fast, '--out', out]);
    expect(result.code).toBe(0);
    expect(manifestOf(out).levels.map((l) => [l.id, l.replicas, l.status])).toEqual([
      ['r1-tps-30', 1, 'ok'],
      ['r2-tps-30', 2, 'ok'],
    ]);
    const names = (cell: string): string[] =>
      [...new Set(processRecords(path.join(out, cell, 'snapshots', 'captures.jsonl')).flatMap((r) => r.pods.map((p) => p.name)))].sort();
    expect(names('r1-tps-30')).toEqual(['sample-replica-0']);
    expect(names('r2-tps-30')).toEqual(['sample-replica-0', 'sample-replica-1']);
  });
});

describe('secrets', () => {
  it('reach k6 (the service wants the token) but never the manifest, the outputs, the report or the log', async () => {
    const token = 'tok-5f2b9c1e-never-written';
    const service = await startSampleService({ replicas: 1, requireToken: token });
    const out = path.join(work, 'secret');
    const targets = path.join(work, 'targets-url.json');
    writeFileSync(targets, JSON.stringify({ targets: { guarded: { kind: 'url', baseUrl: service.url } } }));
    try {
      const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'guarded', '--tps-levels', '10', ...fast, '--env', 'MIX=predict', '--env', `AUTH_TOKEN=${token}`, '--out', out]);
      expect(result.code).toBe(0);
      // With the token every request succeeds: the service answers 401 to any request without it.
      const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
      expect(analysis.runs[0]).toMatchObject({ failed_requests: 0, error_rate: 0 });
      expect(analysis.runs[0].requests).toBeGreaterThan(10);
      const manifest = manifestOf(out);
      expect(manifest.command).toContain('AUTH_TOKEN=<redacted>');
      expect(manifest.plan).toMatchObject({ vars: { MIX: 'predict' }, secret_names: ['AUTH_TOKEN'] });
      for (const file of allFiles(out)) {
        const raw = readFileSync(file);
        const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
        expect(text.includes(token), file).toBe(false);
      }
      expect(result.stdout.includes(token) || result.stderr.includes(token)).toBe(false);
    } finally {
      await service.stop();
    }
  });
});

describe('Ctrl-C and --resume', () => {
  it('keeps finished levels, marks the running one interrupted, exits 130; --resume finishes the rest', async () => {
    const out = path.join(work, 'interrupted');
    const { child, done } = startScript('sweep.ts', ['--target', 'sample', '--tps-levels', '10,20,30', '--duration', '4s', '--pause', '0s', '--snapshot-interval', '1s', '--out', out]);
    // Wait until the second level is running, then press Ctrl-C.
    await until(() => existsSync(path.join(out, 'manifest.json')) && manifestOf(out).levels[1]?.status === 'running', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('sweep: SIGINT: stopping the current level; finished levels are kept');
    expect(result.stderr).toContain(`sweep: resume with: npm run sweep -- --resume ${path.relative(process.cwd(), out)}`);
    expect(manifestOf(out).levels.map((l) => [l.id, l.status])).toEqual([
      ['tps-10', 'ok'],
      ['tps-20', 'interrupted'],
      ['tps-30', 'pending'],
    ]);
    const firstLevel = statSync(path.join(out, 'tps-10', 'k6.json.gz')).mtimeMs;
    // No k6 left behind.
    expect(() => execFileSync('pgrep', ['-f', `${out}/tps-20`])).toThrow();

    const resumed = await runScript('sweep.ts', ['--resume', out]);
    expect(resumed.code).toBe(0);
    expect(manifestOf(out).levels.map((l) => [l.id, l.status])).toEqual([
      ['tps-10', 'ok'],
      ['tps-20', 'ok'],
      ['tps-30', 'ok'],
    ]);
    // The finished level was not run again.
    expect(statSync(path.join(out, 'tps-10', 'k6.json.gz')).mtimeMs).toBe(firstLevel);
    const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    expect(analysis.runs.map((r: { label: string; status: string }) => [r.label, r.status])).toEqual([
      ['tps-10', 'ok'],
      ['tps-20', 'ok'],
      ['tps-30', 'ok'],
    ]);
  });
});

describe('before the first level', () => {
  it('runs the target\'s data hook once with BASE_URL, unless --skip-data', async () => {
    const service = await startSampleService({ replicas: 1 });
    const marker = path.join(work, 'hook-ran.txt');
    const hook = path.join(work, 'hook.mjs');
    writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, process.env.BASE_URL + '\\n');\n`);
    const targets = path.join(work, 'targets-hook.json');
    writeFileSync(targets, JSON.stringify({ targets: { withdata: { kind: 'url', baseUrl: service.url, dataHook: [process.execPath, hook] } } }));
    try {
      const ran = await runScript('sweep.ts', ['--targets', targets, '--target', 'withdata', '--tps-levels', '5,10', ...fast, '--out', path.join(work, 'hook')]);
      expect(ran.code).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe(`${service.url}\n`);
      const skipped = await runScript('sweep.ts', ['--targets', targets, '--target', 'withdata', '--tps-levels', '5', ...fast, '--skip-data', '--out', path.join(work, 'hook-skipped')]);
      expect(skipped.code).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe(`${service.url}\n`);
    } finally {
      await service.stop();
    }
  });

  it('gives up on a target that never gets healthy, before any load', async () => {
    const targets = path.join(work, 'targets-dead.json');
    // A loopback port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    writeFileSync(targets, JSON.stringify({ targets: { dead: { kind: 'url', baseUrl: `http://127.0.0.1:${port}` } } }));
    const out = path.join(work, 'dead');
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'dead', '--tps-levels', '5', ...fast, '--health-timeout', '2s', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `sweep: \`http://127.0.0.1:${port}/health\` is not healthy after 2 s: last answer ECONNREFUSED\nNote: check the target, raise --health-timeout, or pass --skip-health-wait\n`,
    );
    expect(manifestOf(out).levels.map((l) => l.status)).toEqual(['pending']);
  });
});

describe('usage errors', () => {
  it.each([
    [['--tps-levels', '10'], 'sweep: `--target` is missing: expected a target name such as `sample`\n'],
    [['--target', 'sample', '--tps-levels', '10,abc'], 'sweep: `--tps-levels` is `10,abc`: expected a comma-separated list of a number > 0\n'],
    [['--target', 'sample', '--tps-levels', '10', '--duration', 'forever'], 'sweep: `--duration` is `forever`: expected a k6 duration such as `30s` or `3m`\n'],
    [
      ['--target', 'nope', '--tps-levels', '10'],
      'targets: no target `nope`: expected one of `sample`, `sample-heavy`, `kind-local`, `staging`\nNote: targets are defined in targets.json (format: README.md, section Targets)\n',
    ],
    [['--target', 'sample', '--tps-levels', '10', '--env', 'TPS'], 'sweep: `--env` is `TPS`: expected KEY=VALUE with KEY of letters, digits and _\n'],
  ])('%j', async (args, message) => {
    const result = await runScript('sweep.ts', args);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(message);
  });

  it('prints help', async () => {
    const result = await runScript('matrix.ts', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run matrix -- --target NAME --replicas 1,2,4,8 --tps-levels 10,25,50 \[options\]/);
  });
});

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? allFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (predicate()) return;
    } catch {
      // the manifest may be between writes
    }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
