// Declares `aks-wi status` (commander only, no SDKs) and lazily loads its implementation, which
// shares init's inputs and plan: status is init's plan read as drift.
import { Option, type Command } from "commander";
import { UserError } from "../core/errors.js";
import { INPUTS } from "../init/inputs.js";
import { addFileOptions } from "./register-apply.js";
import { addConnectionOptions, inputOption } from "./register-init.js";
import { outputOption } from "./output.js";
import { withExamples } from "./help-text.js";

export function registerStatus(program: Command): void {
  const status = program
    .command("status")
    .description(
      "Show whether a workload's identity setup is as init would make it: each step in sync, or its drift named field by field.\n" +
        "Takes init's inputs (flags, AKS_WI_* variables, the state file if there is one), or every binding of a config file (-f);\n" +
        "never asks, changes nothing. Needs no state file: everything is read from Azure and the cluster.",
    );
  addFileOptions(status, false);
  status.option("--all", "every binding aks-wi marked on the cluster (no file or state needed)");
  for (const spec of INPUTS) for (const o of spec.options) status.addOption(inputOption(o));
  addConnectionOptions(status);
  status
    .addOption(outputOption())
    .option("--state <file>", "state file to take saved inputs from (default .aks-wi/<cluster>/state.json, if it exists)")
    .action(async (opts: Record<string, unknown>) => {
      if (opts.file && opts.all)
        throw new UserError("pass -f FILE or --all, not both", "-f reports the bindings of a file, --all every binding aks-wi marked on the cluster");
      if (opts.file || opts.all) {
        const m = await import("./commands/apply.js");
        process.exitCode = await m.runStatusFile(opts);
        return;
      }
      const m = await import("./commands/init.js");
      process.exitCode = await m.runStatus(opts);
    });
  // exit 0 in sync, 6 drift (init, or apply -f, with the same inputs repairs it)
  withExamples(status, [
    ["one workload on a cluster", "aks-wi status -g rg-aks --cluster aks-prod --identity id-app --namespace app --service-account app-sa"],
    ["on the sandbox, one JSON document", "aks-wi status --sandbox --identity id-app --namespace app --service-account app-sa -o json"],
    ["one binding of a config file", "aks-wi status -f aks-wi.yaml --binding payments/payments-api"],
    ["every binding aks-wi marked on the cluster, as a table", "aks-wi status --all -g rg-aks --cluster aks-prod -o table"],
  ]);
}
