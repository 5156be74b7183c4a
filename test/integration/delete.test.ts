// Acceptance of `aks-wi delete` on the sandbox with the real CLI, SDKs and kubectl: two bindings
// (two --state files) share one identity; one service account was made by hand and only annotated
// by init, and a role assignment on the identity was made by hand. Deleting one binding removes
// exactly what aks-wi made for it (seen through ARM and kubectl), the other still passes verify,
// the user's things remain; --dry-run changes nothing; a second delete plans nothing.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, runCli, tempDir, vaultId, writeFingerprint } from "../helpers/init-cli.harness.js";

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CID = "azure.workload.identity/client-id";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
let msi: ManagedServiceIdentityClient;
let auth: AuthorizationManagementClient;
let handAssignment: string;

const sandbox = () => ["--sandbox", "--sandbox-dir", sb.dir];
/** Binding A: namespace and service account made by aks-wi. */
const a = () => [...sandbox(), "--identity", "id-shared", "--namespace", "shop", "--service-account", "api", "--state", join(cwd, "a.json")];
/** Binding B: the user's namespace and service account, only annotated by init. */
const b = () => [...sandbox(), "--identity", "id-shared", "--namespace", "ops", "--service-account", "worker", "--state", join(cwd, "b.json")];
const role = () => ["--role", "Key Vault Secrets User", "--scope", vaultId(sb.dir)];

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const credentials = async () => (await collect(msi.federatedIdentityCredentials.list(sb.info.resourceGroup, "id-shared"))).map((c) => c.name).sort();
async function assignments(principalId: string) {
  const all = await collect(auth.roleAssignments.listForSubscription({ filter: `principalId eq '${principalId}'` }));
  return all.map((x) => ({ id: x.id!, description: x.description }));
}
const namespaces = async () => ((await kubectlJson(sb.info.kubeconfig, ["get", "namespaces"])).items as any[]).map((n) => n.metadata.name);

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-delete-");
  const profile = sandboxCloud(sb.dir);
  msi = new ManagedServiceIdentityClient(profile.credential(), sb.info.subscriptionId, profile.clientOptions());
  auth = new AuthorizationManagementClient(profile.credential(), sb.info.subscriptionId, profile.clientOptions());
  await kubectlJson(sb.info.kubeconfig, ["create", "namespace", "ops"]);
  await kubectlJson(sb.info.kubeconfig, ["create", "serviceaccount", "worker", "-n", "ops"]);
  await kubectlJson(sb.info.kubeconfig, ["annotate", "serviceaccount", "worker", "-n", "ops", "team.example/owner=ops"]);
  for (const args of [a(), b()]) {
    const r = await runCli(["init", "--yes", ...args, ...role()], { cwd });
    expect(r.code, r.stderr).toBe(0);
  }
  const id = await msi.userAssignedIdentities.get(sb.info.resourceGroup, "id-shared");
  const rg = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}`;
  handAssignment = (
    await auth.roleAssignments.create(rg, randomUUID(), {
      roleDefinitionId: `/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
      principalId: id.principalId!,
      principalType: "ServicePrincipal",
    })
  ).id!;
}, 120_000);
afterAll(async () => {
  await sb?.stop();
});

describe("aks-wi delete", () => {
  it("without --yes and without a terminal refuses (exit 2); --dry-run plans the deletes and changes nothing", async () => {
    const before = writeFingerprint(sb.dir);
    const refused = await runCli(["delete", ...a()], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    const dry = await runCli(["delete", "--dry-run", ...a(), "-o", "json"], { cwd });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ version: 1, result: "planned", binding: { namespace: "shop", serviceAccount: "api" } });
    expect(plan.deleted).toEqual(
      expect.arrayContaining([
        "delete test pod shop/aks-wi-test",
        "delete service account shop/api",
        expect.stringMatching(/^delete namespace shop/),
        expect.stringMatching(/^delete federated credential aks-wi-shop-api/),
      ]),
    );
    expect(plan.left.join("\n")).toMatch(/OIDC issuer and workload identity stay on/);
    expect(writeFingerprint(sb.dir)).toBe(before);
    expect(existsSync(join(cwd, "a.json"))).toBe(true);
  });

  it("removes exactly one binding's resources; the other passes verify, the user's things remain; a second delete plans nothing", async () => {
    const id = await msi.userAssignedIdentities.get(sb.info.resourceGroup, "id-shared");
    expect(await credentials()).toEqual(["aks-wi-ops-worker", "aks-wi-shop-api"]);
    const before = await assignments(id.principalId!);

    const r = await runCli(["delete", "--yes", ...a()], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the cluster's OIDC issuer and workload identity stay on/);
    expect(r.stdout).toMatch(/identity id-shared is still used by federated credential\(s\) aks-wi-ops-worker/);
    expect(r.stdout).toMatch(/State file .*a\.json removed\./);
    expect(existsSync(join(cwd, "a.json"))).toBe(false);

    // ARM: A's credential is gone; the identity, B's credential and every assignment stay (the
    // Key Vault one is shared with B: init reused it for the second binding).
    expect(await credentials()).toEqual(["aks-wi-ops-worker"]);
    expect((await msi.userAssignedIdentities.get(sb.info.resourceGroup, "id-shared")).id).toBe(id.id);
    expect(await assignments(id.principalId!)).toEqual(before);
    expect(before.map((x) => x.id)).toContain(handAssignment);
    // kubectl: A's namespace (made by aks-wi, nothing else in it) is gone with its pod and service account.
    expect(await namespaces()).not.toContain("shop");
    const worker = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", "worker", "-n", "ops"]);
    expect(worker.metadata.annotations).toMatchObject({ "team.example/owner": "ops", [CID]: id.clientId, "aks-wi/binding": "ops/worker" });

    const verify = await runCli(["verify", ...sandbox(), "--state", join(cwd, "b.json")], { cwd });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const fingerprint = writeFingerprint(sb.dir);
    const again = await runCli(["delete", "--yes", ...a()], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to change\./);
    expect(again.stdout).toMatch(/Nothing was deleted\./);
    expect(writeFingerprint(sb.dir)).toBe(fingerprint);
  });

  it("deleting the last binding strips the user's service account and removes aks-wi's assignment; the hand-made one keeps the identity", async () => {
    const id = await msi.userAssignedIdentities.get(sb.info.resourceGroup, "id-shared");
    const r = await runCli(["delete", "--yes", ...b()], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/service account ops\/worker made by you: only its annotations are removed/);
    expect(r.stdout).toMatch(/namespace ops was not made by aks-wi: left/);
    expect(r.stdout).toMatch(/identity id-shared still holds 1 role assignment\(s\) aks-wi did not make: left/);
    expect(await credentials()).toEqual([]);
    expect((await assignments(id.principalId!)).map((x) => x.id)).toEqual([handAssignment]);
    expect(await namespaces()).toContain("ops");
    const worker = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", "worker", "-n", "ops"]);
    expect(worker.metadata.annotations).toEqual({ "team.example/owner": "ops" });
    const pods = await kubectlJson(sb.info.kubeconfig, ["get", "pods", "-n", "ops"]);
    expect(pods.items).toEqual([]);
  });

  it("without --state, the default state file goes and so do aks-wi's empty directories", async () => {
    const dir = tempDir("aks-wi-delete-default-");
    const c = [...sandbox(), "--identity", "id-c", "--namespace", "c", "--service-account", "c-sa", "--no-test-pod"];
    expect((await runCli(["init", "--yes", ...c], { cwd: dir })).code).toBe(0);
    expect(existsSync(join(dir, ".aks-wi", "aks-sandbox", "state.json"))).toBe(true);
    const r = await runCli(["delete", "--yes", ...c, "-o", "json"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ version: 1, result: "done", stateFile: { path: join(dir, ".aks-wi", "aks-sandbox", "state.json"), removed: true } });
    expect(doc.deleted).toEqual(expect.arrayContaining([expect.stringMatching(/^delete identity id-c/), expect.stringMatching(/^delete namespace c /)]));
    expect(existsSync(join(dir, ".aks-wi"))).toBe(false);
  });
});
