/**
 * The one error class of the k6 side. `code` is stable so callers (and tests) can branch on it;
 * the message is written for the person who set the environment variables.
 */
export type ScenarioErrorCode = 'config' | 'schedule' | 'mix';

export class ScenarioError extends Error {
  readonly code: ScenarioErrorCode;

  constructor(code: ScenarioErrorCode, message: string) {
    super(message);
    this.name = 'ScenarioError';
    this.code = code;
  }
}
