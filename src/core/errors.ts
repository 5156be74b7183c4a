// The errors every layer throws for what the user can act on. Each carries a kind; only
// src/cli/main.ts turns kinds into exit codes and a one-line message. Anything else thrown is a
// bug and is reported as such, still without a stack trace unless AKS_WI_DEBUG is set.
import { clipRuns } from "./util.js";

/**
 * usage: the input is wrong or missing; denied: the caller lacks a permission (authorization);
 * failed: the work could not be done; cancelled: the user said no or pressed Ctrl-C.
 */
export type ErrorKind = "usage" | "denied" | "failed" | "cancelled";

export class UserError extends Error {
  constructor(
    message: string,
    /** What the user can do about it, printed on its own line after the message. */
    public readonly suggestion?: string,
    public readonly kind: ErrorKind = "usage",
  ) {
    // The user's own values come back at most ~80 characters, however long they were.
    super(clipRuns(message));
    this.name = "UserError";
  }
}

/** A permission the signed-in principal (or Kubernetes user) lacks. */
export class DeniedError extends UserError {
  constructor(message: string, suggestion?: string) {
    super(message, suggestion, "denied");
    this.name = "DeniedError";
  }
}

/** A step of `init` failed, naming the step (by its title, as the plan shows it, once the runner
 *  knows it); "denied" when it failed for lack of a permission. */
export class StepError extends UserError {
  constructor(
    public readonly step: string,
    /** What went wrong, without the step's name. */
    public readonly detail: string,
    suggestion?: string,
    kind: "failed" | "denied" = "failed",
    title?: string,
  ) {
    super(`${title ?? `step "${step}"`} failed: ${detail}`, suggestion, kind);
    this.name = "StepError";
  }
}

/** The user cancelled (Ctrl-C at a prompt, or answered no). */
export class CancelledError extends UserError {
  constructor(message = "cancelled") {
    super(message, undefined, "cancelled");
    this.name = "CancelledError";
  }
}

/** A resource the plan read was changed by someone else before its write: nothing more is written. */
export class ChangedSincePlanError extends UserError {
  constructor(what: string) {
    super(`${what} changed since the plan was made`, "re-run to plan again", "failed");
    this.name = "ChangedSincePlanError";
  }
}
