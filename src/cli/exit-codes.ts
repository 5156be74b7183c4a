// The exit codes of aks-wi, and the one mapping from an error's kind to its code (used only by
// main.ts; `verify` returns verifyFailed / verifyTransient itself).
import type { ErrorKind } from "../core/errors.js";

/** verifyTransient: no check failed, but one could not be made (a service answered only 429,
 *  5xx or dropped connections through every retry). */
/** drift: `status` found the live setup differs from the desired one (`init` repairs it). */
/** verifyIncomplete: verify's checks passed but no pod was there to look inside (nothing past the service account proven). */
export const EXIT = { ok: 0, failed: 1, usage: 2, verifyFailed: 3, denied: 4, verifyTransient: 5, drift: 6, verifyIncomplete: 7, cancelled: 130 } as const;

export const EXIT_FOR_KIND: Record<ErrorKind, number> = {
  usage: EXIT.usage,
  denied: EXIT.denied,
  failed: EXIT.failed,
  cancelled: EXIT.cancelled,
};
