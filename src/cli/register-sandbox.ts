// Declares the `sandbox` command's subcommands (commander only, no SDKs: keeps --help fast) and
// lazily loads their implementation from ./commands/sandbox.js.
import { Option, type Command } from "commander";
import { withExamples } from "./help-text.js";

/** One spelling across commands: --sandbox-dir, as init and verify take it; --dir stays as a hidden alias. */
function dirOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--sandbox-dir <dir>", "the sandbox's directory (env AKS_WI_SANDBOX_DIR; default under $XDG_STATE_HOME or ~/.local/state)"))
    .addOption(new Option("--dir <dir>").hideHelp());
}

/** -o/--output as everywhere else; `--format` (env's old spelling) stays as a hidden alias. */
const outputOption = (choices: string[]) => new Option("-o, --output <format>", `output format: ${choices.join(", ")}`).choices(choices);

/** The old spellings folded into the ones src/cli/commands/sandbox.ts reads. */
function canonical(opts: Record<string, unknown>): Record<string, unknown> {
  const { sandboxDir, dir, output, format, ...rest } = opts;
  return { ...rest, dir: sandboxDir ?? dir, ...((output ?? format) ? { output: output ?? format, format: output ?? format } : {}) };
}

export function registerSandbox(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("A local stand-in for Azure Resource Manager, Entra ID and an AKS cluster, to try aks-wi without Azure");

  const action = (sub: "start" | "env" | "status" | "stop") => async (opts: Record<string, unknown>) => {
    const m = await import("./commands/sandbox.js");
    process.exitCode = await m.run(sub, canonical(opts));
  };

  const start = dirOptions(sandbox.command("start").description("Start the sandbox in the background (returns once it answers)"))
    .option("--faults <spec>", 'inject faults, e.g. "arm.429=0.2,kube.drop=0.05,seed=7" (env AKS_WI_SANDBOX_FAULTS)')
    .option("--latency <profile>", "instant (default), realistic or realistic:FACTOR (env AKS_WI_SANDBOX_LATENCY)")
    .option(
      "--rtt <spec>",
      'per-request round trip in ms by service, over the profile\'s, e.g. "arm=120,login=80,kube=40,oidc=30" or "*=0" (env AKS_WI_SANDBOX_RTT)',
    )
    .option("--foreground", "run in this process until interrupted")
    .option(
      "--cloud <name>",
      "present the sandbox as AzureCloud, AzureUSGovernment or AzureChinaCloud: its names in /metadata/endpoints and in aks-wi's state; endpoints stay local (env AKS_WI_SANDBOX_CLOUD)",
    )
    .option("--cluster-variants", "also seed clusters as users meet them: aks-stopped, aks-failed, aks-old (out of support); on first start")
    .addOption(outputOption(["text", "json", "yaml", "table"]))
    .action(action("start"));
  withExamples(start, [
    ["start it, then point init at it", "aks-wi sandbox start && aks-wi init --sandbox"],
    ["Azure's timing and some throttling", 'aks-wi sandbox start --sandbox-dir /tmp/sb --latency realistic:0.1 --faults "arm.429=0.2,seed=7"'],
  ]);

  const env = dirOptions(sandbox.command("env").description("Print the environment that points tools (az, kubectl) at the running sandbox"))
    .addOption(outputOption(["sh", "json", "yaml"]))
    .addOption(new Option("--format <format>").choices(["sh", "json", "yaml"]).hideHelp())
    .action(action("env"));
  withExamples(env, [
    ["point this shell's az and kubectl at the sandbox", 'eval "$(aks-wi sandbox env)"'],
    ["the variables as one JSON object", "aks-wi sandbox env -o json"],
  ]);

  const status = dirOptions(
    sandbox.command("status").description("Show whether the sandbox runs, its endpoints and the seeded resources' IDs (exit 1 when it does not run)"),
  )
    .addOption(outputOption(["text", "json", "yaml", "table"]))
    .action(action("status"));
  withExamples(status, [
    ["is it running, and its Key Vault's ID", "aks-wi sandbox status"],
    ["in a script", "aks-wi sandbox status -o json | jq -r .keyVaultId"],
  ]);
  const collect = (value: string, previous: string[]) => [...previous, value];
  const principal = sandbox.command("principal").description("Principals with less than Owner, in the running sandbox");
  withExamples(principal, [["a principal that may only read", "aks-wi sandbox principal create reader --role Reader"]]);
  const create = dirOptions(
    principal
      .command("create")
      .description("Make a service principal with exactly the given role assignments (prints its credentials as JSON; kept in DIR/principals/NAME.json)")
      .argument("<name>", "lower-case letters, digits and hyphens"),
  )
    .option("--role <role>", "a built-in role by name or GUID; repeatable", collect, [])
    .option("--scope <scope>", "the ARM ID the --role of the same position applies at; repeatable (none: every role at the subscription)", collect, [])
    .option("--kube-namespace <namespace>", "also make a Kubernetes user that may act only in this namespace (its kubeconfig's path is in the JSON)")
    .addOption(new Option("--kube-role <role>", "that user's rights there: Kubernetes' default ClusterRole").choices(["edit", "view"]))
    .action(async (name: string, opts: Record<string, unknown>) => {
      const m = await import("./commands/sandbox.js");
      process.exitCode = await m.run("principal-create", { ...canonical(opts), name });
    });
  withExamples(create, [
    [
      "a principal that may read the seeded vault's secrets, and nothing else",
      'aks-wi sandbox principal create app --role "Key Vault Secrets User" --scope "$(aks-wi sandbox status -o json | jq -r .keyVaultId)"',
    ],
  ]);

  const stop = dirOptions(sandbox.command("stop").description("Stop the background sandbox (its state stays in DIR)"))
    .addOption(outputOption(["text", "json", "yaml", "table"]))
    .action(action("stop"));
  withExamples(stop, [["stop it; start it again later with the same state", "aks-wi sandbox stop"]]);
  withExamples(sandbox, [["the whole loop", "aks-wi sandbox start && aks-wi init --sandbox && aks-wi verify --sandbox && aks-wi sandbox stop"]]);
}
