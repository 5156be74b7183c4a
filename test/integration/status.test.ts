// Acceptance of `aks-wi status` on the sandbox: from a fresh working directory with no state
// file, a converged setup is in sync (exit 0); broken by hand with kubectl (the annotation) and
// the ARM SDK (the federated credential), status names each drift by field (exit 6), changes
// nothing, and `init` with the same inputs (and --overwrite, for the re-bind) repairs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, runCli, tempDir, vaultId, writeFingerprint } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let inputs: string[];

beforeAll(async () => {
  sb = await startTestSandbox();
  inputs = [
    "--sandbox",
    "--sandbox-dir",
    sb.dir,
    "--identity",
    "id-st",
    "--namespace",
    "st",
    "--service-account",
    "sa-st",
    "--role",
    "Key Vault Secrets User",
    "--scope",
    vaultId(sb.dir),
    "--no-test-pod",
  ];
  const r = await runCli(["init", "--yes", ...inputs], { cwd: tempDir("aks-wi-status-init-") });
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await sb?.stop();
});

describe("aks-wi status", () => {
  it("from a fresh directory without a state file: in sync, exit 0, JSON versioned", async () => {
    const cwd = tempDir("aks-wi-status-");
    const r = await runCli(["status", ...inputs], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Workload identity of st\/sa-st on cluster aks-sandbox:$/m);
    expect(r.stdout).toMatch(/^In sync\.$/m);
    const j = await runCli(["status", ...inputs, "-o", "json"], { cwd });
    expect(j.code).toBe(0);
    const report = JSON.parse(j.stdout);
    expect(report).toMatchObject({ version: 1, inSync: true, binding: { namespace: "st", serviceAccount: "sa-st", identity: "id-st" } });
    expect(report.steps.every((s: { state: string }) => s.state === "in sync")).toBe(true);
  });

  it("names each drift by field after hand edits (exit 6), changes nothing; init repairs it", async () => {
    const cwd = tempDir("aks-wi-status-drift-");
    await kubectlJson(sb.info.kubeconfig, [
      "annotate",
      "serviceaccount",
      "sa-st",
      "-n",
      "st",
      "azure.workload.identity/client-id=00000000-1111-2222-3333-444444444444",
      "--overwrite",
    ]);
    const profile = sandboxCloud(sb.dir);
    const msi = new ManagedServiceIdentityClient(profile.credential(), sb.info.subscriptionId, profile.clientOptions());
    await msi.federatedIdentityCredentials.delete(sb.info.resourceGroup, "id-st", "aks-wi-st-sa-st");
    const before = writeFingerprint(sb.dir);
    const r = await runCli(["status", ...inputs], { cwd });
    expect(r.code).toBe(6);
    expect(r.stdout).toMatch(
      /Kubernetes service account\s+drift\n\s+- annotation azure\.workload\.identity\/client-id is "00000000-1111-2222-3333-444444444444" \(want "[0-9a-f-]{36}"\)/,
    );
    expect(r.stdout).toMatch(
      /Federated identity credential\s+drift\n\s+- no federated credential on id-st trusts issuer https:\/\/\S+\/ for subject system:serviceaccount:st:sa-st/,
    );
    expect(r.stdout).toMatch(/User-assigned managed identity\s+in sync/);
    expect(r.stdout).toMatch(/Drift in 2 of 8 steps: `aks-wi init` with the same inputs repairs it/);
    expect(writeFingerprint(sb.dir)).toBe(before);

    // The annotation now names another client ID: a re-bind, which init makes only with --overwrite.
    const refused = await runCli(["init", "--yes", ...inputs], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--overwrite/);
    const fix = await runCli(["init", "--yes", "--overwrite", ...inputs], { cwd });
    expect(fix.code).toBe(0);
    expect((await runCli(["status", ...inputs], { cwd })).code).toBe(0);
  });
});
