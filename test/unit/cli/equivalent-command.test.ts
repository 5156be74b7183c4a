// The command a wizard run amounts to: the inputs as flags, defaults left out, the connection
// flags kept, --yes, and every word quoted so sh reads it back as printed.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { equivalentCommandLines, equivalentInitArgs, shellQuote } from "../../../src/cli/equivalent-command.js";
import type { InitInputs } from "../../../src/init/state.js";
import { TEST_POD_IMAGE } from "../../../src/init/steps/test-pod.js";

const SUB = "11111111-1111-1111-1111-111111111111";
const inputs: InitInputs = {
  subscription: SUB,
  resourceGroup: "rg-app",
  cluster: "aks-app",
  identity: "id-app",
  identityResourceGroup: "rg-app",
  namespace: "app",
  serviceAccount: "sa-app",
  federatedCredential: "aks-wi-app-sa-app",
  roles: [{ role: "Key Vault Secrets User", scope: `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app` }],
  testPod: true,
  testPodName: "aks-wi-test",
  testPodImage: TEST_POD_IMAGE,
  workloads: [],
  tags: {},
  overwrite: false,
  allowBroadScope: false,
};

describe("equivalentInitArgs", () => {
  it("names every input, leaves defaults out, keeps the sandbox flags and ends with --yes", () => {
    expect(equivalentInitArgs({ sandbox: true, sandboxDir: "/tmp/my sb" }, inputs)).toEqual([
      "init",
      "--sandbox",
      "--sandbox-dir",
      "/tmp/my sb",
      "--subscription",
      SUB,
      "-g",
      "rg-app",
      "--cluster",
      "aks-app",
      "--identity",
      "id-app",
      "--namespace",
      "app",
      "--service-account",
      "sa-app",
      "--role",
      "Key Vault Secrets User",
      "--scope",
      inputs.roles[0]!.scope,
      "--yes",
    ]);
  });
  it("says what differs from the defaults", () => {
    const args = equivalentInitArgs(
      {},
      { ...inputs, identityResourceGroup: "rg-id", federatedCredential: "fc", testPod: false, tags: { team: "a b" }, allowBroadScope: true },
    );
    expect(args.join(" ")).toContain("--identity-resource-group rg-id");
    expect(args.join(" ")).toContain("--federated-credential fc");
    expect(args).toContain("--no-test-pod");
    expect(args).toContain("--allow-broad-scope");
    expect(args).toContain("team=a b");
  });
});

describe("shellQuote", () => {
  it("sh reads every word back as it was", () => {
    const words = ["plain", "Key Vault Secrets User", "it's", "$HOME", 'a"b', "--x=y", "", "*"];
    const echoed = execFileSync("sh", ["-c", `printf '%s\\n' ${words.map(shellQuote).join(" ")}`], { encoding: "utf8" });
    expect(echoed.split("\n").slice(0, -1)).toEqual(words);
  });
});

describe("equivalentCommandLines", () => {
  it("one pasteable line, and --write-config mentioned unless given", () => {
    const lines = equivalentCommandLines({ sandbox: true }, inputs);
    expect(lines[1]).toMatch(/^ {2}aks-wi init --sandbox --subscription \S+ -g rg-app .* --role 'Key Vault Secrets User' --scope \/subscriptions\/\S+ --yes$/);
    expect(lines[2]).toMatch(/--write-config/);
    expect(equivalentCommandLines({ writeConfig: "x.yaml" }, inputs)).toHaveLength(2);
  });
});
