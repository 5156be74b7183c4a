// Declares the `init` command's options (commander only, no SDKs: keeps --help fast) and
// lazily loads its implementation from ./commands/init.js. The inputs' options come from the
// table in src/init/inputs.ts, with their environment variables in the help.
import { Option, type Command } from "commander";
import { INPUTS, SIGN_IN_INPUTS, type InputOption } from "../init/inputs.js";
import { withExamples } from "./help-text.js";
import { outputOption } from "./output.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function inputOption(o: InputOption): Option {
  const env = o.env ? ` (env ${o.env}${o.envFormat ? `, ${o.envFormat}` : ""})` : "";
  const opt = new Option(o.flags, `${o.help}${env}`);
  return o.repeatable ? opt.argParser(collect) : opt;
}

/** How a command reaches Azure and the cluster: the options init and status share. */
export function addConnectionOptions(cmd: Command): Command {
  for (const o of SIGN_IN_INPUTS) cmd.addOption(inputOption(o));
  return cmd
    .option("--sandbox", "use the local sandbox instead of Azure (env AKS_WI_SANDBOX=1)")
    .option("--sandbox-dir <dir>", "the sandbox's directory (env AKS_WI_SANDBOX_DIR)")
    .option("--kubeconfig <file>", "use this kubeconfig instead of the cluster's credential from Azure")
    .option("--context <name>", "kubeconfig context to use")
    .option("--admin", "use the cluster's admin credential instead of the user credential");
}

export function registerInit(program: Command): void {
  const init = program
    .command("init")
    .description(
      "Set up workload identity on an AKS cluster: OIDC issuer, managed identity, service account, federated credential, roles, test pod.\n" +
        "Each input comes from its flag, else its AKS_WI_* environment variable, else the state file, else a prompt (terminal only), else its default.",
    );
  for (const spec of INPUTS) for (const o of spec.options) init.addOption(inputOption(o));
  addConnectionOptions(init);
  init
    .option("-y, --yes", "apply without asking; never prompt (missing inputs are an error)")
    .option("--dry-run", "print the plan and stop; change nothing")
    .addOption(outputOption())
    .option("--state <file>", "state file (default .aks-wi/<cluster>/state.json)")
    .option("--overwrite", "re-bind a service account already bound to another identity")
    .option("--allow-broad-scope", "allow Owner, Contributor or User Access Administrator at subscription scope")
    .option("--write-config <file>", "after applying, add this binding to a config file for aks-wi apply -f (created, or updated keeping the rest)")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/init.js");
      process.exitCode = await m.run(opts);
    });
  withExamples(init, [
    ["answer the questions in a terminal", "aks-wi init"],
    [
      "on the local sandbox, no questions",
      'aks-wi init --sandbox --yes --identity id-app --namespace app --service-account app-sa \\\n      --role "Key Vault Secrets User" --scope "$AKS_WI_SANDBOX_KEY_VAULT_ID"',
    ],
    [
      "in CI: inputs from AKS_WI_* variables, one JSON document on stdout",
      "AKS_WI_NAMESPACE=app AKS_WI_SERVICE_ACCOUNT=app-sa aks-wi init -g myRG --cluster myCluster --identity id-app --yes -o json",
    ],
    ["see what would change", "aks-wi init -g myRG --cluster myCluster --identity id-app --namespace app --service-account app-sa --dry-run"],
    ["set up one binding and keep it in a file for aks-wi apply -f", "aks-wi init --write-config aks-wi.yaml"],
  ]);
}
