// The identity step over the fakes.
import { describe, expect, it } from "vitest";
import { identityStep } from "../../../../src/init/steps/identity.js";
import { TENANT, world, applyPlan, planStep } from "../../../helpers/steps-fakes.js";

describe("identity step", () => {
  it("creates in the cluster's location by default and records ids", async () => {
    const w = world();
    const p = await planStep(identityStep, w.ctx);
    expect(p).toMatchObject({ change: "create", details: { name: "id-app", resourceGroup: "rg-sandbox", location: "eastus" } });
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual(["createIdentity id-app eastus"]);
    const id = w.ctx.state.outputs.identity!;
    expect(id).toMatchObject({ name: "id-app", resourceGroup: "rg-sandbox", location: "eastus", tenantId: TENANT });
    expect(id.clientId).not.toBe(id.principalId);
  });

  it("reuses an existing identity without writing", async () => {
    const w = world();
    const made = await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
    w.azure.writes = [];
    const p = await planStep(identityStep, w.ctx);
    expect(p.change).toBe("none");
    expect(p.details).toMatchObject({ clientId: made.clientId, principalId: made.principalId });
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual([]);
    expect(w.ctx.state.outputs.identity).toEqual(made);
  });
});

describe("identity options", () => {
  it("--identity-location and --tags: created there, the tags merged with aks-wi's managed-by tag", async () => {
    const w = world({ identityLocation: "westeurope", tags: { costCenter: "cc-42", owner: "team-a" } });
    const p = await planStep(identityStep, w.ctx);
    expect(p).toMatchObject({
      change: "create",
      summary: "create identity id-app in rg-sandbox (westeurope)",
      details: { location: "westeurope", tags: "costCenter=cc-42, owner=team-a, managed-by=aks-wi" },
    });
    expect(p.ops[0]!.body).toEqual({ location: "westeurope", tags: { costCenter: "cc-42", owner: "team-a", "managed-by": "aks-wi" } });
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual(["createIdentity id-app westeurope"]);
    expect(w.ctx.state.outputs.identity).toMatchObject({ location: "westeurope", tags: { costCenter: "cc-42", owner: "team-a", "managed-by": "aks-wi" } });
  });

  it("an existing identity's tags and region are left alone, and the plan says so", async () => {
    const w = world({ identityLocation: "westeurope", tags: { costCenter: "cc-42" } });
    await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus", { team: "x" });
    w.azure.writes = [];
    const p = await planStep(identityStep, w.ctx);
    expect(p.change).toBe("none");
    expect(p.ops).toEqual([]);
    expect(p.summary).toBe(
      "reuse identity id-app in rg-sandbox; its tags are left as they are (costCenter=cc-42 not added); it stays in eastus (--identity-location westeurope is not used)",
    );
    expect(p.details).toMatchObject({
      location: "eastus",
      tags: "left as they are (an existing identity's tags are not changed): costCenter=cc-42 not added",
      WARN: "--identity-location westeurope is not used: identity id-app exists in eastus",
    });
  });

  it("--identity-subscription: the identity, its credentials and its principal's assignments are read and written there", async () => {
    const other = "99999999-9999-9999-9999-999999999999";
    const w = world({ identitySubscription: other });
    const p = await planStep(identityStep, w.ctx);
    expect(p.summary).toBe(`create identity id-app in rg-sandbox (eastus, subscription ${other})`);
    expect(p.ops[0]!.target).toBe(`/subscriptions/${other}/resourceGroups/rg-sandbox/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app`);
    expect(p.ops[0]!.needs).toEqual([
      { plane: "arm", action: "Microsoft.ManagedIdentity/userAssignedIdentities/write", scope: `/subscriptions/${other}/resourceGroups/rg-sandbox` },
    ]);
    await applyPlan(w.ctx, p);
    expect(w.azure.identitySubscriptions).toEqual([`getIdentity ${other}`, `createIdentity ${other}`]);
    // the principal's listing is at the identity's subscription, not the cluster's
    w.azure.identitySubscriptions = [];
    const seen = await planStep(identityStep, w.ctx).then(() => w.ctx.seen);
    await seen.federatedCredentials();
    await seen.roleAssignments();
    expect(w.azure.identitySubscriptions).toEqual([`getIdentity ${other}`, `listFederatedCredentials ${other}`]);
    expect(w.azure.assignmentListings).toEqual([`/subscriptions/${other}`]);
  });

  it.each<[{ identityLocation?: string }, string, RegExp]>([
    [{ identityLocation: "malaysiasouth" }, "--identity-location is Malaysia South (malaysiasouth)", /^pass --identity-location with a supported region/],
    [{}, "the identity would be created in the cluster's region, New Zealand North (newzealandnorth)", /^pass --identity-location/],
  ])("a region without federated credentials stops the plan: %o", async (over, what, hint) => {
    const w = world(over);
    if (!over.identityLocation) w.azure.cluster = { ...w.azure.cluster, location: "newzealandnorth" };
    const err = await planStep(identityStep, w.ctx).catch((e) => e);
    expect(err.message).toBe(`${what}, where Azure does not yet support federated identity credentials on user-assigned identities`);
    expect(err.suggestion).toMatch(hint);
    expect(err.suggestion).toMatch(/nothing was changed$/);
    expect(err.kind).toBe("usage");
    expect(w.azure.writes).toEqual([]);
  });

  it("a cluster in such a region is fine with the identity elsewhere (the identity's region is what counts)", async () => {
    const w = world({ identityLocation: "australiaeast" });
    w.azure.cluster = { ...w.azure.cluster, location: "newzealandnorth" };
    expect((await planStep(identityStep, w.ctx)).details).toMatchObject({ location: "australiaeast" });
  });

  it("an existing identity in such a region stops the plan too", async () => {
    const w = world();
    await w.azure.createIdentity("s", "rg-sandbox", "id-app", "New Zealand North");
    const err = await planStep(identityStep, w.ctx).catch((e) => e);
    expect(err.message).toMatch(/^identity id-app is in New Zealand North \(newzealandnorth\), where Azure does not yet support/);
    expect(err.suggestion).toMatch(/^use an --identity created in a supported region/);
  });
});
