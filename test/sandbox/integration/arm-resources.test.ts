// Subscriptions, tenants, resource groups and seeded resources through the REAL
// @azure/arm-resources-subscriptions and @azure/arm-resources clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/identity";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { ResourceManagementClient } from "@azure/arm-resources";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { sandboxCloud } from "../../../src/azure/cloud.js";

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

let sb: TestSandbox;
let cred: TokenCredential;
let subs: SubscriptionClient;
let rm: ResourceManagementClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  cred = await operatorCredential(sb);
  const opts = sandboxCloud(sb.dir).clientOptions();
  subs = new SubscriptionClient(cred, opts);
  rm = new ResourceManagementClient(cred, sb.info.subscriptionId, opts);
});
afterAll(async () => sb?.stop());

describe("subscriptions and tenants", () => {
  it("lists the sandbox subscription with its tenant and name (then the one without Microsoft.ManagedIdentity)", async () => {
    const list = await all(subs.subscriptions.list());
    expect(list).toHaveLength(2);
    expect(list[1]).toMatchObject({ subscriptionId: sb.info.unregisteredSubscriptionId, tenantId: sb.info.tenantId, state: "Enabled" });
    expect(list[0]).toMatchObject({
      subscriptionId: sb.info.subscriptionId,
      tenantId: sb.info.tenantId,
      displayName: sb.info.subscriptionName,
      state: "Enabled",
    });
    const one = await subs.subscriptions.get(sb.info.subscriptionId);
    expect(one.id).toBe(`/subscriptions/${sb.info.subscriptionId}`);
  });

  it("answers an unknown subscription with SubscriptionNotFound", async () => {
    const other = "00000000-0000-0000-0000-000000000001";
    await expect(subs.subscriptions.get(other)).rejects.toMatchObject({ statusCode: 404, code: "SubscriptionNotFound" });
  });

  it("lists the caller's tenant", async () => {
    const tenants = await all(subs.tenants.list());
    expect(tenants.map((t) => t.tenantId)).toEqual([sb.info.tenantId]);
  });
});

describe("resource groups", () => {
  it("lists and gets the seeded group, HEAD tells existence", async () => {
    const groups = await all(rm.resourceGroups.list());
    expect(groups.map((g) => g.name)).toContain(sb.info.resourceGroup);
    const g = await rm.resourceGroups.get(sb.info.resourceGroup.toUpperCase());
    expect(g).toMatchObject({ name: sb.info.resourceGroup, location: sb.info.location, properties: { provisioningState: "Succeeded" } });
    expect((await rm.resourceGroups.checkExistence(sb.info.resourceGroup)).body).toBe(true);
    expect((await rm.resourceGroups.checkExistence("rg-missing")).body).toBe(false);
  });

  it("answers a missing group with ResourceGroupNotFound, also for resources inside it", async () => {
    await expect(rm.resourceGroups.get("rg-missing")).rejects.toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
    const id = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/rg-missing/providers/Microsoft.KeyVault/vaults/kv-x`;
    await expect(rm.resources.getById(id, "2023-07-01")).rejects.toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
  });

  it("creates a group (201 then 200 on update) and refuses a location change", async () => {
    const created = await rm.resourceGroups.createOrUpdate("rg-new", { location: "westeurope", tags: { a: "1" } });
    expect(created).toMatchObject({ name: "rg-new", location: "westeurope", tags: { a: "1" } });
    expect((await rm.resourceGroups.get("rg-new")).tags).toEqual({ a: "1" });
    await expect(rm.resourceGroups.createOrUpdate("rg-new", { location: "eastus" })).rejects.toMatchObject({ statusCode: 409 });
  });
});

describe("seeded resources", () => {
  it("GETs the Key Vault and the storage account by ID with their own api-versions", async () => {
    const resources = Object.values(sb.sandbox.world.state.resources);
    const vault = resources.find((r) => r.type === "Microsoft.KeyVault/vaults")!;
    const storage = resources.find((r) => r.type === "Microsoft.Storage/storageAccounts")!;
    const v = await rm.resources.getById(vault.id, "2023-07-01");
    expect(v).toMatchObject({ id: vault.id, name: vault.name, type: "Microsoft.KeyVault/vaults", location: sb.info.location });
    expect(v.properties?.vaultUri).toMatch(/^https:\/\/kv-sandbox-[0-9a-f]{6}\.vault\.azure\.net\/$/);
    const s = await rm.resources.getById(storage.id, "2023-05-01");
    expect(s).toMatchObject({ id: storage.id, name: storage.name });
    // an api-version of another provider is refused the way Azure refuses it
    await expect(rm.resources.getById(vault.id, "2025-10-01")).rejects.toMatchObject({ statusCode: 400, code: "NoRegisteredProviderFound" });
  });

  it("answers a missing vault with ResourceNotFound", async () => {
    const id = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.KeyVault/vaults/kv-none`;
    const e = await rm.resources.getById(id, "2023-07-01").catch((x) => x);
    expect(e).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    expect(String(e.message)).toContain(`The Resource 'Microsoft.KeyVault/vaults/kv-none' under resource group '${sb.info.resourceGroup}' was not found`);
  });
});
