// The exit codes of aks-wi, and the one mapping from an error's kind to its code (used only by
// main.ts; `verify` returns verifyFailed itself when a check fails).
import type { ErrorKind } from "../core/errors.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, verifyFailed: 3, denied: 4, cancelled: 130 } as const;

export const EXIT_FOR_KIND: Record<ErrorKind, number> = {
  usage: EXIT.usage,
  denied: EXIT.denied,
  failed: EXIT.failed,
  cancelled: EXIT.cancelled,
};
