// The cluster step over the fakes.
import { describe, expect, it } from "vitest";
import { CancelledError } from "../../../../src/core/errors.js";
import { clusterStep } from "../../../../src/init/steps/cluster.js";
import { FakeUi, TENANT, world } from "../../../helpers/steps-fakes.js";

describe("cluster step", () => {
  it("plans an update naming the API server restart, and none once both flags are on", async () => {
    const w = world();
    const p = await clusterStep.plan(w.ctx);
    expect(p.change).toBe("update");
    expect(p.summary).toMatch(/restarts the API server/);
    expect(p.details).toMatchObject({ "OIDC issuer": "off", "workload identity": "off", location: "eastus" });
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: "https://x/" };
    expect((await clusterStep.plan(w.ctx)).change).toBe("none");
  });

  it("plans an update when only one of the two flags is on", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, issuerUrl: "https://x/" };
    expect((await clusterStep.plan(w.ctx)).change).toBe("update");
  });

  it("non-interactive: consents by default, spins, enables both and records outputs", async () => {
    const w = world();
    await clusterStep.apply(w.ctx, await clusterStep.plan(w.ctx));
    expect(w.azure.writes).toEqual(["enableWorkloadIdentity"]);
    expect(w.ui.questions[0]).toMatch(/cannot be undone/);
    expect(w.ui.spins.length).toBeGreaterThan(0);
    expect(w.ctx.state.outputs).toMatchObject({
      clusterId: w.azure.cluster.id, clusterLocation: "eastus", tenantId: TENANT,
      oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: w.azure.issuerOnEnable,
    });
  });

  it("interactive 'no' cancels without touching the cluster", async () => {
    const w = world({}, new FakeUi(true, [false]));
    await expect(clusterStep.apply(w.ctx, await clusterStep.plan(w.ctx))).rejects.toBeInstanceOf(CancelledError);
    expect(w.azure.writes).toEqual([]);
  });

  it("waits out a running operation when the flags already show on (a killed earlier run), without asking", async () => {
    const w = world({}, new FakeUi(true, []));
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: "https://x/", provisioningState: "Updating" };
    const p = await clusterStep.plan(w.ctx);
    expect(p.change).toBe("update");
    expect(p.summary).toMatch(/wait for cluster .* \(Updating\)/);
    await clusterStep.apply(w.ctx, p);
    expect(w.ui.questions).toEqual([]);
    expect(w.ui.spins.length).toBeGreaterThan(0);
    expect(w.azure.writes).toEqual([]);
    expect(w.ctx.state.outputs.issuerUrl).toBe("https://x/");
  });

  it("fails naming the inputs when the cluster does not exist", async () => {
    const w = world({ cluster: "nope" });
    await expect(clusterStep.plan(w.ctx)).rejects.toThrow(/cluster "nope" not found/);
  });
});
