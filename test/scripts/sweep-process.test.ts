/**
 * `npm run sweep` and `npm run matrix` for real on the built-in `sample` target (the sample service
 * as local processes, sampled from /proc), and on a `url` target: failing thresholds, secrets,
 * Ctrl-C and --resume.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ManifestLevel, PlannedDisruption } from '../../analysis/model/manifest.ts';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { procStat, type ProcessEntry } from '../../scripts/lib/process-registry.ts';
import { startSampleService } from '../../scripts/lib/processes.ts';
import { spawn } from 'node:child_process';
import { runScript, startScript } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-sweep-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fast = ['--duration', '2s', '--pause', '0s', '--snapshot-interval', '1s'];

interface Manifest {
  created_at: string;
  host?: { cores: number; memory_bytes: number; cpu_model: string | null; platform: string };
  resumes?: { at: string; levels: string[]; stopped: { role: string; pid: number }[] }[];
  command: string[];
  plan: { vars: Record<string, string>; secret_names: string[]; disruptions?: PlannedDisruption[] };
  levels: (Pick<ManifestLevel, 'id' | 'status' | 'replicas' | 'exit_code' | 'reason' | 'started_at' | 'ended_at' | 'disruptions'>)[];
}

const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;

function processRecords(file: string): { phase: string; pods: { name: string; cpu: string }[] }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { phase: string; kind: string; stdout: string })
    .filter((record) => record.kind === 'process')
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
    const report = readFileSync(path.join(out, 'report', 'report.md'), 'utf8');
    expect(report).toContain('| tps-40 | local/sample-replica-0 |');
    // k6's own CPU and memory, sampled beside the replica's, kept apart from the target's pods.
    const loadgen = readFileSync(path.join(out, 'tps-40', 'snapshots', 'captures.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"kind":"loadgen"'))
      .map((line) => JSON.parse(JSON.parse(line).stdout) as { items: { metadata: { name: string }; containers: { usage: { cpu: string; memory: string } }[] }[] });
    expect(loadgen.length).toBeGreaterThan(0);
    for (const list of loadgen) {
      expect(list.items.map((item) => item.metadata.name)).toEqual(['k6']);
      expect(Number(list.items[0]?.containers[0]?.usage.memory.replace('Ki', ''))).toBeGreaterThan(1024);
    }
    expect(report).toMatch(/\| tps-40 \| k6 \(load generator\) +\| +\d+ \|/);
    // The header names what ran where.
    const host = manifestOf(out).host;
    expect(host).toEqual({ cores: os.cpus().length, memory_bytes: os.totalmem(), cpu_model: os.cpus()[0]?.model.trim(), platform: `${process.platform} ${process.arch}` });
    expect(report).toContain(`* **Sweep**: \`sample\` (sweep, 2 levels, created ${manifestOf(out).created_at})\n* **Target**: \`sample (process)\`\n* **Scenario**: \`constant\`\n* **k6**: \`v2.2.0\`\n`);
    expect(report).toContain(`* **Load generator host**: ${host?.cores} cores, `);
    // A clean end leaves no process record behind.
    expect(existsSync(path.join(out, '.processes.json'))).toBe(false);
  });

  it('refuses to write over an earlier sweep before sending any load; --force moves it aside', async () => {
    const out = path.join(work, 'sample');
    const before = readFileSync(path.join(out, 'manifest.json'), 'utf8');
    const shown = path.relative(repoRoot, out);
    const again = await runScript('sweep.ts', ['--target', 'sample', '--tps-levels', '20,40', ...fast, '--out', out]);
    expect(again).toMatchObject({ code: 1, stderr: `sweep: \`${shown}\` already holds a sweep (manifest.json): use \`--resume ${shown}\` to continue it, or a new \`--out\`\n` });
    expect(readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(before);
    // Level folders without a manifest (a sweep copied by hand, a crash before the first write) count too.
    const bare = path.join(work, 'bare-levels');
    mkdirSync(path.join(bare, 'old-level'), { recursive: true });
    copyFileSync(path.join(out, 'tps-20', 'k6.json.gz'), path.join(bare, 'old-level', 'k6.json.gz'));
    const demo = await runScript('demo.ts', ['--out', bare]);
    expect(demo).toMatchObject({
      code: 1,
      stderr: `demo: \`${path.relative(repoRoot, bare)}\` already holds a sweep (the level folder old-level/): use \`npm run matrix -- --resume ${path.relative(repoRoot, bare)}\` to continue it, or a new \`--out\`\n`,
    });

    const forced = await runScript('sweep.ts', ['--target', 'sample', '--tps-levels', '5', ...fast, '--out', bare, '--force']);
    expect(forced.code).toBe(0);
    const aside = readdirSync(work).filter((name) => name.startsWith('bare-levels.replaced-'));
    expect(aside).toHaveLength(1);
    expect(forced.stderr).toContain(`sweep: --force: moved the sweep that was in ${path.relative(repoRoot, bare)} to ${path.relative(repoRoot, path.join(work, aside[0] as string))}`);
    expect(readdirSync(path.join(work, aside[0] as string, 'old-level'))).toEqual(['k6.json.gz']);
    expect(manifestOf(bare).levels.map((l) => [l.id, l.status])).toEqual([['tps-5', 'ok']]);
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

describe('--disrupt on a process target', () => {
  const targets = path.join(work, 'targets-disrupt.json');
  writeFileSync(targets, JSON.stringify({ targets: { pair: { kind: 'process', replicas: 2 } } }));

  interface Capture {
    captured_at: string;
    kind: string;
    phase: string;
    command: string[];
    disruption?: unknown;
  }
  const capturesOf = (dir: string): Capture[] =>
    readFileSync(path.join(dir, 'snapshots', 'captures.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Capture);
  /** Replica 0's PID in a process capture: the sampler's command lists the replicas' PIDs in replica order. */
  const replica0 = (capture: Capture | undefined): number => Number(capture?.command[1]);

  it('kills replica 0 at the time, records it in the manifest and the capture log, and the service restarts it', async () => {
    const out = path.join(work, 'disrupt');
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'pair', '--tps-levels', '20', '--duration', '10s', '--snapshot-interval', '1s', '--disrupt', 'kill-replica@4s', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const manifest = manifestOf(out);
    expect(manifest.plan.disruptions).toEqual([{ kind: 'kill-replica', at_s: 4, which: null }]);
    const [level] = manifest.levels;
    const captures = capturesOf(path.join(out, 'tps-20'));
    const before = replica0(captures.find((c) => c.kind === 'process' && c.phase === 'before'));
    expect(level?.disruptions).toEqual([
      { kind: 'kill-replica', at_s: 4, time: expect.any(String), target: 'sample-replica-0', pid: before, ok: true, detail: `killed sample-replica-0 (PID ${before}) with SIGKILL` },
    ]);
    // Done 4 s after k6 started, within the level (started_at is taken just before the first captures).
    const time = Date.parse(level?.disruptions?.[0]?.time ?? '');
    const started = Date.parse(level?.started_at ?? '');
    expect(time - started).toBeGreaterThanOrEqual(4000);
    expect(time - started).toBeLessThan(5500);
    expect(time).toBeLessThan(Date.parse(level?.ended_at ?? ''));
    // The same record in the level's capture log, at its time, with the command it amounts to.
    expect(captures.filter((c) => c.kind === 'disruption')).toEqual([
      { captured_at: level?.disruptions?.[0]?.time, kind: 'disruption', phase: 'during', command: ['kill', '-KILL', String(before)], exit_code: 0, stdout: '', stderr: '', disruption: level?.disruptions?.[0] },
    ]);
    // Replica 0 is back with a new PID (restarted after the service's 1 s delay); the old one is gone.
    const after = replica0(captures.find((c) => c.kind === 'process' && c.phase === 'after'));
    expect(after).not.toBe(before);
    expect(procStat(before)).toBeNull();
    // k6 ran to the end of its 10 s, whatever the errors around the kill.
    expect(['ok', 'thresholds-failed']).toContain(level?.status);
    const summary = JSON.parse(readFileSync(path.join(out, 'tps-20', 'summary.json'), 'utf8')) as { run: { duration_s: number } };
    expect(summary.run.duration_s).toBeGreaterThanOrEqual(9.9);
    expect(result.stderr).toContain(`sweep: tps-20: kill-replica at 0:04 — killed sample-replica-0 (PID ${before}) with SIGKILL\n`);
  });

  it('records a disruption that cannot be done as failed, and the level goes on', async () => {
    const out = path.join(work, 'disrupt-twice');
    // The second kill comes while replica 0 is down (the service restarts it after 1 s).
    const result = await runScript('sweep.ts', ['--target', 'sample', '--tps-levels', '10', '--duration', '4s', '--snapshot-interval', '1s', '--disrupt', 'kill-replica@1.2s', '--disrupt', 'kill-replica@1s', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const [level] = manifestOf(out).levels;
    expect(level?.disruptions?.map((d) => [d.at_s, d.target, d.ok, d.pid === null, d.detail.replace(/\d+/g, 'N')])).toEqual([
      [1, 'sample-replica-0', true, false, 'killed sample-replica-N (PID N) with SIGKILL'],
      [1.2, 'sample-replica-0', false, true, 'replica N was not running'],
    ]);
    expect(level?.exit_code === 0 || level?.exit_code === 99).toBe(true);
    expect(result.stderr).toContain('sweep: tps-10: kill-replica at 0:01 FAILED — replica 0 was not running\n');
  });

  it('--resume does the disruptions of the plan again, and none after an interruption', async () => {
    const out = path.join(work, 'disrupt-resume');
    const { child, done } = startScript('sweep.ts', [
      '--targets', targets, '--target', 'pair', '--tps-levels', '10,20', '--duration', '5s', '--pause', '0s', '--snapshot-interval', '1s',
      '--disrupt', 'kill-replica:1@3s', '--disrupt', 'kill-replica@1s', '--out', out,
    ]);
    // Ctrl-C once the first disruption is recorded: the one at 3 s is never done.
    await until(() => existsSync(path.join(out, 'manifest.json')) && (manifestOf(out).levels[0]?.disruptions?.length ?? 0) > 0, 60_000);
    child.kill('SIGINT');
    expect((await done).code).toBe(130);
    const interrupted = manifestOf(out);
    expect(interrupted.levels.map((l) => [l.id, l.status, l.disruptions?.map((d) => [d.kind, d.at_s, d.target, d.ok])])).toEqual([
      ['tps-10', 'interrupted', [['kill-replica', 1, 'sample-replica-0', true]]],
      ['tps-20', 'pending', undefined],
    ]);

    const resumed = await runScript('sweep.ts', ['--resume', out, '--targets', targets, '--disrupt', 'kill-replica@2s']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('ignoring --disrupt');
    const manifest = manifestOf(out);
    expect(manifest.plan.disruptions).toEqual([
      { kind: 'kill-replica', at_s: 1, which: null },
      { kind: 'kill-replica', at_s: 3, which: 1 },
    ]);
    // Each level of the resumed run has both, in time order; the interrupted attempt's record is in its kept capture log.
    // (Finished: `ok`, or `thresholds-failed` when the requests lost with a replica broke the error rate.)
    const finished = (status: string): boolean => status === 'ok' || status === 'thresholds-failed';
    expect(manifest.levels.map((l) => [l.id, finished(l.status), l.disruptions?.map((d) => [d.at_s, d.target, d.ok])])).toEqual([
      ['tps-10', true, [[1, 'sample-replica-0', true], [3, 'sample-replica-1', true]]],
      ['tps-20', true, [[1, 'sample-replica-0', true], [3, 'sample-replica-1', true]]],
    ]);
    const resumedAt = Date.parse(manifest.resumes?.[0]?.at ?? '');
    for (const level of manifest.levels) for (const d of level.disruptions ?? []) expect(Date.parse(d.time)).toBeGreaterThan(resumedAt);
    const [attempt] = readdirSync(path.join(out, 'tps-10', 'previous-attempts'));
    expect(capturesOf(path.join(out, 'tps-10', 'previous-attempts', attempt as string)).filter((c) => c.kind === 'disruption')).toHaveLength(1);
  });

  describe('checked before any load', () => {
    // A k6 that only notes it was called: none of these may get that far.
    const bin = path.join(work, 'noting-bin');
    const called = path.join(work, 'k6-called.txt');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'k6'), `#!/bin/sh\necho "$@" >> ${JSON.stringify(called)}\necho "k6 v2.2.0 (noting test double)"\n`);
    chmodSync(path.join(bin, 'k6'), 0o755);
    const urlTargets = path.join(work, 'targets-disrupt-url.json');
    writeFileSync(urlTargets, JSON.stringify({ targets: { staging: { kind: 'url', baseUrl: 'http://127.0.0.1:9' } } }));

    it.each([
      [['--disrupt', 'reboot@4s'], 'sweep: `--disrupt` is `reboot@4s`: unknown kind `reboot`: expected `kill-replica` or `delete-pod`\n'],
      [['--disrupt', 'kill-replica'], 'sweep: `--disrupt` is `kill-replica`: expected KIND@TIME such as `kill-replica@30s` or `delete-pod@1m30s`\n'],
      [['--disrupt', 'kill-replica@4 s'], 'sweep: `--disrupt` is `kill-replica@4 s`: expected a time into the level after `@`, a k6 duration such as `30s` or `1m30s`\n'],
      [['--disrupt', 'delete-pod@4s'], 'sweep: `--disrupt delete-pod@4s` does not fit target `sample`, a process target: expected `kill-replica`\n'],
      [['--disrupt', 'kill-replica@10s'], 'sweep: `--disrupt kill-replica@10s` is at or after the end of level `tps-10`, which runs `10s`: expected a time before `10s`\n'],
      [['--disrupt', 'kill-replica:1@4s'], 'sweep: `--disrupt kill-replica:1@4s`: level `tps-10` runs 1 replica (replica 0): expected replica 0\n'],
      [
        ['--disrupt', 'delete-pod:Web_1@4s'],
        "sweep: `--disrupt` is `delete-pod:Web_1@4s`: `Web_1` is not a pod name: expected a Kubernetes name (lowercase letters, digits, '-' and '.', at most 253)\n",
      ],
      [['--targets', urlTargets, '--target', 'staging', '--disrupt', 'kill-replica@4s'], 'sweep: `--disrupt kill-replica@4s` does not fit target `staging`, a url target: it has nothing to disrupt; drop `--disrupt`\n'],
    ])('%j', async (args, message) => {
      const out = path.join(work, 'disrupt-refused');
      const result = await runScript('sweep.ts', ['--target', 'sample', '--tps-levels', '10', '--duration', '10s', ...args, '--out', out], { env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` } });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(message);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(called)).toBe(false);
    });

    it('in a matrix, against every cell', async () => {
      const out = path.join(work, 'disrupt-refused-matrix');
      const result = await runScript('matrix.ts', ['--target', 'sample', '--replicas', '2,1', '--tps-levels', '10', '--duration', '10s', '--disrupt', 'kill-replica:1@4s', '--out', out], {
        env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      });
      expect(result).toMatchObject({ code: 1, stderr: 'matrix: `--disrupt kill-replica:1@4s`: level `r1-tps-10` runs 1 replica (replica 0): expected replica 0\n' });
      expect(existsSync(out)).toBe(false);
      expect(existsSync(called)).toBe(false);
    });
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
    expect(spawnSync('pgrep', ['-f', `${out}/tps-20`], { encoding: 'utf8' })).toMatchObject({ status: 1, stdout: '' });

    // A k6 of an earlier attempt still running (as when the sweep died where no parent-death signal
    // reached its children): recorded with its start time, it is ours and stopped before any load.
    // A recorded PID whose start time differs is someone else's process now, and is left alone.
    const survivor = spawn('sleep', ['300'], { stdio: 'ignore' });
    const stranger = spawn('sleep', ['300'], { stdio: 'ignore' });
    await until(() => procStat(survivor.pid as number) !== null && procStat(stranger.pid as number) !== null, 5000);
    const record = (pid: number, startTicks: number): ProcessEntry => ({
      role: 'k6',
      pid,
      start_ticks: startTicks,
      boot_id: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      level: 'tps-20',
      started_at: new Date().toISOString(),
    });
    writeFileSync(
      path.join(out, '.processes.json'),
      JSON.stringify([record(survivor.pid as number, procStat(survivor.pid as number)?.startTicks as number), record(stranger.pid as number, 1)]),
    );
    try {
      const resumed = await runScript('sweep.ts', ['--resume', out, '--target', 'other', '--duration', '9s']);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain(`sweep: --resume continues the plan in ${path.join(path.relative(repoRoot, out), 'manifest.json')}: ignoring --target, --duration\n`);
      expect(resumed.stderr).toContain(`sweep: --resume: k6 PID ${survivor.pid} (level tps-20) of the earlier attempt was still running: stopped`);
      expect(procStat(survivor.pid as number)).toBeNull();
      expect(procStat(stranger.pid as number)).not.toBeNull();
      const resumes = manifestOf(out).resumes ?? [];
      expect(resumes.map((r) => [r.levels, r.stopped])).toEqual([[['tps-20', 'tps-30'], [{ role: 'k6', pid: survivor.pid }]]]);
    } finally {
      survivor.kill('SIGKILL');
      stranger.kill('SIGKILL');
    }
    // The interrupted attempt's partial output is kept beside the new one, not overwritten.
    const attempts = readdirSync(path.join(out, 'tps-20', 'previous-attempts'));
    expect(attempts).toHaveLength(1);
    expect(readdirSync(path.join(out, 'tps-20', 'previous-attempts', attempts[0] as string))).toContain('k6.json.gz');
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

describe('SIGTERM, a crash, a k6 that will not stop', () => {
  it('SIGTERM stops the sweep like Ctrl-C: the level is interrupted, k6 is gone, exit 130', async () => {
    const out = path.join(work, 'sigterm');
    const { child, done } = startScript('sweep.ts', ['--target', 'sample', '--tps-levels', '10', '--duration', '30s', '--snapshot-interval', '1s', '--out', out]);
    await until(() => existsSync(path.join(out, 'manifest.json')) && manifestOf(out).levels[0]?.status === 'running', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('sweep: SIGTERM: stopping the current level; finished levels are kept');
    expect(manifestOf(out).levels.map((l) => [l.id, l.status, l.reason])).toEqual([['tps-10', 'interrupted', 'stopped by SIGTERM']]);
    // k6 stopped cleanly: it still wrote its summary.
    expect(existsSync(path.join(out, 'tps-10', 'summary.json'))).toBe(true);
    expect(spawnSync('pgrep', ['-f', `${out}/tps-10`], { encoding: 'utf8' })).toMatchObject({ status: 1, stdout: '' });
  });

  it('a sweep killed with SIGKILL takes k6 and the sample service with it; --resume records itself', async () => {
    const out = path.join(work, 'crash');
    const { child, done } = startScript('sweep.ts', ['--target', 'sample', '--tps-levels', '10,20', '--duration', '3s', '--pause', '0s', '--snapshot-interval', '1s', '--out', out]);
    await until(() => existsSync(path.join(out, 'manifest.json')) && manifestOf(out).levels[0]?.status === 'running', 60_000);
    await until(() => readRecorded(out).some((entry) => entry.role === 'k6'), 10_000);
    const children = readRecorded(out).filter((entry) => entry.role !== 'sweep');
    expect(children.map((entry) => entry.role).sort()).toEqual(['k6', 'sample-service']);
    child.kill('SIGKILL');
    await done;
    // The kernel's parent-death signal (setpriv --pdeathsig) stops both within moments.
    await until(() => children.every((entry) => procStat(entry.pid) === null), 10_000);
    expect(manifestOf(out).levels.map((l) => l.status)).toEqual(['running', 'pending']);

    const resumed = await runScript('sweep.ts', ['--resume', out]);
    expect(resumed.code).toBe(0);
    const manifest = manifestOf(out);
    expect(manifest.levels.map((l) => [l.id, l.status])).toEqual([
      ['tps-10', 'ok'],
      ['tps-20', 'ok'],
    ]);
    expect(manifest.resumes?.map((r) => [r.levels, r.stopped])).toEqual([[['tps-10', 'tps-20'], []]]);
    expect(Date.parse(manifest.resumes?.[0]?.at ?? '')).toBeGreaterThan(Date.parse(manifest.created_at));
  });

  it('kills a k6 that does not stop within --stop-grace and marks the level interrupted', async () => {
    // A k6 that answers `version` like k6 v2 and ignores SIGINT and SIGTERM while it "runs".
    const bin = path.join(work, 'stubborn-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'k6'), '#!/bin/sh\nif [ "$1" = version ]; then echo "k6 v2.2.0 (stubborn test double)"; exit 0; fi\ntrap "" INT TERM\nexec sleep 60\n');
    chmodSync(path.join(bin, 'k6'), 0o755);
    const out = path.join(work, 'stubborn');
    const { child, done } = startScript('sweep.ts', ['--target', 'sample', '--tps-levels', '10', '--duration', '30s', '--stop-grace', '1s', '--out', out], {
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
    });
    await until(() => existsSync(path.join(out, 'manifest.json')) && manifestOf(out).levels[0]?.status === 'running', 60_000);
    await until(() => readRecorded(out).some((entry) => entry.role === 'k6'), 10_000);
    const k6 = readRecorded(out).find((entry) => entry.role === 'k6') as ProcessEntry;
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(manifestOf(out).levels.map((l) => [l.status, l.reason])).toEqual([
      ['interrupted', 'stopped by SIGTERM; k6 did not stop within 1 s and was killed (its summary may be missing)'],
    ]);
    expect(procStat(k6.pid)).toBeNull();
  });
});

function readRecorded(out: string): ProcessEntry[] {
  try {
    return JSON.parse(readFileSync(path.join(out, '.processes.json'), 'utf8')) as ProcessEntry[];
  } catch {
    return [];
  }
}

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
      'targets: no target `nope`: expected one of `sample`, `sample-heavy`, `sample-small`, `sample-medium`, `sample-large`, `sample-autoscaled`, `sample-leaky`, `sample-degrading`, `kind-local`, `staging`\nNote: targets are defined in targets.json (format: README.md, section Targets)\n',
    ],
    [['--target', 'sample', '--tps-levels', '10', '--env', 'TPS'], 'sweep: `--env` is `TPS`: expected KEY=VALUE with KEY of letters, digits and _\n'],
    // The VU pool a level needs is checked before anything starts, with lib/'s own rule and message.
    [
      ['--target', 'sample', '--tps-levels', '10,1e9', '--out', path.join(work, 'never-written')],
      'sweep: level `tps-1000000000` would not run: executor: a peak rate of `1000000000`/s with `EXPECTED_LATENCY_MS` `100` needs 150000000 pre-allocated VUs (1.5 × rate × latency): expected at most 1500 (`VU_LIMIT`); lower the rate or `EXPECTED_LATENCY_MS`, set `PRE_ALLOCATED_VUS` and `MAX_VUS` to at most 1500, or raise `VU_LIMIT` if the load generator has the memory (about 0.5 MB per VU)\nNote: nothing was sent; change the level or the variable (`--env NAME=value`)\n',
    ],
    [
      ['--target', 'sample', '--tps-levels', '10', '--env', 'MAX_VUS=5000'],
      'sweep: level `tps-10` would not run: executor: `MAX_VUS` is `5000`: expected at most 1500 (`VU_LIMIT`); lower it, or raise `VU_LIMIT` if the load generator has the memory (about 0.5 MB per VU)\nNote: nothing was sent; change the level or the variable (`--env NAME=value`)\n',
    ],
  ])('%j', async (args, message) => {
    const result = await runScript('sweep.ts', args);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(message);
    expect(existsSync(path.join(work, 'never-written'))).toBe(false);
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
