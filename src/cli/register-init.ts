// Declares the `init` command's options (commander only, no SDKs: keeps --help fast) and
// lazily loads its implementation from ./commands/init.js.
import { Option, type Command } from "commander";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerInit(program: Command): void {
  program
    .command("init")
    .description(
      "Set up workload identity on an AKS cluster: OIDC issuer, managed identity, service account, federated credential, roles, test pod.\n" +
        "Each input comes from its flag, else its AKS_WI_* environment variable, else the state file, else a prompt (terminal only), else its default.",
    )
    .option("--subscription <id>", "subscription ID (env AKS_WI_SUBSCRIPTION)")
    .option("-g, --resource-group <name>", "the cluster's resource group, as in az (env AKS_WI_RESOURCE_GROUP)")
    .option("--cluster <name>", "AKS cluster name (env AKS_WI_CLUSTER)")
    .option("--identity <name>", "user-assigned managed identity to create or reuse (env AKS_WI_IDENTITY)")
    .option("--identity-resource-group <name>", "the identity's resource group; default: the cluster's (env AKS_WI_IDENTITY_RESOURCE_GROUP)")
    .option("--namespace <name>", 'Kubernetes namespace; default "default" (env AKS_WI_NAMESPACE)')
    .option("--service-account <name>", "Kubernetes service account to create or annotate (env AKS_WI_SERVICE_ACCOUNT)")
    .option("--federated-credential <name>", "federated credential name; default aks-wi-<namespace>-<service account> (env AKS_WI_FEDERATED_CREDENTIAL)")
    .option("--role <name|guid>", "Azure role to assign to the identity; repeatable, paired in order with --scope (env AKS_WI_ROLE, comma-separated)", collect)
    .option("--scope <resource-id>", "scope of the --role at the same position: a full resource ID (env AKS_WI_SCOPE, comma-separated)", collect)
    .option("--test-pod", "start a labelled test pod using the service account (default; env AKS_WI_TEST_POD)")
    .option("--no-test-pod", "skip the test pod")
    .option("-y, --yes", "apply without asking; never prompt (missing inputs are an error)")
    .option("--dry-run", "print the plan and stop; change nothing")
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--state <file>", "state file (default .aks-wi/<cluster>/state.json)")
    .option("--sandbox", "use the local sandbox instead of Azure (env AKS_WI_SANDBOX=1)")
    .option("--sandbox-dir <dir>", "the sandbox's directory (env AKS_WI_SANDBOX_DIR)")
    .option("--kubeconfig <file>", "use this kubeconfig instead of the cluster's credential from Azure")
    .option("--context <name>", "kubeconfig context to use")
    .option("--admin", "use the cluster's admin credential instead of the user credential")
    .option("--overwrite", "re-bind a service account already bound to another identity")
    .option("--allow-broad-scope", "allow Owner, Contributor or User Access Administrator at subscription scope")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/init.js");
      process.exitCode = await m.run(opts);
    });
}
