// The CLI entry: parses argv with commander and dispatches to command modules, which are
// loaded lazily so `aks-wi --help` never loads the Azure or Kubernetes SDKs.
// This is the only module that calls process.exit, and the only one mapping error kinds to exit codes.
import { Command, CommanderError } from "commander";
import { UserError } from "../core/errors.js";
import { colorWanted, disableColor } from "./color.js";
import { startDebugTrace } from "./debug-trace.js";
import { EXIT, EXIT_FOR_KIND } from "./exit-codes.js";
import { exitCodesText } from "./help-text.js";
import { installInterrupt } from "./interrupt.js";
import { documentFormat, errorDocument } from "./json-output.js";
import { renderDocument } from "./output.js";
import { packageVersion, registerMeta } from "./register-meta.js";
import { registerApply } from "./register-apply.js";
import { registerDoctor } from "./register-doctor.js";
import { registerSandbox } from "./register-sandbox.js";
import { registerInit } from "./register-init.js";
import { registerStatus } from "./register-status.js";
import { registerDelete } from "./register-delete.js";
import { registerVerify } from "./register-verify.js";

export function buildProgram(): Command {
  const program = new Command("aks-wi")
    .description("Set up Azure Kubernetes Service Workload Identity end to end, and prove it from inside a pod.")
    .version(packageVersion(), "-V, --version", "print the version number")
    // Accepted by every command, before or after its name; each command's --help lists them.
    .option("--debug", "print every HTTP call (method, URL, status, duration, request id) to stderr; tokens and secrets are never shown")
    .option("--no-color", "no colour in the output (also: NO_COLOR=1)")
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .exitOverride();
  program.hook("preAction", (_self, action) => {
    const globals = action.optsWithGlobals();
    if (globals.debug) startDebugTrace((line) => void process.stderr.write(`${line}\n`));
    if (globals.color === false) disableColor();
  });
  registerInit(program);
  registerVerify(program);
  registerApply(program);
  registerStatus(program);
  registerDoctor(program);
  registerDelete(program);
  registerSandbox(program);
  registerMeta(program);
  program.addHelpText(
    "after",
    `\nExamples:\n  # try it on the local sandbox\n  aks-wi sandbox start && aks-wi init --sandbox && aks-wi verify --sandbox\n\n${exitCodesText()}`,
  );
  return program;
}

/** Formats any thrown value as the one-line message (plus suggestion) the user sees. */
export function describeError(err: unknown): { text: string; exitCode: number } {
  if (err instanceof UserError) {
    return { text: `error: ${err.message}${err.suggestion ? `\n  hint: ${err.suggestion}` : ""}`, exitCode: EXIT_FOR_KIND[err.kind] };
  }
  const msg = ((err as Error)?.message ?? String(err)).split("\n")[0];
  return { text: `error: ${msg}\n  hint: re-run with --debug for details`, exitCode: EXIT.failed };
}

export async function main(argv: string[]): Promise<void> {
  installInterrupt();
  if (!colorWanted(argv, process.env)) disableColor();
  const program = buildProgram();
  const args = argv.slice(2);
  const format = documentFormat(args);
  let code: number = EXIT.ok;
  try {
    // Bare `aks-wi` asks what there is: help on stdout, as az and kubectl do, not a usage error.
    if (args.length === 0) program.outputHelp();
    else await program.parseAsync(argv);
    code = typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help/version/usage errors.
      code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      if (code !== EXIT.ok && format) process.stdout.write(await renderDocument(errorDocument(err, code), format));
    } else {
      if (process.env.AKS_WI_DEBUG || args.includes("--debug")) console.error(err);
      const { text, exitCode } = describeError(err);
      console.error(text);
      code = exitCode;
      if (format) process.stdout.write(await renderDocument(errorDocument(err, code), format));
    }
  }
  process.exit(code);
}
