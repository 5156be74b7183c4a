// What every command's --help ends with: examples to copy, then the exit codes (the same table for
// every command, so a script can rely on one meaning per code).
import type { Command } from "commander";
import { EXIT } from "./exit-codes.js";

const EXIT_MEANINGS: [number, string][] = [
  [EXIT.ok, "done (verify: every check passed)"],
  [EXIT.failed, "failed"],
  [EXIT.usage, "usage error or missing input; nothing was changed"],
  [EXIT.verifyFailed, "a check failed (verify, doctor)"],
  [EXIT.denied, "not permitted: the signed-in principal lacks a permission"],
  [EXIT.verifyTransient, "a check could not be made: a service kept failing (verify, doctor)"],
  [EXIT.drift, "drift: Azure or the cluster differs from what was set up (status)"],
  [EXIT.verifyIncomplete, "incomplete: the checks passed but no pod runs as the service account, so the token exchange was not proven (verify)"],
  [EXIT.cancelled, "cancelled (Ctrl-C or answered no)"],
];

export function exitCodesText(): string {
  return ["Exit codes:", ...EXIT_MEANINGS.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`)].join("\n");
}

/** Adds "Examples:" (each a comment line and a command) and "Exit codes:" after the command's help. */
export function withExamples(cmd: Command, examples: readonly [comment: string, command: string][]): Command {
  const lines = examples.flatMap(([comment, command]) => [`  # ${comment}`, `  ${command}`]);
  return cmd.addHelpText("after", `\nExamples:\n${lines.join("\n")}\n\n${exitCodesText()}`);
}
