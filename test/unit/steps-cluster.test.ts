// cluster, issuer and identity steps over the fakes.
import { describe, expect, it } from "vitest";
import { CancelledError, StepError } from "../../src/core/errors.js";
import { clusterStep } from "../../src/init/steps/cluster.js";
import { identityStep } from "../../src/init/steps/identity.js";
import { issuerStep } from "../../src/init/steps/issuer.js";
import { FakeUi, TENANT, world } from "./steps-fakes.js";

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

describe("issuer step", () => {
  it("records the issuer verbatim, trailing slash kept", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: "https://eastus.oic.prod-aks.azure.com/t/g/" };
    expect((await issuerStep.plan(w.ctx)).change).toBe("none");
    await issuerStep.apply(w.ctx, await issuerStep.plan(w.ctx));
    expect(w.ctx.state.outputs.issuerUrl).toBe("https://eastus.oic.prod-aks.azure.com/t/g/");
  });

  it("never adds a slash that is not there", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, issuerUrl: "https://issuer.example/t/g" };
    await issuerStep.apply(w.ctx, await issuerStep.plan(w.ctx));
    expect(w.ctx.state.outputs.issuerUrl).toBe("https://issuer.example/t/g");
  });

  it("fails clearly when the cluster has no issuer URL", async () => {
    const w = world();
    expect((await issuerStep.plan(w.ctx)).change).toBe("read");
    const err = await issuerStep.apply(w.ctx, await issuerStep.plan(w.ctx)).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(/no oidcIssuerProfile.issuerURL/);
  });
});

describe("identity step", () => {
  it("creates in the cluster's location by default and records ids", async () => {
    const w = world();
    const p = await identityStep.plan(w.ctx);
    expect(p).toMatchObject({ change: "create", details: { name: "id-app", resourceGroup: "rg-sandbox", location: "eastus" } });
    await identityStep.apply(w.ctx, p);
    expect(w.azure.writes).toEqual(["createIdentity id-app eastus"]);
    const id = w.ctx.state.outputs.identity!;
    expect(id).toMatchObject({ name: "id-app", resourceGroup: "rg-sandbox", location: "eastus", tenantId: TENANT });
    expect(id.clientId).not.toBe(id.principalId);
  });

  it("honours an explicit location", async () => {
    const w = world({ identityLocation: "westeurope" });
    await identityStep.apply(w.ctx, await identityStep.plan(w.ctx));
    expect(w.azure.writes).toEqual(["createIdentity id-app westeurope"]);
  });

  it("reuses an existing identity without writing", async () => {
    const w = world();
    const made = await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
    w.azure.writes = [];
    const p = await identityStep.plan(w.ctx);
    expect(p.change).toBe("none");
    expect(p.details).toMatchObject({ clientId: made.clientId, principalId: made.principalId });
    await identityStep.apply(w.ctx, p);
    expect(w.azure.writes).toEqual([]);
    expect(w.ctx.state.outputs.identity).toEqual(made);
  });
});
