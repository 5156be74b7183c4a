// Errors the CLI turns into a one-line message and an exit code (src/cli/main.ts is the only
// place that exits). Anything else is a bug and is reported as such, still without a stack
// trace unless AKS_WI_DEBUG is set.

export const EXIT = { ok: 0, failed: 1, usage: 2, verifyFailed: 3, cancelled: 130 } as const;

export class UserError extends Error {
  constructor(
    message: string,
    /** What the user can do about it, printed on its own line after the message. */
    public readonly suggestion?: string,
    public readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** A step of `init` failed: exit 1, naming the step. */
export class StepError extends UserError {
  constructor(public readonly step: string, message: string, suggestion?: string) {
    super(`step "${step}" failed: ${message}`, suggestion, EXIT.failed);
    this.name = "StepError";
  }
}

/** The user cancelled (Ctrl-C at a prompt, or answered no). */
export class CancelledError extends UserError {
  constructor(message = "cancelled") {
    super(message, undefined, EXIT.cancelled);
    this.name = "CancelledError";
  }
}
