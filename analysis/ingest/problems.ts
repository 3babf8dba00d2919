/**
 * Problems found while reading an input: every one is counted, the first ones are kept with their
 * line number, so a partly broken file is still analysed and nothing is dropped silently.
 */
export interface Problem {
  /** 1-based line number, or `null` when the problem is not tied to a line (a truncated stream). */
  readonly line: number | null;
  readonly message: string;
}

/** Problems of one input: the first `keep` with details, all of them counted. */
export class ProblemLog {
  readonly file: string;
  readonly keep: number;
  readonly first: Problem[] = [];
  count = 0;

  constructor(file: string, keep = 20) {
    this.file = file;
    this.keep = keep;
  }

  add(line: number | null, message: string): void {
    this.count += 1;
    if (this.first.length < this.keep) this.first.push({ line, message });
  }
}

/** Formats an input as analysis.json reports it (schema: ../shared DESIGN `inputs[]`). */
export interface InputReport {
  readonly path: string;
  readonly format: string;
  /** Lines (or records) read, broken ones included. */
  readonly lines: number;
  /** Lines that could not be used. */
  readonly skipped: number;
  /** The first problems, with their line numbers. */
  readonly problems: readonly Problem[];
  /** All problems, counted. */
  readonly problems_total: number;
  /** Set when the whole file was left out on purpose (a stranger in a run's folder, a duplicate output): why. */
  readonly skipped_reason?: string;
}
