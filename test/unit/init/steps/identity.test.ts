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
