// The CI contract of `-o json` (and yaml): stdout holds exactly one document, on success and on failure.
// Commands print their own document on success; when anything is thrown (a usage error commander
// raises, a UserError, a bug), main.ts prints the error document here, so stdout is never empty.
import { CommanderError } from "commander";
import { UserError } from "../core/errors.js";

export const JSON_VERSION = 1;

/** The document format argv asks for (-o json|yaml, -ojson, --output=yaml, or the old --format), or
 *  undefined: text, or table, whose failure is the error line on stderr alone, as with az. */
export function documentFormat(argv: readonly string[]): "json" | "yaml" | undefined {
  const doc = (v: string | undefined) => (v === "json" || v === "yaml" ? v : undefined);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return undefined;
    if (a === "-o" || a === "--output" || a === "--format") {
      if (doc(argv[i + 1])) return doc(argv[i + 1]);
      continue;
    }
    const m = /^(?:-o|--output=|--format=)(json|yaml)$/.exec(a);
    if (m) return m[1] as "json" | "yaml";
  }
  return undefined;
}

export interface ErrorDocument {
  version: typeof JSON_VERSION;
  result: "error";
  exitCode: number;
  error: { code: string; message: string; fix?: string; exitCode: number };
}

/** The document for a failed run; `code` is the error's kind (usage, denied, failed, cancelled), or internal for a bug. */
export function errorDocument(err: unknown, exitCode: number): ErrorDocument {
  let code: string;
  let message: string;
  let fix: string | undefined;
  if (err instanceof UserError) {
    code = err.kind;
    message = err.message;
    fix = err.suggestion;
  } else if (err instanceof CommanderError) {
    code = "usage";
    message = err.message.replace(/^error: /, "");
    fix = "see --help";
  } else {
    code = "internal";
    message = ((err as Error)?.message ?? String(err)).split("\n")[0]!;
    fix = "re-run with --debug for details";
  }
  return { version: JSON_VERSION, result: "error", exitCode, error: { code, message, ...(fix ? { fix } : {}), exitCode } };
}
