// The CLI entry: parses argv with commander and dispatches to command modules, which are
// loaded lazily so `aks-wi --help` never loads the Azure or Kubernetes SDKs.
// This is the only module that calls process.exit, and the only one mapping error kinds to exit codes.
import { Command, CommanderError } from "commander";
import { UserError } from "../core/errors.js";
import { EXIT, EXIT_FOR_KIND } from "./exit-codes.js";
import { installInterrupt } from "./interrupt.js";
import { registerSandbox } from "./register-sandbox.js";
import { registerInit } from "./register-init.js";
import { registerStatus } from "./register-status.js";
import { registerVerify } from "./register-verify.js";

export function buildProgram(): Command {
  const program = new Command("aks-wi")
    .description("Set up Azure Kubernetes Service Workload Identity end to end, and prove it from inside a pod.")
    .version(process.env.npm_package_version ?? "0.1.0")
    .showSuggestionAfterError(true)
    .exitOverride();
  registerInit(program);
  registerVerify(program);
  registerStatus(program);
  registerSandbox(program);
  return program;
}

/** Formats any thrown value as the one-line message (plus suggestion) the user sees. */
export function describeError(err: unknown): { text: string; exitCode: number } {
  if (err instanceof UserError) {
    return { text: `error: ${err.message}${err.suggestion ? `\n  hint: ${err.suggestion}` : ""}`, exitCode: EXIT_FOR_KIND[err.kind] };
  }
  const msg = ((err as Error)?.message ?? String(err)).split("\n")[0];
  return { text: `error: ${msg}\n  hint: re-run with AKS_WI_DEBUG=1 for details`, exitCode: EXIT.failed };
}

export async function main(argv: string[]): Promise<void> {
  installInterrupt();
  const program = buildProgram();
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help/version/usage errors.
      code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      if (process.env.AKS_WI_DEBUG) console.error(err);
      const { text, exitCode } = describeError(err);
      console.error(text);
      code = exitCode;
    }
  }
  process.exit(code);
}
