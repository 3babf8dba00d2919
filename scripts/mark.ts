/**
 * `npm run mark -- DIR KIND [--pod NAME] [--note TEXT] [--at TIME]`: records a moment of a running
 * test (a failover, a node drained, a pod deleted by hand) so that `npm run analyze` measures it as a
 * disruption of the run that was going on then (model/resilience.ts): the error window, the latency,
 * the time to recover. It appends one `marker` record to DIR/snapshots/markers.jsonl and never
 * rewrites the file, so it is safe while a sweep writes beside it.
 */
import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError, fail, isMain } from './lib/cli.ts';
import { flagHelp, parseFlags } from './lib/flags.ts';

const FLAGS = {
  pod: { type: 'string', value: 'NAME', help: 'the pod it concerns (a replacement is then looked for in the captures)' },
  note: { type: 'string', value: 'TEXT', help: 'what happened, in your words (shown in the report)' },
  at: { type: 'string', value: 'TIME', help: 'when it happened: an ISO-8601 time with its zone (2026-12-02T07:30:00Z),\nor how long ago (90s, 2m); default: now' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const HELP = `Usage: npm run mark -- DIR KIND [--pod NAME] [--note TEXT] [--at TIME]

Records a moment of a running test (a failover, a node drained, a pod deleted by hand) in
DIR/snapshots/markers.jsonl. \`npm run analyze\` then measures it as a disruption of the run that was
going on at that moment: its error window, latency impact and time to recover.

  DIR    the sweep folder (or a level folder) the test writes to; it must exist
  KIND   one word for what happened: failover, drain, deploy, …

${flagHelp(FLAGS)}`;

const KIND = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface Mark {
  readonly file: string;
  readonly time: string;
}

/** Appends the marker; `nowMs` is the time "now" means. */
export function mark(argv: readonly string[], nowMs: number = Date.now()): Mark {
  const { values, positionals } = parseFlags(argv, FLAGS, {
    command: 'mark',
    note: '`npm run mark -- --help` lists the options',
    positionals: true,
    error: (message, note) => new CliError(message, { note }),
  });
  if (values.help === true) throw new HelpRequested();
  const [dir, kind, ...rest] = positionals;
  if (dir === undefined || kind === undefined) throw new CliError('mark: expected a folder and a kind, e.g. `npm run mark -- runs/checkout failover`', { note: '`npm run mark -- --help` lists the options' });
  if (rest.length > 0) throw new CliError(`mark: unexpected \`${rest.join(' ')}\` after the kind: put a note in --note "…"`);
  if (!KIND.test(kind)) throw new CliError(`mark: the kind \`${kind}\` is not one word: expected letters, digits, \`-\`, \`_\` or \`.\` (failover, node-drain)`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`mark: \`${dir}\` is not a folder: expected the folder the sweep writes to (runs/<name>)`);
  const at = values.at === undefined ? nowMs : timeOf(values.at, nowMs);
  const time = new Date(at).toISOString();
  const folder = path.join(dir, 'snapshots');
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'markers.jsonl');
  const record = {
    captured_at: time,
    kind: 'marker',
    command: ['npm', 'run', 'mark', '--', ...argv],
    marker: { kind, pod: values.pod ?? null, note: values.note ?? null },
  };
  appendFileSync(file, `${JSON.stringify(record)}\n`);
  return { file, time };
}

/** `--at`: an ISO-8601 time with its zone, or a duration ago (`90s`, `2m`, `1h`). */
function timeOf(text: string, nowMs: number): number {
  const ago = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (ago !== null) return nowMs - Number(ago[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[ago[2] as 'ms' | 's' | 'm' | 'h'];
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text))) return Date.parse(text);
  throw new CliError(`mark: --at \`${text}\` is not a time: expected an ISO-8601 time with its zone (2026-12-02T07:30:00Z) or how long ago (90s, 2m)`);
}

class HelpRequested extends Error {}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  if (process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
  try {
    const { file, time } = mark(argv);
    process.stdout.write(`mark: recorded at ${time} in ${file}\n`);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(HELP);
      return;
    }
    fail(error);
  }
}

if (isMain(import.meta.url)) main();
