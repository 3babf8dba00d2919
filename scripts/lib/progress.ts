/**
 * The live progress line of a sweep: rewritten in place on a terminal, printed now and then
 * otherwise (CI logs), so both stay readable.
 */
export interface ProgressSink {
  update(line: string): void;
  /** Prints a line of its own (a level's result), keeping the progress line below it. */
  log(line: string): void;
  done(): void;
}

export function progressSink(stream: NodeJS.WriteStream = process.stderr, options: { everyMs?: number } = {}): ProgressSink {
  const { everyMs = 15_000 } = options;
  let shown = '';
  let lastPrinted = 0;
  const tty = stream.isTTY === true;
  return {
    update(line) {
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        shown = line;
      } else if (Date.now() - lastPrinted >= everyMs) {
        stream.write(`${line}\n`);
        lastPrinted = Date.now();
      }
    },
    log(line) {
      if (tty && shown !== '') stream.write('\r\x1b[2K');
      stream.write(`${line}\n`);
      if (tty && shown !== '') stream.write(shown);
    },
    done() {
      if (tty && shown !== '') stream.write('\r\x1b[2K');
      shown = '';
    },
  };
}

/** `1:05`, `12:00`, `1:02:03`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}
