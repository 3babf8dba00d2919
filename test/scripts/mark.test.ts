/**
 * `npm run mark`: what it appends, and its one-line errors (nothing written on an error). That the
 * analysis measures a marked moment is tested in test/analysis/analyses/resilience.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mark } from '../../scripts/mark.ts';
import { runScript } from '../helpers/run-script.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-mark-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 11, 2, 7, 30, 0);

const records = (dir: string): unknown[] =>
  readFileSync(path.join(dir, 'snapshots', 'markers.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('mark', () => {
  it('appends one marker record per call, at now, an ISO time or a time ago', () => {
    const dir = path.join(root, 'sweep');
    mkdirSync(dir);
    mark([dir, 'failover'], NOW);
    mark([dir, 'node-drain', '--pod', 'web-7f9c-abcde', '--note', 'drained kind-worker2', '--at', '90s'], NOW);
    mark([dir, 'deploy', '--at', '2026-12-02T08:00:00+01:00'], NOW);
    expect(records(dir)).toEqual([
      { captured_at: '2026-12-02T07:30:00.000Z', kind: 'marker', command: ['npm', 'run', 'mark', '--', dir, 'failover'], marker: { kind: 'failover', pod: null, note: null } },
      {
        captured_at: '2026-12-02T07:28:30.000Z',
        kind: 'marker',
        command: ['npm', 'run', 'mark', '--', dir, 'node-drain', '--pod', 'web-7f9c-abcde', '--note', 'drained kind-worker2', '--at', '90s'],
        marker: { kind: 'node-drain', pod: 'web-7f9c-abcde', note: 'drained kind-worker2' },
      },
      { captured_at: '2026-12-02T07:00:00.000Z', kind: 'marker', command: ['npm', 'run', 'mark', '--', dir, 'deploy', '--at', '2026-12-02T08:00:00+01:00'], marker: { kind: 'deploy', pod: null, note: null } },
    ]);
  });

  it.each([
    [['{dir}'], 'mark: expected a folder and a kind, e.g. `npm run mark -- runs/checkout failover`'],
    [['{dir}/missing', 'failover'], 'mark: `{dir}/missing` is not a folder: expected the folder the sweep writes to (runs/<name>)'],
    [['{dir}', 'fail over'], 'mark: the kind `fail over` is not one word: expected letters, digits, `-`, `_` or `.` (failover, node-drain)'],
    [['{dir}', 'failover', 'by', 'hand'], 'mark: unexpected `by hand` after the kind: put a note in --note "…"'],
    [['{dir}', 'failover', '--at', '2026-12-02 07:30'], 'mark: --at `2026-12-02 07:30` is not a time: expected an ISO-8601 time with its zone (2026-12-02T07:30:00Z) or how long ago (90s, 2m)'],
    [['{dir}', 'failover', '--at', '2026-12-02T07:30:00'], 'mark: --at `2026-12-02T07:30:00` is not a time: expected an ISO-8601 time with its zone (2026-12-02T07:30:00Z) or how long ago (90s, 2m)'],
  ])('refuses %j in one line and writes nothing', async (args, message) => {
    const dir = mkdtempSync(path.join(root, 'bad-'));
    const result = await runScript('mark.ts', args.map((a) => a.replace('{dir}', dir)));
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(message.replace('{dir}', dir));
    expect(result.stdout).toBe('');
    expect(existsSync(path.join(dir, 'snapshots'))).toBe(false);
  });

  it('says where it wrote', async () => {
    const dir = mkdtempSync(path.join(root, 'cli-'));
    const result = await runScript('mark.ts', [dir, 'failover']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^mark: recorded at \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/snapshots/markers\\.jsonl\\n$`));
    expect(records(dir)).toHaveLength(1);
  });
});
