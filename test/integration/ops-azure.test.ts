// createAzureOps over the real Azure SDKs against the in-process sandbox, with small non-zero
// replication and write windows so the product's waits are really exercised: federated-credential
// writes take identityWriteMs (a second concurrent write on the identity gets 409), a new identity
// answers ParentResourceNotFound for ficParentNotFoundMs, and its principal is unknown to RBAC
// (PrincipalNotFound unless principalType is sent) for principalReplicationMs. What the sandbox
// answered is read off its ARM listener (node:diagnostics_channel), not inferred from the outcome.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { createAzureOps } from "../../src/azure/ops.js";
import type { AzureOps } from "../../src/core/ports.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { recordArm } from "../helpers/arm-recorder.js";

const KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const WINDOWS = { identityWriteMs: 300, ficParentNotFoundMs: 1500, principalReplicationMs: 1500 };
const AUDIENCE = ["api://AzureADTokenExchange"];
const CONCURRENT = "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let azure: AzureOps;
let sub: string;
let rg: string;
let armPort: number;

beforeAll(async () => {
  sb = await startTestSandbox({ latency: WINDOWS });
  azure = createAzureOps(sandboxCloud(sb.dir), { clusterPollMs: 100, replication: { initialDelayMs: 50, maxDelayMs: 500, budgetMs: 20_000 } });
  sub = sb.info.subscriptionId;
  rg = sb.info.resourceGroup;
  armPort = Number(new URL(sb.info.armEndpoint).port);
});
afterAll(async () => {
  await sb?.stop();
});

/** When the sandbox stored the identity (its replication windows count from here). */
function createdAt(name: string): number {
  const rec = Object.values(sb.sandbox.world.state.identities).find((i) => i.name === name);
  if (!rec) throw new Error(`no identity ${name} in the sandbox world`);
  return rec.createdAt;
}

/** Raw SDK clients with the sandbox profile's options: callers that are not the product. */
function rawClients() {
  const profile = sandboxCloud(sb.dir);
  return {
    msi: new ManagedServiceIdentityClient(profile.credential(), sub, profile.clientOptions()),
    auth: new AuthorizationManagementClient(profile.credential(), sub, profile.clientOptions()),
  };
}

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
    const accepted: number[] = [];
    const c = await azure.enableWorkloadIdentity((await azure.getCluster(sub, rg, sb.info.clusterName))!, {
      onProgress: (s) => progress.push(s),
      onAccepted: () => accepted.push(1),
    });
    expect(accepted).toEqual([1]);
    expect(c).toMatchObject({ oidcIssuerEnabled: true, workloadIdentityEnabled: true, provisioningState: "Succeeded" });
    expect(c.issuerUrl).toMatch(new RegExp(`^${sb.info.oidcBase}/${sb.info.tenantId}/[0-9a-f-]{36}/$`));
    expect(progress.length).toBeGreaterThan(0);
    const again = await azure.enableWorkloadIdentity((await azure.getCluster(sub, rg, sb.info.clusterName))!);
    expect(again.issuerUrl).toBe(c.issuerUrl);
  });

  it("creates an identity; FIC writes right after, concurrently, wait out ParentResourceNotFound one at a time and all land once", async () => {
    expect(await azure.getIdentity(sub, rg, "id-ops")).toBeUndefined();
    const id = await azure.createIdentity(sub, rg, "id-ops", sb.info.location);
    expect(id).toMatchObject({ name: "id-ops", resourceGroup: rg, tenantId: sb.info.tenantId });
    expect(id.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(id.principalId).not.toBe(id.clientId);
    expect(await azure.getIdentity(sub, rg, "id-ops")).toEqual(id);
    const born = createdAt("id-ops");

    const issuer = (await azure.getCluster(sub, rg, sb.info.clusterName))!.issuerUrl!;
    const rec = recordArm(armPort);
    const made = await Promise.all(
      ["a", "b", "c"].map((n) =>
        azure.putFederatedCredential(sub, rg, "id-ops", { name: `fc-${n}`, issuer, subject: `system:serviceaccount:ns:sa-${n}`, audiences: AUDIENCE }),
      ),
    ).finally(() => rec.stop());
    expect(made.map((f) => f.name)).toEqual(["fc-a", "fc-b", "fc-c"]);

    const puts = rec.log.filter((e) => e.method === "PUT" && /\/userAssignedIdentities\/id-ops\/federatedIdentityCredentials\//i.test(e.path));
    // The sandbox really refused while the identity replicated, and only inside the window...
    const refused = puts.filter((e) => e.status === 404);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((e) => e.code === "ParentResourceNotFound" && e.startedAt < born + WINDOWS.ficParentNotFoundMs)).toBe(true);
    // ...the product retried past it: each credential written exactly once, after the window...
    const landed = puts.filter((e) => e.status === 201);
    expect(landed.map((e) => e.path.split("/").pop()).sort()).toEqual(["fc-a", "fc-b", "fc-c"]);
    expect(Math.min(...landed.map((e) => e.endedAt!))).toBeGreaterThanOrEqual(born + WINDOWS.ficParentNotFoundMs);
    expect(puts.every((e) => e.status === 404 || e.status === 201)).toBe(true);
    // ...and its per-identity mutex kept the writes apart: no 409, no two PUTs in flight together
    // (each one of them holds the identity's write slot for identityWriteMs).
    expect(puts.filter((e) => e.status === 409)).toEqual([]);
    for (let i = 1; i < puts.length; i++) expect(puts[i]!.startedAt).toBeGreaterThanOrEqual(puts[i - 1]!.endedAt!);

    const list = await azure.listFederatedCredentials(sub, rg, "id-ops");
    expect(list.map((f) => f.name).sort()).toEqual(["fc-a", "fc-b", "fc-c"]);
    expect(list.every((f) => f.issuer === issuer && f.audiences.length === 1)).toBe(true);
  });

  it("two plain concurrent FIC writes collide with 409; a product write racing another writer retries the 409 and lands", async () => {
    const { msi } = rawClients();
    const issuer = (await azure.getCluster(sub, rg, sb.info.clusterName))!.issuerUrl!;
    const fic = (n: string) => ({ issuer, subject: `system:serviceaccount:ns:sa-${n}`, audiences: AUDIENCE });
    // Without a mutex the service takes one write and refuses the other.
    const both = await Promise.allSettled([
      msi.federatedIdentityCredentials.createOrUpdate(rg, "id-ops", "fc-raw-1", fic("raw-1")),
      msi.federatedIdentityCredentials.createOrUpdate(rg, "id-ops", "fc-raw-2", fic("raw-2")),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refusal = both.find((r): r is PromiseRejectedResult => r.status === "rejected")!.reason;
    expect(refusal).toMatchObject({ statusCode: 409, code: CONCURRENT });
    const winner = both[0]!.status === "fulfilled" ? "fc-raw-1" : "fc-raw-2";

    // Another writer (not our mutex) holds the identity's write slot when the product writes.
    const rec = recordArm(armPort);
    try {
      const other = msi.federatedIdentityCredentials.createOrUpdate(rg, "id-ops", "fc-raw-3", fic("raw-3"));
      const t0 = Date.now();
      while (!rec.log.some((e) => e.path.endsWith("/fc-raw-3"))) {
        if (Date.now() - t0 > 5_000) throw new Error("the other writer's PUT never reached the sandbox");
        await sleep(5);
      }
      await sleep(50); // well inside its identityWriteMs (300 ms)
      const mine = await azure.putFederatedCredential(sub, rg, "id-ops", { name: "fc-d", ...fic("d") });
      expect(mine.name).toBe("fc-d");
      expect((await other).name).toBe("fc-raw-3");
    } finally {
      rec.stop();
    }
    const mine = rec.log.filter((e) => e.method === "PUT" && e.path.endsWith("/fc-d"));
    expect(mine.filter((e) => e.status === 409).every((e) => e.code === CONCURRENT)).toBe(true);
    expect(mine.map((e) => e.status)).toContain(409);
    expect(mine.filter((e) => e.status === 201)).toHaveLength(1);
    expect(mine.at(-1)!.status).toBe(201);

    const names = (await azure.listFederatedCredentials(sub, rg, "id-ops")).map((f) => f.name).sort();
    expect(names).toEqual(["fc-a", "fc-b", "fc-c", "fc-d", winner, "fc-raw-3"].sort());
  });

  it("resolves roles by name and GUID; assigns to a principal RBAC cannot see yet, in one PUT; a repeat counts as done", async () => {
    const scope = `/subscriptions/${sub}/resourceGroups/${rg}`;
    const byName = await azure.resolveRole(scope, "Key Vault Secrets User");
    expect(byName).toMatchObject({ name: KV_SECRETS_USER, roleName: "Key Vault Secrets User" });
    expect(await azure.resolveRole(scope, KV_SECRETS_USER)).toMatchObject({ roleName: "Key Vault Secrets User" });
    expect(await azure.resolveRole(scope, "No Such Role")).toBeUndefined();

    const id = await azure.createIdentity(sub, rg, "id-roles", sb.info.location);
    const born = createdAt("id-roles");
    // The principal really is still replicating: an assignment that does not name its type is refused.
    const { auth } = rawClients();
    await expect(auth.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: byName!.id, principalId: id.principalId })).rejects.toMatchObject({
      statusCode: 400,
      code: "PrincipalNotFound",
    });

    const name = "0a4f6f8e-7a43-5d51-9d7e-3b1f3d3c2a10";
    const rec = recordArm(armPort);
    const ra = await azure.createRoleAssignment(scope, name, byName!.id, id.principalId).finally(() => rec.stop());
    expect(ra).toMatchObject({ name, principalId: id.principalId });
    expect(ra.roleDefinitionId.toLowerCase()).toContain(KV_SECRETS_USER);
    // The product's assignment went in while the principal was still unknown, in a single PUT:
    // it sends principalType ServicePrincipal rather than waiting the replication out.
    const puts = rec.log.filter((e) => e.method === "PUT" && /\/roleAssignments\//i.test(e.path));
    expect(puts.map((e) => [e.status, e.code])).toEqual([[201, undefined]]);
    expect(puts[0]!.startedAt).toBeLessThan(born + WINDOWS.principalReplicationMs);

    const repeat = await azure.createRoleAssignment(scope, "5b1c2d3e-4f50-5a6b-8c7d-9e0f1a2b3c4d", byName!.id, id.principalId);
    expect(repeat.principalId).toBe(id.principalId);
    const listed = await azure.listRoleAssignments(scope, id.principalId);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.name).toBe(name);
  });

  it("returns the cluster's kubeconfig and names Azure's error code on failure", async () => {
    const yaml = await azure.getClusterKubeconfig(sub, rg, sb.info.clusterName, false);
    expect(yaml).toMatch(/clusters:/);
    await expect(azure.createIdentity(sub, "rg-does-not-exist", "id-x", sb.info.location)).rejects.toThrow(/ResourceGroupNotFound/);
  });
});
