/**
 * The one error class of the analysis side. Library code throws it; only the CLI prints it and picks
 * the exit code. Messages follow the house style: subject first, the bad value in backticks, what was
 * expected, where (`file:line`), and a `Note:` with the fix when the fix is known.
 */
export type AnalysisErrorCode =
  /** The file cannot be read at all (missing, permission, not a regular file). */
  | 'unreadable'
  /** The content is none of the formats the analysis knows. */
  | 'unknown-format'
  /** Nothing usable in the input (empty file, every line broken). */
  | 'no-data'
  /** Wrong arguments to a function or the CLI. */
  | 'usage';

export class AnalysisError extends Error {
  readonly code: AnalysisErrorCode;
  readonly note: string | undefined;

  constructor(code: AnalysisErrorCode, message: string, options: { note?: string } = {}) {
    super(message);
    this.name = 'AnalysisError';
    this.code = code;
    this.note = options.note;
  }
}
