/**
 * Flags of every command: one line (and a `Note:`) and exit code 1 for bad ones, never a stack trace
 * with exit 70; `--help` prints help and does nothing else. The shared parser (scripts/lib/flags.ts)
 * is tested on its own first.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { flagHelp, parseFlags } from '../../scripts/lib/flags.ts';

const execFileAsync = promisify(execFile);

const FLAGS = {
  duration: { type: 'string', value: 'D', help: 'how long' },
  env: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'a variable\nsecond line' },
  gate: { type: 'boolean', help: 'exit 3 on failure' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const parse = (argv: string[], positionals = false) =>
  parseFlags(argv, FLAGS, { command: 'demo', note: 'see help', positionals, error: (message, note) => new Error(`${message} | ${note}`) });

describe('parseFlags', () => {
  it.each([
    [['--duration', '5s'], { duration: '5s' }],
    [['--duration=5s'], { duration: '5s' }],
    // A value that starts with `-` is the flag's value, so the flag's own check can judge it.
    [['--duration', '-5s'], { duration: '-5s' }],
    [['--env', 'A=1', '--env', 'B=-2'], { env: ['A=1', 'B=-2'] }],
    [['-h'], { help: true }],
  ])('%j', (argv, values) => {
    expect(parse(argv).values).toEqual(values);
  });

  it.each([
    [['--nope'], 'demo: unknown option `--nope` | see help'],
    [['--duration'], 'demo: `--duration` needs a value | see help'],
    // A known flag after a string flag is not taken as its value.
    [['--duration', '--gate'], 'demo: `--duration` needs a value | see help'],
    [['--gate=yes'], 'demo: `--gate` takes no value | see help'],
    [['stray'], 'demo: unexpected argument `stray`: expected options only | see help'],
  ])('refuses %j', (argv, message) => {
    expect(() => parse(argv)).toThrow(new Error(message));
  });

  it('keeps positionals when asked', () => {
    expect(parse(['a.json', '--gate', 'b.json'], true)).toEqual({ values: { gate: true }, positionals: ['a.json', 'b.json'] });
  });

  it('writes the help from the same definitions', () => {
    expect(flagHelp(FLAGS)).toBe(
      [
        '  --duration D         how long',
        '  --env KEY=VALUE      a variable',
        '                       second line',
        '  --gate               exit 3 on failure',
        '  -h, --help           this text',
        '',
      ].join('\n'),
    );
  });
});

async function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoRoot, script), ...args], { cwd: repoRoot, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('every command refuses a bad flag with one line and exit 1', () => {
  it.each([
    ['scripts/sample-service.ts', ['--bogus'], 'sample-service: unknown option `--bogus`\nNote: `npm run sample-service -- --help` lists the options\n'],
    ['scripts/build.ts', ['--outdir'], 'build: `--outdir` needs a value\nNote: `npm run build -- --help` lists the options\n'],
    ['scripts/demo.ts', ['--tps', '5'], 'demo: unknown option `--tps`\nNote: `npm run demo -- --help` lists the options\n'],
    ['scripts/docs.ts', ['--write'], 'docs: unknown option `--write`\nNote: `npm run docs -- --help` lists the options\n'],
    ['scripts/ensure-k6.ts', ['--version', '2'], 'ensure-k6: unknown option `--version`\nNote: `npm run ensure-k6 -- --help` lists the options\n'],
    ['scripts/sweep.ts', ['--target', 'sample', '--tps-levels', '10', '--duration', '-5s'], 'sweep: `--duration` is `-5s`: expected a k6 duration such as `30s` or `3m`\n'],
    ['scripts/matrix.ts', ['--replicas'], 'matrix: `--replicas` needs a value\nNote: `npm run matrix -- --help` lists the options\n'],
    ['scripts/k8s.ts', ['job', '--bogus'], 'k8s job: unknown option `--bogus`\nNote: `npm run k8s -- job --help` lists the options\n'],
    ['analysis/cli.ts', ['--bogus'], 'analyze: unknown option `--bogus`\nNote: `npm run analyze -- --help` lists the options\n'],
  ])('%s %j', async (script, args, message) => {
    const result = await run(script, args);
    expect(result).toEqual({ code: 1, stdout: '', stderr: message });
  });
});

describe('--help', () => {
  it.each([
    ['scripts/docs.ts', 'Usage: npm run docs [-- --check]\n'],
    ['scripts/build.ts', 'Usage: npm run build [-- --outdir DIR]\n'],
    ['scripts/ensure-k6.ts', 'Usage: npm run --silent ensure-k6\n'],
    ['scripts/demo.ts', 'Usage: npm run demo [-- --out DIR]\n'],
    ['scripts/sample-service.ts', 'Usage: npm run sample-service -- [options]\n'],
  ])('%s prints help and does nothing else', async (script, first) => {
    const readme = path.join(repoRoot, 'README.md');
    const before = { text: readFileSync(readme, 'utf8'), mtime: statSync(readme).mtimeMs };
    const result = await run(script, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(first)).toBe(true);
    expect(result.stdout).toContain('  -h, --help');
    expect({ text: readFileSync(readme, 'utf8'), mtime: statSync(readme).mtimeMs }).toEqual(before);
  });

  it('docs --check says whether README.md is up to date, writing nothing', async () => {
    const result = await run('scripts/docs.ts', ['--check']);
    expect(result).toEqual({ code: 0, stdout: 'README.md is up to date\n', stderr: '' });
  });
});
