// Acceptance: non-interactive with inputs missing → exit 2, one error naming every missing flag
// and env var, and the sandbox unchanged; a bad name is a one-line error with no stack trace.
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, runCli, tempDir, writeFingerprint } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

describe("aks-wi init without its inputs (non-interactive)", () => {
  it("lists every missing input with its flag and env var, exits 2, changes nothing", async () => {
    const cwd = tempDir("aks-wi-missing-");
    const before = writeFingerprint(sb.dir);
    // --sandbox fills subscription, resource group and cluster; identity and service account have no default.
    const r = await runCli(["init", "--sandbox", "--sandbox-dir", sb.dir, "--yes"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("managed identity: --identity or AKS_WI_IDENTITY");
    expect(r.stderr).toContain("Kubernetes service account: --service-account or AKS_WI_SERVICE_ACCOUNT");
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(writeFingerprint(sb.dir)).toBe(before);
    expect(readdirSync(cwd)).toEqual([]); // no state file either
  });

  it("AKS_WI_SANDBOX_DIR selects the sandbox, CI=true never asks; a bad flag and the missing inputs share one error", async () => {
    const cwd = tempDir("aks-wi-missing-all-");
    const before = writeFingerprint(sb.dir);
    const r = await runCli(["init", "--sandbox", "--subscription", "", "--yes"], { cwd, env: { AKS_WI_SANDBOX_DIR: sb.dir, CI: "true" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--identity or AKS_WI_IDENTITY");
    expect(r.stderr).toContain("--service-account or AKS_WI_SERVICE_ACCOUNT");
    expect(r.stderr).toMatch(/--subscription "": subscription must be a subscription ID/);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("a bad identity name: one-line error naming the flag and the rule, no stack trace, nothing changed", async () => {
    const cwd = tempDir("aks-wi-badname-");
    const before = writeFingerprint(sb.dir);
    const r = await runCli(["init", "--sandbox", "--sandbox-dir", sb.dir, "--yes", "--identity", "-bad_", "--service-account", "sa"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--identity "-bad_": identity name must start with a letter or digit');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  // What a plan can know stops the run before the cluster (whose change cannot be undone) is touched.
  it.each([
    [
      "an identity resource group that does not exist",
      ["--identity-resource-group", "rg-nope"],
      /reading identity id-x: .*ResourceGroupNotFound/,
      /--identity-resource-group/,
      1,
    ],
    // Input mistakes exit 2, wherever they are found (here: the permission preflight's read at the scope).
    [
      "a role scope that does not exist",
      ["--role", "Reader", "--scope", "SUB/resourceGroups/rg-sandbox/providers/Microsoft.KeyVault/vaults/nope"],
      /ResourceNotFound: The Resource 'Microsoft.KeyVault\/vaults\/nope'/,
      /check --scope .*vaults\/nope/,
      2,
    ],
    [
      "Owner at subscription scope without --allow-broad-scope",
      ["--role", "Owner", "--scope", "SUB"],
      /"Owner" at subscription scope .* grants control of the whole subscription/,
      /--allow-broad-scope/,
      2,
    ],
  ] as const)("%s: the plan stops, nothing changed", async (_what, extra, message, hint, code) => {
    const cwd = tempDir("aks-wi-planstop-");
    // The first read of the cluster lets the seeded system pods reach Running (a kubelet's doing,
    // not the run's), so it happens before the fingerprint.
    await kubectlJson(sb.info.kubeconfig, ["get", "pods", "-A"]);
    const before = writeFingerprint(sb.dir);
    const args = extra.map((a) => a.replace(/^SUB/, `/subscriptions/${sb.info.subscriptionId}`));
    const r = await runCli(
      ["init", "--sandbox", "--sandbox-dir", sb.dir, "--yes", "--identity", "id-x", "--namespace", "ns-x", "--service-account", "sa-x", ...args],
      { cwd },
    );
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(hint);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(writeFingerprint(sb.dir)).toBe(before);
    expect(sb.sandbox.world.cluster().body.properties.oidcIssuerProfile?.enabled ?? false).toBe(false);
  });
});
