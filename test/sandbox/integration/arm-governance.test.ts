// The governance enterprise tenants have, through the real SDKs: a second subscription where
// Microsoft.ManagedIdentity is not registered (an identity create is ARM's 409
// MissingSubscriptionRegistration until `providers.register`, then it works), and a resource
// group under an Azure Policy assignment that denies identities without a tag (403
// RequestDisallowedByPolicy with the assignment and definition in additionalInfo; with the tag,
// or elsewhere, the create goes through). Both listed in sandbox.json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { ResourceManagementClient } from "@azure/arm-resources";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { failure } from "./calls.harness.js";

const REGISTRATION_MS = 200;
let sb: TestSandbox;
const msiIn = async (subscriptionId: string) =>
  new ManagedServiceIdentityClient(await operatorCredential(sb), subscriptionId, sandboxCloud(sb.dir).clientOptions());

beforeAll(async () => {
  sb = await startTestSandbox({ latency: { providerRegistrationMs: REGISTRATION_MS } });
});
afterAll(async () => sb?.stop());

describe("a subscription where Microsoft.ManagedIdentity is not registered", () => {
  it("is listed in sandbox.json and among the operator's subscriptions", async () => {
    expect(sb.info.unregisteredSubscriptionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sb.info.unregisteredSubscriptionId).not.toBe(sb.info.subscriptionId);
    expect(sb.info.unregisteredResourceGroup).toBe("rg-unregistered");
    const subs: { subscriptionId?: string; displayName?: string; tenantId?: string }[] = [];
    for await (const s of new SubscriptionClient(await operatorCredential(sb), sandboxCloud(sb.dir).clientOptions()).subscriptions.list()) subs.push(s);
    expect(subs.map((s) => [s.subscriptionId, s.displayName, s.tenantId])).toEqual([
      [sb.info.subscriptionId, sb.info.subscriptionName, sb.info.tenantId],
      [sb.info.unregisteredSubscriptionId, "aks-wi-sandbox-unregistered", sb.info.tenantId],
    ]);
  });

  it("answers an identity create with ARM's 409 MissingSubscriptionRegistration, until the provider is registered", async () => {
    const sub = sb.info.unregisteredSubscriptionId!;
    const msi = await msiIn(sub);
    const refused = await failure(msi.userAssignedIdentities.createOrUpdate(sb.info.unregisteredResourceGroup!, "id-blocked", { location: "eastus" }));
    expect(refused.statusCode).toBe(409);
    expect(refused.code).toBe("MissingSubscriptionRegistration");
    expect(refused.message).toBe(
      "The subscription is not registered to use namespace 'Microsoft.ManagedIdentity'. See https://aka.ms/rps-not-found for how to register subscriptions.",
    );
    // the list is refused as well: ARM forwards nothing to an unregistered provider
    expect(
      (
        await failure(
          (async () => {
            for await (const _ of msi.userAssignedIdentities.listBySubscription()) void _;
          })(),
        )
      ).code,
    ).toBe("MissingSubscriptionRegistration");

    const resources = new ResourceManagementClient(await operatorCredential(sb), sub, sandboxCloud(sb.dir).clientOptions());
    expect((await resources.providers.get("Microsoft.ManagedIdentity")).registrationState).toBe("NotRegistered");
    // the main subscription has it registered
    const main = new ResourceManagementClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
    expect((await main.providers.get("Microsoft.ManagedIdentity")).registrationState).toBe("Registered");

    expect((await resources.providers.register("Microsoft.ManagedIdentity")).registrationState).toBe("Registering");
    expect((await failure(msi.userAssignedIdentities.createOrUpdate(sb.info.unregisteredResourceGroup!, "id-blocked", { location: "eastus" }))).code).toBe(
      "MissingSubscriptionRegistration",
    );
    await new Promise((r) => setTimeout(r, REGISTRATION_MS + 50));
    expect((await resources.providers.get("Microsoft.ManagedIdentity")).registrationState).toBe("Registered");
    const created = await msi.userAssignedIdentities.createOrUpdate(sb.info.unregisteredResourceGroup!, "id-blocked", { location: "eastus" });
    expect(created.id).toBe(`/subscriptions/${sub}/resourcegroups/rg-unregistered/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-blocked`);
  });

  it("keeps its resource groups apart from the main subscription's", async () => {
    const groups = async (sub: string) => {
      const out: string[] = [];
      for await (const g of new ResourceManagementClient(await operatorCredential(sb), sub, sandboxCloud(sb.dir).clientOptions()).resourceGroups.list())
        out.push(g.name!);
      return out.sort();
    };
    expect(await groups(sb.info.unregisteredSubscriptionId!)).toEqual(["rg-unregistered"]);
    expect(await groups(sb.info.subscriptionId)).toEqual(expect.arrayContaining([sb.info.resourceGroup, sb.info.policyResourceGroup]));
    expect(await groups(sb.info.subscriptionId)).not.toContain("rg-unregistered");
  });
});

describe("a resource group under a policy that denies identities without a tag", () => {
  it("refuses an untagged identity with 403 RequestDisallowedByPolicy, naming the assignment and the definition", async () => {
    expect(sb.info.policyResourceGroup).toBe("rg-policy");
    expect(sb.info.policyTagName).toBe("costCenter");
    const msi = await msiIn(sb.info.subscriptionId);
    const refused = await failure(msi.userAssignedIdentities.createOrUpdate("rg-policy", "id-untagged", { location: "eastus", tags: { team: "a" } }));
    expect(refused.statusCode).toBe(403);
    expect(refused.code).toBe("RequestDisallowedByPolicy");
    const rgId = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/rg-policy`;
    const assignmentId = `${rgId}/providers/Microsoft.Authorization/policyAssignments/require-cost-center-on-identities`;
    const definitionId = `/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.Authorization/policyDefinitions/require-tag-on-managed-identities`;
    expect(refused.message).toBe(
      `Resource 'id-untagged' was disallowed by policy. Policy identifiers: '[{"policyAssignment":{"name":"Require a costCenter tag on managed identities","id":"${assignmentId}"},"policyDefinition":{"name":"Require a tag on managed identities","id":"${definitionId}"}}]'.`,
    );
    const body = (refused as unknown as { details?: { error?: any } }).details?.error ?? (refused as any).response?.parsedBody?.error;
    expect(body).toMatchObject({ code: "RequestDisallowedByPolicy", target: "id-untagged" });
    expect(body.additionalInfo).toEqual([
      {
        type: "PolicyViolation",
        info: expect.objectContaining({
          policyAssignmentId: assignmentId,
          policyAssignmentName: "require-cost-center-on-identities",
          policyAssignmentScope: rgId,
          policyAssignmentParameters: { tagName: { value: "costCenter" } },
          policyDefinitionId: definitionId,
          policyDefinitionEffect: "deny",
        }),
      },
    ]);
    expect(body.additionalInfo[0].info.evaluationDetails.evaluatedExpressions).toContainEqual(
      expect.objectContaining({ expression: "tags[costCenter]", operator: "Exists", targetValue: "false" }),
    );
    expect(Object.values(sb.sandbox.world.state.identities).map((i) => i.name)).not.toContain("id-untagged");
  });

  it("takes the identity with the tag (any case), and refuses a later PATCH that drops it", async () => {
    const msi = await msiIn(sb.info.subscriptionId);
    const created = await msi.userAssignedIdentities.createOrUpdate("rg-policy", "id-tagged", { location: "eastus", tags: { CostCenter: "1234" } });
    expect(created.tags).toEqual({ CostCenter: "1234" });
    const patch = await failure(msi.userAssignedIdentities.update("rg-policy", "id-tagged", { tags: { team: "a" } }));
    expect([patch.statusCode, patch.code]).toEqual([403, "RequestDisallowedByPolicy"]);
    expect((await msi.userAssignedIdentities.get("rg-policy", "id-tagged")).tags).toEqual({ CostCenter: "1234" });
  });

  it("does not apply outside its resource group", async () => {
    const msi = await msiIn(sb.info.subscriptionId);
    expect((await msi.userAssignedIdentities.createOrUpdate(sb.info.resourceGroup, "id-elsewhere", { location: "eastus" })).name).toBe("id-elsewhere");
  });
});
