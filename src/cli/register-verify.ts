// Declares the `verify` command's options (commander only, no SDKs: keeps --help fast) and
// lazily loads its implementation from ./commands/verify.js.
import { Option, type Command } from "commander";
import { withExamples } from "./help-text.js";
import { SIGN_IN_INPUTS } from "../init/inputs.js";
import { inputOption } from "./register-init.js";
import { outputOption } from "./output.js";

export function registerVerify(program: Command): void {
  const verify = program
    .command("verify")
    .description(
      "Prove workload identity works from inside a pod: cluster, service account, identity and federated credential, pod, token, exchange, access.\n" +
        "Reads what to check from the flags, else the AKS_WI_* environment variables init reads, else the state file aks-wi init wrote.",
    )
    .option("--state <file>", "state file written by aks-wi init (default .aks-wi/<cluster>/state.json)")
    .option("--subscription <id>", "subscription ID (env AKS_WI_SUBSCRIPTION)")
    .option("-g, --resource-group <name>", "the cluster's resource group, as in az (env AKS_WI_RESOURCE_GROUP)")
    .option("--cluster <name>", "AKS cluster name (env AKS_WI_CLUSTER)")
    .option("--namespace <name>", "the workload's namespace (env AKS_WI_NAMESPACE)")
    .option("--service-account <name>", "the workload's service account (env AKS_WI_SERVICE_ACCOUNT)")
    .option("--identity <name>", "managed identity name (env AKS_WI_IDENTITY; default: found from the service account's client-id annotation)")
    .option("--identity-resource-group <name>", "the identity's resource group (env AKS_WI_IDENTITY_RESOURCE_GROUP; default: the cluster's)")
    .option("--pod <name>", "pod to check from inside")
    .option("--deployment <name>", "Deployment whose running pod to check")
    .addOption(outputOption())
    .option(
      "--propagation-timeout <seconds>",
      "how long to wait for a freshly written federated credential to propagate (default 60; env AKS_WI_VERIFY_PROPAGATION_TIMEOUT)",
    )
    .addOption(inputOption(SIGN_IN_INPUTS[0]!))
    .addOption(inputOption(SIGN_IN_INPUTS[1]!))
    .option("--sandbox", "use the local sandbox instead of Azure (env AKS_WI_SANDBOX=1)")
    .option("--sandbox-dir <dir>", "the sandbox's directory (env AKS_WI_SANDBOX_DIR)")
    .option("--kubeconfig <file>", "use this kubeconfig instead of the cluster's credential from Azure")
    .option("--context <name>", "kubeconfig context to use")
    .option("--admin", "use the cluster's admin credential instead of the user credential")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/verify.js");
      process.exitCode = await m.run(opts);
    });
  withExamples(verify, [
    ["what the last aks-wi init set up (its state file)", "aks-wi verify --state .aks-wi/myCluster/state.json"],
    [
      "any workload, checked from inside its Deployment's pod",
      "aks-wi verify -g myRG --cluster myCluster --namespace app --service-account app-sa --deployment web",
    ],
    ["in CI: one JSON document on stdout, exit 3 when a check fails", "aks-wi verify --sandbox -o json > verify.json"],
  ]);
}
