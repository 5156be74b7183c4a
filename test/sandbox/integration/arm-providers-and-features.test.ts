// Resource providers, preview features and the generic resource lists: providers and resources
// through the REAL @azure/arm-resources client, Microsoft.Features and the Key Vault / storage
// lists as raw calls (no SDK of theirs is a dependency). Registrations take the (overridden)
// registration times, so "Registering" is seen before "Registered".
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceManagementClient } from "@azure/arm-resources";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { randomUUID } from "node:crypto";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { failure, mintOperatorToken, rawCall } from "./calls.harness.js";

const REGISTRATION_MS = 400;

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

let sb: TestSandbox;
let rm: ResourceManagementClient;
let token: string;
let vaultId: string;
const sub = () => `/subscriptions/${sb.info.subscriptionId}`;

beforeAll(async () => {
  sb = await startTestSandbox({ latency: { providerRegistrationMs: REGISTRATION_MS, featureRegistrationMs: REGISTRATION_MS } });
  rm = new ResourceManagementClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
  token = await mintOperatorToken(sb);
  vaultId = Object.values(sb.sandbox.world.state.resources).find((r) => r.type === "Microsoft.KeyVault/vaults")!.id;
});
afterAll(async () => sb?.stop());

describe("resource providers", () => {
  it("lists every provider the sandbox serves as Registered, and Microsoft.KubernetesConfiguration as NotRegistered", async () => {
    const providers = await all(rm.providers.list());
    const states = Object.fromEntries(providers.map((p) => [p.namespace, p.registrationState]));
    expect(states).toEqual({
      "Microsoft.Resources": "Registered",
      "Microsoft.KeyVault": "Registered",
      "Microsoft.Storage": "Registered",
      "Microsoft.Features": "Registered",
      "Microsoft.ContainerService": "Registered",
      "Microsoft.ManagedIdentity": "Registered",
      "Microsoft.Authorization": "Registered",
      "Microsoft.KubernetesConfiguration": "NotRegistered",
    });
    expect(providers.find((p) => p.namespace === "Microsoft.Resources")?.registrationPolicy).toBe("RegistrationFree");
  });

  it("shows a provider's resource types with the api-versions its routes take, newest first", async () => {
    const aks = await rm.providers.get("microsoft.containerservice");
    expect(aks).toMatchObject({
      id: `${sub()}/providers/Microsoft.ContainerService`,
      namespace: "Microsoft.ContainerService",
      registrationState: "Registered",
      registrationPolicy: "RegistrationRequired",
    });
    const clusters = aks.resourceTypes!.find((t) => t.resourceType === "managedClusters")!;
    expect(clusters.locations).toEqual(["East US"]);
    expect(clusters.apiVersions![0]).toBe("2025-10-01");
    expect(clusters.apiVersions).toContain("2017-08-31");
    const msi = await rm.providers.get("Microsoft.ManagedIdentity");
    expect(msi.resourceTypes!.map((t) => t.resourceType)).toEqual(["userAssignedIdentities", "userAssignedIdentities/federatedIdentityCredentials"]);
  });

  it("registers an unregistered provider: Registering, then Registered once the registration time has passed", async () => {
    expect((await rm.providers.register("Microsoft.KubernetesConfiguration")).registrationState).toBe("Registering");
    expect((await rm.providers.get("Microsoft.KubernetesConfiguration")).registrationState).toBe("Registering");
    await sleep(REGISTRATION_MS + 50);
    expect((await rm.providers.get("Microsoft.KubernetesConfiguration")).registrationState).toBe("Registered");
    expect((await rm.providers.register("Microsoft.ContainerService")).registrationState).toBe("Registered");
  });

  it("answers a namespace nobody serves with InvalidResourceNamespace", async () => {
    expect(await failure(rm.providers.get("Microsoft.Nope"))).toMatchObject({ code: "InvalidResourceNamespace" });
  });
});

describe("preview features (Microsoft.Features)", () => {
  const base = () => `${sub()}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features`;
  const call = (method: string, path: string) => rawCall(sb, method, `${path}?api-version=2021-07-01`, { token });

  it("register is Registering, then Registered; unregister goes back the same way", async () => {
    const id = `${base()}/EnableWorkloadIdentityPreview`;
    expect((await call("GET", id)).json).toEqual({
      properties: { state: "NotRegistered" },
      id,
      type: "Microsoft.Features/providers/features",
      name: "Microsoft.ContainerService/EnableWorkloadIdentityPreview",
    });
    const reg = await call("POST", `${base()}/enableworkloadidentitypreview/register`);
    expect(reg.status).toBe(200);
    expect(reg.json).toMatchObject({ id, properties: { state: "Registering" } });
    await sleep(REGISTRATION_MS + 50);
    expect((await call("GET", id)).json.properties.state).toBe("Registered");
    expect((await call("POST", `${id}/unregister`)).json.properties.state).toBe("Unregistering");
    await sleep(REGISTRATION_MS + 50);
    expect((await call("GET", id)).json.properties.state).toBe("Unregistered");
  });

  it("lists a namespace's features and all of the subscription's", async () => {
    const names = (await call("GET", base())).json.value.map((f: any) => f.name);
    expect(names).toContain("Microsoft.ContainerService/EnableOIDCIssuerPreview");
    expect((await call("GET", `${sub()}/providers/Microsoft.Features/features`)).json.value.length).toBe(names.length);
  });

  it("answers an unknown feature with FeatureNotFound", async () => {
    const r = await call("POST", `${base()}/NoSuchPreview/register`);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: "FeatureNotFound", message: "The feature 'NoSuchPreview' could not be found." } });
  });
});

describe("resource lists", () => {
  it("lists a group's tracked resources, an identity made since among them, with ARM's resourceGroups casing", async () => {
    const msi = new ManagedServiceIdentityClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
    await msi.userAssignedIdentities.createOrUpdate(sb.info.resourceGroup, "id-listed", { location: "eastus" });
    const items = await all(rm.resources.listByResourceGroup(sb.info.resourceGroup));
    expect(items.map((r) => r.type).sort()).toEqual([
      "Microsoft.ContainerService/ManagedClusters",
      "Microsoft.KeyVault/vaults",
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      "Microsoft.Storage/storageAccounts",
    ]);
    for (const r of items) expect(r.id).toMatch(new RegExp(`^${sub()}/resourceGroups/${sb.info.resourceGroup}/providers/`));
    const cluster = items.find((r) => r.name === sb.info.clusterName)!;
    expect(cluster.identity?.type).toBe("SystemAssigned");
    expect(cluster.sku).toEqual({ name: "Base", tier: "Free" });
    expect(items.find((r) => r.name === "id-listed")?.createdTime).toBeUndefined();
    const expanded = await all(rm.resources.listByResourceGroup(sb.info.resourceGroup, { expand: "createdTime,provisioningState" }));
    expect(expanded.find((r) => r.name === "id-listed")).toMatchObject({ provisioningState: "Succeeded", createdTime: expect.any(Date) });
  });

  it("filters by resource type (as az keyvault show --name does without -g) and by name", async () => {
    const vaults = await all(rm.resources.list({ filter: "resourceType eq 'Microsoft.KeyVault/vaults'" }));
    expect(vaults.map((v) => v.id)).toEqual([vaultId]);
    const named = await all(rm.resources.list({ filter: `resourceType EQ 'microsoft.keyvault/vaults' AND name eq '${vaultId.split("/").pop()}'` }));
    expect(named).toHaveLength(1);
    expect(await all(rm.resources.list({ filter: "name eq 'nothing-by-this-name'" }))).toEqual([]);
  });

  it("refuses a filter it would not evaluate, as ARM does, instead of answering everything", async () => {
    expect(await failure(all(rm.resources.list({ filter: "managedBy eq 'someone'" })))).toMatchObject({ statusCode: 400, code: "InvalidFilterInQueryString" });
  });

  it("lists only what the caller may read", async () => {
    const msi = new ManagedServiceIdentityClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
    const reader = await msi.userAssignedIdentities.createOrUpdate(sb.info.resourceGroup, "id-reader", { location: "eastus" });
    const authz = new AuthorizationManagementClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
    await authz.roleAssignments.create(vaultId, randomUUID(), {
      roleDefinitionId: `${sub()}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
      principalId: reader.principalId!,
      principalType: "ServicePrincipal",
    });
    const readerToken = await sb.sandbox.ctx.tokens.mintAccessToken({
      tenantId: sb.info.tenantId,
      audience: sb.info.armAudience,
      clientId: reader.clientId!,
      principalId: reader.principalId!,
    });
    const r = await rawCall(sb, "GET", `${sub()}/resources?api-version=2021-04-01`, { token: readerToken });
    expect(r.json.value.map((x: any) => x.id)).toEqual([vaultId]);
  });
});

describe("Key Vault and storage account lists", () => {
  const list = (path: string, apiVersion: string) => rawCall(sb, "GET", `${path}?api-version=${apiVersion}`, { token });

  it("lists vaults by resource group and by subscription, as stored", async () => {
    const byGroup = await list(`${sub()}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.KeyVault/vaults`, "2022-07-01");
    expect(byGroup.json.value.map((v: any) => v.id)).toEqual([vaultId]);
    expect(byGroup.json.value[0].properties.vaultUri).toMatch(/^https:\/\/kv-sandbox-[0-9a-f]{6}\.vault\.azure\.net\/$/);
    expect((await list(`${sub()}/providers/Microsoft.KeyVault/vaults`, "2022-07-01")).json.value).toHaveLength(1);
  });

  it("lists storage accounts by resource group and by subscription; a missing group is ResourceGroupNotFound", async () => {
    const byGroup = await list(`${sub()}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.Storage/storageAccounts`, "2023-01-01");
    expect(byGroup.json.value.map((v: any) => v.name)).toEqual([expect.stringMatching(/^stsandbox[0-9a-f]{6}$/)]);
    expect((await list(`${sub()}/providers/Microsoft.Storage/storageAccounts`, "2023-01-01")).json.value).toHaveLength(1);
    const missing = await list(`${sub()}/resourceGroups/rg-nope/providers/Microsoft.Storage/storageAccounts`, "2023-01-01");
    expect(missing.json.error.code).toBe("ResourceGroupNotFound");
  });
});
