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
    expect(Object.keys(targets)).toEqual(['sample', 'sample-heavy', 'sample-small', 'sample-medium', 'sample-large', 'sample-autoscaled', 'kind-local', 'staging']);
    expect(targets['kind-local']).toMatchObject({
      kind: 'kubernetes',
      context: 'kind-kind',
      namespace: 'default',
      deployment: 'inference',
      baseUrl: 'http://127.0.0.1:30080',
      selector: 'app=inference',
      resources: { cores: 1, memoryBytes: 1073741824, nodes: 1 },
    });
    expect(resolveTarget('sample')).toMatchObject({ kind: 'process', replicas: 1, healthPath: '/health', dataHook: null });
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
    [{ nope: {} }, 'targets: `targets` in FILE is missing: expected {"targets": {"<name>": {"kind": …}}}'],
    ['{ not json', 'targets: `FILE` is not JSON: '],
  ])('refuses %j', (content, message) => {
    const target = file(content);
    expect(() => loadTargets(target)).toThrow(message.replace('FILE', target));
  });
});
