// Declares `aks-wi apply -f FILE` (commander only, no SDKs: keeps --help fast) and lazily loads
// its implementation from ./commands/apply.js: the bindings of a config file, planned together and
// applied as one plan, as eksctl's `create iamserviceaccount -f cluster.yaml` does.
import { Option, type Command } from "commander";
import { withExamples } from "./help-text.js";
import { addConnectionOptions } from "./register-init.js";
import { outputOption } from "./output.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** -f and --binding: the file and the bindings of it a command works on (apply, status). */
export function addFileOptions(cmd: Command, required: boolean): Command {
  const file = new Option("-f, --file <file>", "config file of bindings (aks-wi.yaml; its schema: schema/aks-wi.schema.json)");
  if (required) file.makeOptionMandatory();
  return cmd.addOption(file).option("--binding <namespace/serviceAccount>", "only this binding of the file (repeatable)", collect);
}

export function registerApply(program: Command): void {
  const apply = program
    .command("apply")
    .description(
      "Make the cluster and Azure hold every binding of a config file: one plan for all of them (the cluster updated once, shared identities made once),\n" +
        "shown, then applied. Role assignments aks-wi made for a binding that the file no longer lists are removed; nothing aks-wi did not make is touched.",
    );
  addFileOptions(apply, true);
  addConnectionOptions(apply);
  apply
    .option("-y, --yes", "apply without asking; never prompt")
    .option("--dry-run", "print the plan and stop; change nothing")
    .addOption(outputOption())
    .option("--overwrite", "re-bind service accounts already bound to another identity")
    .option("--allow-broad-scope", "allow Owner, Contributor or User Access Administrator at subscription scope")
    .option("--test-pod-image <image>", "the test pods' image, e.g. a mirror in your registry")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/apply.js");
      process.exitCode = await m.run(opts);
    });
  withExamples(apply, [
    ["see what would change", "aks-wi apply -f aks-wi.yaml --dry-run"],
    ["apply in CI, one JSON document on stdout", "aks-wi apply -f aks-wi.yaml --yes -o json"],
    ["on the local sandbox", "aks-wi apply --sandbox -f aks-wi.yaml --yes"],
  ]);
}
