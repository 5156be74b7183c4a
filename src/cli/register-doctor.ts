// Declares `aks-wi doctor` (commander only, no SDKs: keeps --help fast) and lazily loads its
// implementation from ./commands/doctor.js.
import { Option, type Command } from "commander";
import { INPUTS } from "../init/inputs.js";
import { withExamples } from "./help-text.js";
import { addConnectionOptions, inputOption } from "./register-init.js";
import { outputOption } from "./output.js";

/** The inputs that name the cluster, declared once in init's table. */
const CLUSTER_INPUTS = ["subscription", "resourceGroup", "cluster"];

export function registerDoctor(program: Command): void {
  const doctor = program
    .command("doctor")
    .description(
      "Check every workload on a cluster that uses workload identity, made by aks-wi or not: each service account with the client-id annotation " +
        "and each pod with the azure.workload.identity/use label, with verify's checks; one line per workload and its fix.\n" +
        "Lists each kind once and checks in memory; changes nothing.",
    );
  for (const spec of INPUTS.filter((s) => CLUSTER_INPUTS.includes(s.key))) for (const o of spec.options) doctor.addOption(inputOption(o));
  doctor
    .option("--namespace <name>", "look at this namespace only (default: every namespace)")
    .option("--exchange", "also exchange each running labelled pod's token with Entra (verify's token and exchange checks; slower)")
    .addOption(outputOption());
  addConnectionOptions(doctor);
  doctor.action(async (opts: Record<string, unknown>) => {
    const m = await import("./commands/doctor.js");
    process.exitCode = await m.run(opts);
  });
  withExamples(doctor, [
    ["every workload on the cluster", "aks-wi doctor -g myRG --cluster myCluster"],
    ["one namespace, proving each running pod's token exchange", "aks-wi doctor -g myRG --cluster myCluster --namespace payments --exchange"],
    ["in CI: one JSON document on stdout, exit 3 when a workload fails", "aks-wi doctor --sandbox -o json > doctor.json"],
  ]);
}
