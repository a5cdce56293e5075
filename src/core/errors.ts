/**
 * The one error type of wire-install. Every failure a user can meet is raised as a
 * WireInstallError carrying what failed, the evidence (what was measured or read),
 * and the next step to take. The CLI prints these without a stack trace.
 */

export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  problemsFound: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** What failed, one sentence. */
  what: string;
  /** What was measured or read that shows the failure (lines, already formatted). */
  evidence?: string[];
  /** What the user should do next. */
  next?: string;
  /** The host it happened on, when there is one. */
  host?: string;
  exitCode?: ExitCode;
}

export class WireInstallError extends Error {
  readonly what: string;
  readonly evidence: string[];
  readonly next: string | undefined;
  readonly host: string | undefined;
  readonly exitCode: ExitCode;

  constructor(details: ErrorDetails, options?: { cause?: unknown }) {
    super(details.what, options);
    this.name = 'WireInstallError';
    this.what = details.what;
    this.evidence = details.evidence ?? [];
    this.next = details.next;
    this.host = details.host;
    this.exitCode = details.exitCode ?? ExitCode.failed;
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.what,
      host: this.host,
      evidence: this.evidence,
      next: this.next,
      exitCode: this.exitCode,
    };
  }
}

/** Bad usage or bad input (inventory, flags, answers): exit code 2. */
export function inputError(details: Omit<ErrorDetails, 'exitCode'>): WireInstallError {
  return new WireInstallError({ ...details, exitCode: ExitCode.badInput });
}

export function isWireInstallError(error: unknown): error is WireInstallError {
  return error instanceof WireInstallError;
}
