/**
 * Runs one of the project's command-line scripts as a user would (a child process), with a fake
 * kubectl on PATH when asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../scripts/lib/cli.ts';
import type { KubectlRule } from './kubectl-outputs.ts';

export interface ScriptResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FakeKubectl {
  /** PATH with the fake kubectl first. */
  readonly path: string;
  readonly env: Record<string, string>;
  /** Every argv the fake was called with, in order. */
  calls(): string[][];
}

export function fakeKubectl(rules: readonly KubectlRule[]): FakeKubectl {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kubectl-'));
  const rulesFile = path.join(dir, 'rules.json');
  const log = path.join(dir, 'calls.log');
  writeFileSync(rulesFile, JSON.stringify(rules));
  writeFileSync(log, '');
  const fakeDir = path.join(repoRoot, 'test', 'helpers', 'fake-kubectl');
  return {
    path: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}`,
    env: { FAKE_KUBECTL_RULES: rulesFile, FAKE_KUBECTL_LOG: log },
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as string[]),
  };
}

export function startScript(script: string, args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): { child: ChildProcess; done: Promise<ScriptResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', script), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, INIT_CWD: options.cwd ?? repoRoot, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ScriptResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runScript(script: string, args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<ScriptResult> {
  return startScript(script, args, options).done;
}
