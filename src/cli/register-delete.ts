// Declares `aks-wi delete` (commander only, no SDKs: keeps --help fast) and lazily loads its
// implementation: what aks-wi made for one binding removed, as a plan first.
import { Option, type Command } from "commander";
import { INPUTS } from "../init/inputs.js";
import { withExamples } from "./help-text.js";
import { addFileOptions } from "./register-apply.js";
import { addConnectionOptions, inputOption } from "./register-init.js";
import { outputOption } from "./output.js";

export function registerDelete(program: Command): void {
  const del = program
    .command("delete")
    .description(
      "Remove what aks-wi made for one workload, in reverse order: test pod, role assignments, federated credential, the annotations, " +
        "the service account and namespace (only if aks-wi made them and nothing else uses them), the identity (only if aks-wi made it " +
        "and nothing else uses it). Anything aks-wi did not make is left, and the plan says so; the cluster's OIDC issuer stays on.\n" +
        "Takes init's inputs (flags, AKS_WI_* variables, the state file if there is one); the state file is removed afterwards.",
    );
  for (const spec of INPUTS) for (const o of spec.options) del.addOption(inputOption(o));
  addFileOptions(del, false);
  addConnectionOptions(del);
  del
    .option("-y, --yes", "delete without asking; never prompt (missing inputs are an error)")
    .option("--dry-run", "print the plan and stop; change nothing")
    .addOption(outputOption())
    .option("--state <file>", "state file to take saved inputs from, removed after the delete (default .aks-wi/<cluster>/state.json)")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/delete.js");
      process.exitCode = await m.run(opts);
    });
  withExamples(del, [
    ["see what would be deleted", "aks-wi delete -g myRG --cluster myCluster --identity id-app --namespace app --service-account app-sa --dry-run"],
    ["what the last init set up (its state file)", "aks-wi delete --state .aks-wi/myCluster/state.json"],
    ["one binding of a config file (apply -f's)", "aks-wi delete -f aks-wi.yaml --binding payments/payments-worker --dry-run"],
    [
      "on the local sandbox, no questions, one JSON document",
      "aks-wi delete --sandbox --yes --identity id-app --namespace app --service-account app-sa -o json",
    ],
  ]);
}
