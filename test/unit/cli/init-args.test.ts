// argv → options of `aks-wi init`, as commander parses them (table-driven), plus the usage errors
// commander raises itself. The action is replaced, so nothing runs.
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram } from "../../../src/cli/main.js";
import { chooseProfile } from "../../../src/azure/cloud.js";
import { nonInteractiveReason } from "../../../src/cli/commands/init.js";
import { UserError } from "../../../src/core/errors.js";

function parse(args: string[]): Promise<Record<string, unknown>> {
  const program = buildProgram();
  const init = program.commands.find((c: Command) => c.name() === "init")!;
  init.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let got: Record<string, unknown> = {};
  init.action((opts: Record<string, unknown>) => void (got = opts));
  return program.parseAsync(["node", "aks-wi", "init", ...args]).then(() => got);
}

const VAULT = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";

describe("init flags", () => {
  it.each<[string, string[], Record<string, unknown>]>([
    ["nothing: only the output default", [], { output: "text" }],
    [
      "every scalar flag",
      [
        "--subscription",
        "s",
        "--resource-group",
        "rg",
        "--cluster",
        "c",
        "--identity",
        "i",
        "--identity-resource-group",
        "irg",
        "--namespace",
        "ns",
        "--service-account",
        "sa",
        "--federated-credential",
        "fc",
      ],
      {
        subscription: "s",
        resourceGroup: "rg",
        cluster: "c",
        identity: "i",
        identityResourceGroup: "irg",
        namespace: "ns",
        serviceAccount: "sa",
        federatedCredential: "fc",
      },
    ],
    [
      "repeatable --role/--scope keep their order",
      ["--role", "A", "--scope", "/x", "--role", "Key Vault Secrets User", "--scope", VAULT],
      { role: ["A", "Key Vault Secrets User"], scope: ["/x", VAULT] },
    ],
    ["--test-pod", ["--test-pod"], { testPod: true }],
    ["--no-test-pod", ["--no-test-pod"], { testPod: false }],
    [
      "switches",
      ["--yes", "--dry-run", "--sandbox", "--admin", "--overwrite", "--allow-broad-scope"],
      { yes: true, dryRun: true, sandbox: true, admin: true, overwrite: true, allowBroadScope: true },
    ],
    ["-y and -o json", ["-y", "-o", "json"], { yes: true, output: "json" }],
    ["-g, as in az", ["-g", "myRG"], { resourceGroup: "myRG" }],
    [
      "paths and kube",
      ["--state", "s.json", "--sandbox-dir", "/d", "--kubeconfig", "/k", "--context", "ctx"],
      { state: "s.json", sandboxDir: "/d", kubeconfig: "/k", context: "ctx" },
    ],
  ])("%s", async (_name, args, want) => {
    const opts = await parse(args);
    expect(opts).toMatchObject(want);
    // A flag left out stays undefined ("ask" / fall through to env, state, default).
    if (!args.includes("--test-pod") && !args.includes("--no-test-pod")) expect(opts.testPod).toBeUndefined();
    if (!args.includes("--namespace")) expect(opts.namespace).toBeUndefined();
  });

  it.each([
    ["unknown option", ["--identiti", "x"], /unknown option '--identiti'/],
    ["bad --output", ["--output", "xml"], /argument 'xml' is invalid/],
    ["option without its value", ["--cluster"], /option '--cluster <name>' argument missing/],
  ])("usage error: %s", async (_n, args, msg) => {
    await expect(parse(args)).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(msg) });
  });
});

describe("non-interactive detection", () => {
  it.each<[string, Record<string, unknown>, Record<string, string>, boolean, boolean, boolean, string | undefined]>([
    ["terminal", {}, {}, true, true, true, undefined],
    ["--yes", { yes: true }, {}, true, true, true, "--yes"],
    ["CI=true", {}, { CI: "true" }, true, true, true, "CI=true"],
    ["stdin not a TTY", {}, {}, false, true, true, "no terminal"],
    ["stdout redirected, stderr still the terminal: prompts go there", {}, {}, true, false, true, undefined],
    ["neither stdout nor stderr a TTY", {}, {}, true, false, false, "no terminal"],
  ])("%s", (_n, opts, env, inTty, outTty, errTty, want) => {
    expect(nonInteractiveReason(opts, env, inTty, outTty, errTty)).toBe(want);
  });
});

describe("cloud profile choice", () => {
  it("Azure public cloud by default; --sandbox-dir alone is a usage error; a missing sandbox says how to start one", () => {
    expect(chooseProfile({}, {}).name).toBe("AzureCloud");
    expect(() => chooseProfile({ sandboxDir: "/d" }, {})).toThrow(UserError);
    expect(() => chooseProfile({ sandbox: true, sandboxDir: "/nonexistent-aks-wi" }, {})).toThrow(/no sandbox found in \/nonexistent-aks-wi/);
    expect(() => chooseProfile({}, { AKS_WI_SANDBOX: "1", AKS_WI_SANDBOX_DIR: "/nonexistent-env" })).toThrow(/\/nonexistent-env/);
  });
});
