// Acceptance of the permission preflight on the sandbox, with principals that have less than
// Owner (`aks-wi sandbox principal create`): a Contributor (who cannot grant roles) and a
// Kubernetes user who may only read in the namespace are each stopped in the plan, before the
// cluster update that cannot be undone, with exit 4, the missing action, its scope and a role
// that grants it; nothing changed (the cluster's flags still off).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { runCli, tempDir, vaultId, writeFingerprint, world } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let vault: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  vault = vaultId(sb.dir);
});
afterAll(async () => {
  await sb?.stop();
});

async function principal(args: string[]): Promise<{ clientId: string; clientSecret: string; tenantId: string; kubeconfig?: string }> {
  const r = await runCli(["sandbox", "principal", "create", ...args, "--dir", sb.dir], { cwd: tempDir("aks-wi-principal-") });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const clusterFlags = () => {
  const c = Object.values(world(sb.dir).clusters as Record<string, any>)[0].body.properties;
  return { oidc: !!c.oidcIssuerProfile?.enabled, wi: !!c.securityProfile?.workloadIdentity?.enabled };
};

describe("init's permission preflight", () => {
  it("a Contributor-only principal is stopped in the plan: it may not grant the role; nothing changed", async () => {
    const p = await principal(["contributor-only", "--role", "Contributor", "--scope", `/subscriptions/${sb.info.subscriptionId}`]);
    const before = writeFingerprint(sb.dir);
    const r = await runCli(
      [
        "init",
        "--sandbox",
        "--sandbox-dir",
        sb.dir,
        "--yes",
        "--identity",
        "id-pre",
        "--namespace",
        "pre",
        "--service-account",
        "sa-pre",
        "--role",
        "Key Vault Secrets User",
        "--scope",
        vault,
      ],
      { cwd: tempDir("aks-wi-preflight-"), env: { AZURE_CLIENT_ID: p.clientId, AZURE_CLIENT_SECRET: p.clientSecret, AZURE_TENANT_ID: p.tenantId } },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /you lack a permission this plan needs: Microsoft\.Authorization\/roleAssignments\/write at \/subscriptions\/.*\/vaults\/kv-sandbox-[0-9a-f]+ \(granted by "Role Based Access Control Administrator"\)/,
    );
    expect(r.stderr).toMatch(/nothing was changed .*conditions on role assignments/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The plan was printed and the cluster step never ran.
    expect(r.stdout).toContain("Plan:");
    expect(clusterFlags()).toEqual({ oidc: false, wi: false });
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("a Kubernetes user who may only view the namespace is stopped in the plan: it may not create the service account; nothing changed", async () => {
    const p = await principal(["viewer", "--kube-namespace", "viewer-ns", "--kube-role", "view"]);
    expect(p.kubeconfig).toBeTruthy();
    const before = writeFingerprint(sb.dir);
    const r = await runCli(
      [
        "init",
        "--sandbox",
        "--sandbox-dir",
        sb.dir,
        "--yes",
        "--identity",
        "id-view",
        "--namespace",
        "viewer-ns",
        "--service-account",
        "sa-view",
        "--no-test-pod",
        "--kubeconfig",
        p.kubeconfig!,
      ],
      { cwd: tempDir("aks-wi-preflight-kube-") },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Kubernetes: create serviceaccounts in namespace viewer-ns \(kubectl auth can-i create serviceaccounts -n viewer-ns\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(clusterFlags()).toEqual({ oidc: false, wi: false });
    expect(writeFingerprint(sb.dir)).toBe(before);
  });
});
