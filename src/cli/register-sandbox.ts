// Declares the `sandbox` command's subcommands (commander only, no SDKs: keeps --help fast) and
// lazily loads their implementation from ./commands/sandbox.js.
import { Option, type Command } from "commander";

const dirOption = () => new Option("--dir <dir>", "sandbox directory (env AKS_WI_SANDBOX_DIR; default under $XDG_STATE_HOME or ~/.local/state)");

export function registerSandbox(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("A local stand-in for Azure Resource Manager, Entra ID and an AKS cluster, to try aks-wi without Azure");

  const action = (sub: "start" | "env" | "status" | "stop") => async (opts: Record<string, unknown>) => {
    const m = await import("./commands/sandbox.js");
    process.exitCode = await m.run(sub, opts);
  };

  sandbox
    .command("start")
    .description("start the sandbox in the background (returns once it answers)")
    .addOption(dirOption())
    .option("--faults <spec>", 'inject faults, e.g. "arm.429=0.2,kube.drop=0.05,seed=7" (env AKS_WI_SANDBOX_FAULTS)')
    .option("--latency <profile>", "instant (default), realistic or realistic:FACTOR (env AKS_WI_SANDBOX_LATENCY)")
    .option("--rtt <spec>", 'per-request round trip in ms by service, over the profile\'s, e.g. "arm=120,login=80,kube=40,oidc=30" or "*=0" (env AKS_WI_SANDBOX_RTT)')
    .option("--foreground", "run in this process until interrupted")
    .action(action("start"));

  sandbox
    .command("env")
    .description("print the environment that points tools at the running sandbox")
    .addOption(dirOption())
    .addOption(new Option("--format <format>", "output format").choices(["sh", "json"]).default("sh"))
    .action(action("env"));

  sandbox
    .command("status")
    .description("show whether the sandbox runs, its endpoints and the seeded resources' IDs")
    .addOption(dirOption())
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .action(action("status"));
  const collect = (value: string, previous: string[]) => [...previous, value];
  sandbox
    .command("principal")
    .description("principals with less than Owner, in the running sandbox")
    .command("create")
    .description("make a service principal with exactly the given role assignments (prints its credentials as JSON; kept in DIR/principals/NAME.json)")
    .argument("<name>", "lower-case letters, digits and hyphens")
    .addOption(dirOption())
    .option("--role <role>", "a built-in role by name or GUID; repeatable", collect, [])
    .option("--scope <scope>", "the ARM ID the --role of the same position applies at; repeatable (none: every role at the subscription)", collect, [])
    .option("--kube-namespace <namespace>", "also make a Kubernetes user that may act only in this namespace (its kubeconfig's path is in the JSON)")
    .addOption(new Option("--kube-role <role>", "that user's rights there: Kubernetes' default ClusterRole").choices(["edit", "view"]))
    .action(async (name: string, opts: Record<string, unknown>) => {
      const m = await import("./commands/sandbox.js");
      process.exitCode = await m.run("principal-create", { ...opts, name });
    });
  sandbox.command("stop").description("stop the background sandbox (its state stays in DIR)").addOption(dirOption()).action(action("stop"));
}
