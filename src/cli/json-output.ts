// The CI contract of `-o json`: stdout holds exactly one JSON document, on success and on failure.
// Commands print their own document on success; when anything is thrown (a usage error commander
// raises, a UserError, a bug), main.ts prints the error document here, so stdout is never empty.
import { CommanderError } from "commander";
import { UserError } from "../core/errors.js";

export const JSON_VERSION = 1;

/** Whether argv asks for JSON output: -o json, -ojson, --output json, --output=json (or the old --format). */
export function wantsJson(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return false;
    if ((a === "-o" || a === "--output" || a === "--format") && argv[i + 1] === "json") return true;
    if (a === "-ojson" || a === "--output=json" || a === "--format=json") return true;
  }
  return false;
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
