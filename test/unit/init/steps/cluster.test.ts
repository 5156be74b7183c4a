// The cluster step over the fakes.
import { describe, expect, it } from "vitest";
import { clusterStep } from "../../../../src/init/steps/cluster.js";
import { TENANT, world, applyPlan, planStep } from "../../../helpers/steps-fakes.js";

describe("cluster step", () => {
  it("plans an update naming the API server restart, and none once both flags are on", async () => {
    const w = world();
    const p = await planStep(clusterStep, w.ctx);
    expect(p.change).toBe("update");
    expect(p.summary).toMatch(/restarts the API server/);
    expect(p.details).toMatchObject({ "OIDC issuer": "off", "workload identity": "off", location: "eastus" });
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: "https://x/" };
    expect((await planStep(clusterStep, w.ctx)).change).toBe("none");
  });

  it("plans an update when only one of the two flags is on", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, issuerUrl: "https://x/" };
    expect((await planStep(clusterStep, w.ctx)).change).toBe("update");
  });

  it("carries the irreversible change as a question answered by --yes, enables both flags and records outputs", async () => {
    const w = world();
    const p = await planStep(clusterStep, w.ctx);
    expect(p.ops).toHaveLength(1);
    const op = p.ops[0]!;
    expect(op.question?.text).toMatch(/cannot be undone/);
    expect(op.question?.yesAnswers).toBe(true);
    expect(op.needs).toEqual([{ plane: "arm", action: "Microsoft.ContainerService/managedClusters/write", scope: w.azure.cluster.id }]);
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual(["enableWorkloadIdentity"]);
    expect(w.ctx.state.outputs).toMatchObject({
      clusterId: w.azure.cluster.id, clusterLocation: "eastus", tenantId: TENANT,
      oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: w.azure.issuerOnEnable,
    });
  });

  it("stops without writing when the cluster changed since the plan (If-Match on the eTag it saw)", async () => {
    const w = world();
    const p = await planStep(clusterStep, w.ctx);
    w.azure.clusterVersion++; // someone else's update lands between plan and apply
    await expect(applyPlan(w.ctx, p)).rejects.toThrow(/cluster aks-sandbox changed since the plan was made/);
    expect(w.azure.writes).toEqual([]);
  });

  it("waits out a running operation when the flags already show on (a killed earlier run), asking nothing", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: "https://x/", provisioningState: "Updating" };
    const p = await planStep(clusterStep, w.ctx);
    expect(p.change).toBe("update");
    expect(p.summary).toMatch(/wait for cluster .* \(Updating\)/);
    expect(p.ops.map((o) => [o.action, o.question, o.needs])).toEqual([["wait", undefined, []]]);
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual([]);
    expect(w.ctx.state.outputs.issuerUrl).toBe("https://x/");
  });

  it("fails naming the inputs when the cluster does not exist", async () => {
    const w = world({ cluster: "nope" });
    await expect(planStep(clusterStep, w.ctx)).rejects.toThrow(/cluster "nope" not found/);
  });
});
