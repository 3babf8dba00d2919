/**
 * The sample service as users and the sweep see it: a real process tree on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { startSampleService, type RunningService } from '../../scripts/lib/processes.ts';
import { parseServiceArgs } from '../../scripts/sample-service.ts';

const execFileAsync = promisify(execFile);

async function get(url: string, init?: RequestInit): Promise<{ status: number; replica: string | null; body: string }> {
  const response = await fetch(url, init);
  return { status: response.status, replica: response.headers.get('x-replica'), body: await response.text() };
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sample service, 2 replicas', () => {
  let service: RunningService;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sample-service-'));
    service = await startSampleService({ replicas: 2, restartDelayMs: 100, pidFile: path.join(dir, 'pids.json') });
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and reports one live process per replica', () => {
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect([...service.replicaPids.keys()].sort()).toEqual([0, 1]);
    for (const pid of service.replicaPids.values()) expect(existsSync(`/proc/${pid}/stat`)).toBe(true);
    const pids = JSON.parse(readFileSync(path.join(dir, 'pids.json'), 'utf8'));
    expect(pids.pid).toBe(service.pid);
    expect(pids.port).toBe(service.port);
    expect(pids.replicas).toEqual([...service.replicaPids].sort(([a], [b]) => a - b).map(([replica, pid]) => ({ replica, pid })));
  });

  it('spreads requests over both replicas, like a Service', async () => {
    const seen = new Set<string | null>();
    for (let i = 0; i < 20; i++) seen.add((await get(`${service.url}/health`)).replica);
    expect([...seen].sort()).toEqual(['0', '1']);
  });

  it('serves the endpoints', async () => {
    expect(JSON.parse((await get(`${service.url}/health`)).body)).toMatchObject({ status: 'ok' });
    expect(JSON.parse((await get(`${service.url}/ready`)).body)).toMatchObject({ ready: true });
    const light = await get(`${service.url}/api/light`);
    expect(light.status).toBe(200);
    expect(JSON.parse(light.body)).toMatchObject({ items: [1, 2, 3] });
    const predict = await get(`${service.url}/predict?cost=5`, { method: 'POST', body: '{"features":[1]}' });
    expect(predict.status).toBe(200);
    expect(JSON.parse(predict.body)).toMatchObject({ cost: 5 });
    expect((await get(`${service.url}/metrics`)).body).toContain('# TYPE sample_requests_total counter');
    expect((await get(`${service.url}/nope`)).status).toBe(404);
    expect((await get(`${service.url}/health`, { method: 'DELETE' })).status).toBe(405);
  });

  it('injects errors and latency on request', async () => {
    const failing = await get(`${service.url}/predict?error_rate=1`);
    expect(failing.status).toBe(500);
    expect(JSON.parse(failing.body)).toMatchObject({ error: 'injected error' });
    const started = Date.now();
    expect((await get(`${service.url}/api/light?delay_ms=200`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('restarts a replica that dies, like a pod, and reports its new PID', async () => {
    const old = service.replicaPids.get(1) as number;
    process.kill(old, 'SIGKILL');
    await waitFor(() => service.replicaPids.get(1) !== old);
    expect(service.output()).toContain('replica 1 exited (SIGKILL); restarting in 100 ms');
    expect(existsSync(`/proc/${service.replicaPids.get(1)}/stat`)).toBe(true);
    expect((await get(`${service.url}/health`)).status).toBe(200);
  });
});

describe('sample service lifecycle', () => {
  it('answers 503 on /ready during warm-up, and stops on SIGTERM with every replica', async () => {
    const service = await startSampleService({ replicas: 2, readyAfterMs: 60_000 });
    const ready = await get(`${service.url}/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: false });
    const pids = [...service.replicaPids.values()];
    await service.stop();
    await waitFor(() => pids.every((pid) => !existsSync(`/proc/${pid}/stat`)));
    expect(service.output()).toContain('SIGTERM: stopping 2 replica(s)');
  });

  it('prints help and refuses bad flags with the flag and value', async () => {
    const script = path.join(repoRoot, 'scripts', 'sample-service.ts');
    const help = await execFileAsync(process.execPath, ['--import', 'tsx', script, '--help'], { cwd: repoRoot });
    expect(help.stdout).toContain('Usage: npm run sample-service -- [options]');
    await expect(execFileAsync(process.execPath, ['--import', 'tsx', script, '--replicas', '0'], { cwd: repoRoot })).rejects.toMatchObject({
      code: 1,
      stderr: 'sample-service: `--replicas` is `0`: expected a number from 1 to 64\n',
    });
  });

  it.each([
    [['--port', '18081', '--replicas', '3'], { port: 18081, replicas: 3, predictCost: 50, latencyMs: 0, errorRate: 0 }],
    [['--error-rate', '0.25', '--latency-ms', '50'], { port: 18080, replicas: 1, errorRate: 0.25, latencyMs: 50 }],
  ])('parses %j', (argv, expected) => {
    expect(parseServiceArgs(argv)).toMatchObject(expected);
  });

  it.each([
    [['--error-rate', '2'], 'sample-service: `--error-rate` is `2`: expected a number from 0 to 1'],
    [['--port', 'http'], 'sample-service: `--port` is `http`: expected a number from 0 to 65535'],
    [['--replicas', '1.5'], 'sample-service: `--replicas` is `1.5`: expected an integer from 1 to 64'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseServiceArgs(argv)).toThrow(message);
  });
});
