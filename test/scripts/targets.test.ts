import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS_FILE, loadTargets, resolveTarget } from '../../scripts/lib/targets.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: unknown): string => {
  const target = path.join(dir, `t${++n}.json`);
  writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
  return target;
};

describe('targets', () => {
  it('the repository targets.json parses, with the built-in sample', () => {
    const targets = loadTargets(DEFAULT_TARGETS_FILE);
    expect(Object.keys(targets)).toEqual(['sample', 'sample-heavy', 'sample-small', 'sample-medium', 'sample-large', 'sample-autoscaled', 'sample-leaky', 'sample-degrading', 'kind-local', 'staging']);
    expect(targets['kind-local']).toMatchObject({
      kind: 'kubernetes',
      context: 'kind-kind',
      namespace: 'default',
      deployment: 'inference',
      baseUrl: 'http://127.0.0.1:30080',
      selector: 'app=inference',
      resources: { cores: 1, memoryBytes: 1073741824, nodes: 1 },
    });
    expect(resolveTarget('sample')).toMatchObject({ kind: 'process', replicas: 1, healthPath: '/health', dataHook: null, leakKbPerRequest: null, leakKbPerSecond: null, degradeMsPerMinute: null });
    // At 30 req/s of the default mix (80% /predict), 64 KiB a request reached 128Mi 52 s in (README, Targets).
    expect(targets['sample-leaky']).toMatchObject({ kind: 'process', leakKbPerRequest: 64, leakKbPerSecond: null, degradeMsPerMinute: null, resources: { cores: null, memoryBytes: 134217728 } });
    expect(targets['sample-degrading']).toMatchObject({ kind: 'process', leakKbPerRequest: null, leakKbPerSecond: null, degradeMsPerMinute: 50, resources: null });
  });

  it('reads the aging fields of a process target', () => {
    const target = file({ targets: { old: { kind: 'process', leakKbPerRequest: 0, leakKbPerSecond: 102400, degradeMsPerMinute: 0.5 } } });
    expect(resolveTarget('old', target)).toMatchObject({ leakKbPerRequest: 0, leakKbPerSecond: 102400, degradeMsPerMinute: 0.5 });
  });

  it('reads a url target and trims the trailing slash', () => {
    expect(resolveTarget('api', file({ targets: { api: { kind: 'url', baseUrl: 'http://127.0.0.1:9000/' } } }))).toEqual({
      name: 'api',
      kind: 'url',
      baseUrl: 'http://127.0.0.1:9000',
      healthPath: '/health',
      dataHook: null,
      resources: null,
    });
  });

  it.each([
    [{ targets: { x: { kind: 'docker' } } }, 'targets: `kind` is `"docker"` in targets.x in FILE: expected `kubernetes`, `url` or `process`'],
    [{ targets: { x: { kind: 'url', baseUrl: 'ftp://h' } } }, 'targets: `baseUrl` is `"ftp://h"` in targets.x in FILE: expected an http:// or https:// base URL'],
    [{ targets: { x: { kind: 'kubernetes', namespace: 'Prod', deployment: 'a', baseUrl: 'http://h' } } }, 'targets: `namespace` is `"Prod"` in targets.x in FILE: expected a Kubernetes name'],
    [{ targets: { x: { kind: 'kubernetes', namespace: 'p', deployment: 'a', baseUrl: 'http://h', dataHook: 'load.sh --all' } } }, 'targets: `dataHook` is `"load.sh --all"` in targets.x in FILE: expected a command as an array of strings, e.g. ["./scripts/load-data.sh", "--small"]'],
    [{ targets: { x: { kind: 'process', replicas: 0 } } }, 'targets: `replicas` is `0` in targets.x in FILE: expected an integer from 1 to 64'],
    [{ targets: { x: { kind: 'url', baseUrl: 'http://h', resources: { memory: 'lots' } } } }, 'targets: `resources.memory` is `"lots"` in targets.x in FILE: expected bytes or a quantity such as `2Gi`'],
    [{ targets: { x: { kind: 'process', leakKbPerRequest: 1.5 } } }, 'targets: `leakKbPerRequest` is `1.5` in targets.x in FILE: expected an integer from 0 to 10240 (KiB)'],
    [{ targets: { x: { kind: 'process', leakKbPerRequest: 10241 } } }, 'targets: `leakKbPerRequest` is `10241` in targets.x in FILE: expected an integer from 0 to 10240 (KiB)'],
    [{ targets: { x: { kind: 'process', leakKbPerSecond: '64' } } }, 'targets: `leakKbPerSecond` is `"64"` in targets.x in FILE: expected an integer from 0 to 102400 (KiB)'],
    [{ targets: { x: { kind: 'process', leakKbPerSecond: -1 } } }, 'targets: `leakKbPerSecond` is `-1` in targets.x in FILE: expected an integer from 0 to 102400 (KiB)'],
    [{ targets: { x: { kind: 'process', degradeMsPerMinute: 10001 } } }, 'targets: `degradeMsPerMinute` is `10001` in targets.x in FILE: expected a number from 0 to 10000 (ms per minute)'],
    [{ targets: { x: { kind: 'process', degradeMsPerMinute: null } } }, 'targets: `degradeMsPerMinute` is `null` in targets.x in FILE: expected a number from 0 to 10000 (ms per minute)'],
    [{ nope: {} }, 'targets: `targets` in FILE is missing: expected {"targets": {"<name>": {"kind": …}}}'],
    ['{ not json', 'targets: `FILE` is not JSON: '],
  ])('refuses %j', (content, message) => {
    const target = file(content);
    expect(() => loadTargets(target)).toThrow(message.replace('FILE', target));
  });
});
