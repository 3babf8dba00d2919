/**
 * kubectl, always through execFile with an argument array (never a shell string), with the target's
 * context and namespace, and a timeout so a hung API server cannot stall a sweep.
 */
import { execFile } from 'node:child_process';
import { CliError } from './cli.ts';
import { checkContext, checkK8sName } from './targets.ts';

export interface KubectlResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  readonly context: string | null;
  readonly namespace: string;
  /** The kubectl program; `KUBECTL` in the environment overrides the default `kubectl` on PATH. */
  readonly binary?: string;
  readonly timeoutMs?: number;
}

export class Kubectl {
  readonly context: string | null;
  readonly namespace: string;
  readonly binary: string;
  private readonly timeoutMs: number;

  constructor(options: KubectlOptions) {
    this.context = options.context === null ? null : checkContext('kubectl: context', options.context);
    this.namespace = checkK8sName('kubectl: namespace', options.namespace);
    this.binary = options.binary ?? process.env.KUBECTL ?? 'kubectl';
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** `kubectl [--context C] [-n NS] <args>`; resolves with the exit code, never rejects for a non-zero one. */
  run(args: readonly string[], options: { namespaced?: boolean; timeoutMs?: number } = {}): Promise<KubectlResult> {
    const { namespaced = true, timeoutMs = this.timeoutMs } = options;
    const argv = [...(this.context === null ? [] : ['--context', this.context]), ...(namespaced ? ['-n', this.namespace] : []), ...args];
    return new Promise((resolve, reject) => {
      execFile(this.binary, argv, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
        if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new CliError(`kubectl: \`${this.binary}\` was not found`, { note: 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or set KUBECTL to its path' }));
          return;
        }
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : error.killed ? 124 : 1;
        resolve({ argv: [this.binary, ...argv], exitCode: code, stdout: String(stdout), stderr: error?.killed ? `${String(stderr)}\nkubectl: timed out after ${timeoutMs} ms` : String(stderr) });
      });
    });
  }
}
