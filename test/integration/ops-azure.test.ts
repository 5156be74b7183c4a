// createAzureOps over the real Azure SDKs against the in-process sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { createAzureOps } from "../../src/azure/ops.js";
import type { AzureOps } from "../../src/steps/types.js";
import { startTestSandbox } from "../helpers/sandbox.js";

const KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let azure: AzureOps;
let sub: string;
let rg: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  azure = createAzureOps(sandboxCloud(sb.dir), { clusterPollMs: 100, replication: { initialDelayMs: 50, maxDelayMs: 500, budgetMs: 20_000 } });
  sub = sb.info.subscriptionId;
  rg = sb.info.resourceGroup;
});
afterAll(async () => {
  await sb?.stop();
});

describe("AzureOps on the sandbox", () => {
  it("lists the subscription with its tenant, and the resource group", async () => {
    const subs = await azure.listSubscriptions();
    expect(subs).toContainEqual(expect.objectContaining({ id: sub, tenantId: sb.info.tenantId }));
    expect((await azure.listResourceGroups(sub)).map((g) => g.name)).toContain(rg);
  });

  it("reads the seeded cluster with both flags off, and undefined for a missing one", async () => {
    const c = await azure.getCluster(sub, rg, sb.info.clusterName);
    expect(c).toMatchObject({ name: sb.info.clusterName, resourceGroup: rg, oidcIssuerEnabled: false, workloadIdentityEnabled: false });
    expect(c!.issuerUrl).toBeUndefined();
    expect(await azure.getCluster(sub, rg, "no-such-cluster")).toBeUndefined();
    expect((await azure.listClusters(sub)).map((x) => x.name)).toContain(sb.info.clusterName);
  });

  it("enables OIDC issuer and workload identity in one update; the issuer keeps its trailing slash", async () => {
    const progress: string[] = [];
    const c = await azure.enableWorkloadIdentity(sub, rg, sb.info.clusterName, (s) => progress.push(s));
    expect(c).toMatchObject({ oidcIssuerEnabled: true, workloadIdentityEnabled: true, provisioningState: "Succeeded" });
    expect(c.issuerUrl).toMatch(new RegExp(`^${sb.info.oidcBase}/${sb.info.tenantId}/[0-9a-f-]{36}/$`));
    expect(progress.length).toBeGreaterThan(0);
    const again = await azure.enableWorkloadIdentity(sub, rg, sb.info.clusterName);
    expect(again.issuerUrl).toBe(c.issuerUrl);
  });

  it("creates and reads an identity; federated credentials written right after creation, concurrently, all land", async () => {
    expect(await azure.getIdentity(sub, rg, "id-ops")).toBeUndefined();
    const id = await azure.createIdentity(sub, rg, "id-ops", sb.info.location);
    expect(id).toMatchObject({ name: "id-ops", resourceGroup: rg, tenantId: sb.info.tenantId });
    expect(id.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(id.principalId).not.toBe(id.clientId);
    expect(await azure.getIdentity(sub, rg, "id-ops")).toEqual(id);

    const issuer = (await azure.getCluster(sub, rg, sb.info.clusterName))!.issuerUrl!;
    const made = await Promise.all(
      ["a", "b", "c"].map((n) =>
        azure.putFederatedCredential(sub, rg, "id-ops", { name: `fc-${n}`, issuer, subject: `system:serviceaccount:ns:sa-${n}`, audiences: ["api://AzureADTokenExchange"] }),
      ),
    );
    expect(made.map((f) => f.name)).toEqual(["fc-a", "fc-b", "fc-c"]);
    const list = await azure.listFederatedCredentials(sub, rg, "id-ops");
    expect(list.map((f) => f.name).sort()).toEqual(["fc-a", "fc-b", "fc-c"]);
    expect(list.every((f) => f.issuer === issuer && f.audiences.length === 1)).toBe(true);
  });

  it("resolves roles by name and GUID; assigns to the principal right after creation; a repeat counts as done", async () => {
    const vault = `/subscriptions/${sub}/resourceGroups/${rg}`;
    const byName = await azure.resolveRole(vault, "Key Vault Secrets User");
    expect(byName).toMatchObject({ name: KV_SECRETS_USER, roleName: "Key Vault Secrets User" });
    expect(await azure.resolveRole(vault, KV_SECRETS_USER)).toMatchObject({ roleName: "Key Vault Secrets User" });
    expect(await azure.resolveRole(vault, "No Such Role")).toBeUndefined();

    const id = await azure.createIdentity(sub, rg, "id-roles", sb.info.location);
    const name = "0a4f6f8e-7a43-5d51-9d7e-3b1f3d3c2a10";
    const ra = await azure.createRoleAssignment(vault, name, byName!.id, id.principalId);
    expect(ra).toMatchObject({ name, principalId: id.principalId });
    expect(ra.roleDefinitionId.toLowerCase()).toContain(KV_SECRETS_USER);
    const repeat = await azure.createRoleAssignment(vault, "5b1c2d3e-4f50-5a6b-8c7d-9e0f1a2b3c4d", byName!.id, id.principalId);
    expect(repeat.principalId).toBe(id.principalId);
    const listed = await azure.listRoleAssignments(vault, id.principalId);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.name).toBe(name);
  });

  it("returns the cluster's kubeconfig and names Azure's error code on failure", async () => {
    const yaml = await azure.getClusterKubeconfig(sub, rg, sb.info.clusterName, false);
    expect(yaml).toMatch(/clusters:/);
    await expect(azure.createIdentity(sub, "rg-does-not-exist", "id-x", sb.info.location)).rejects.toThrow(/ResourceGroupNotFound/);
  });
});
