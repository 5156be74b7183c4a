// The cluster step over the fakes.
import { describe, expect, it } from "vitest";
import { UserError } from "../../../../src/core/errors.js";
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
      clusterId: w.azure.cluster.id,
      clusterLocation: "eastus",
      tenantId: TENANT,
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      issuerUrl: w.azure.issuerOnEnable,
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

  it("a stopped cluster stops the plan (usage error) with the start command", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, powerState: "Stopped" };
    const e = await planStep(clusterStep, w.ctx).catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e.kind).toBe("usage");
    expect(e.message).toMatch(/^cluster aks-sandbox is stopped \(powerState Stopped\)/);
    expect(e.suggestion).toBe("start it: az aks start -g rg-sandbox -n aks-sandbox, then re-run aks-wi init");
    expect(w.azure.writes).toEqual([]);
  });

  it("a Failed cluster stops the plan, even with both flags on, naming the reconcile", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, provisioningState: "Failed", oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: "https://x/" };
    const e = await planStep(clusterStep, w.ctx).catch((x) => x);
    expect(e.kind).toBe("usage");
    expect(e.message).toMatch(/provisioning state Failed: its last operation failed \(perhaps the one that turned workload identity on/);
    expect(e.suggestion).toBe("reconcile it first (az aks update -g rg-sandbox -n aks-sandbox), then re-run aks-wi init");
  });

  it("a Kubernetes version out of support is a WARN in the plan with the upgrade to the lowest supported minor", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, kubernetesVersion: "1.27.9" };
    const asked: string[] = [];
    w.azure.listKubernetesVersions = async (sub: string, location: string) => (asked.push(`${sub}/${location}`), ["1.33", "1.31", "1.32"]);
    const p = await planStep(clusterStep, w.ctx);
    expect(asked).toEqual([`${w.ctx.inputs.subscription}/eastus`]);
    expect(p.details?.WARN).toBe(
      "Kubernetes 1.27.9 is out of support in eastus (supported: 1.31, 1.32, 1.33); AKS refuses any update until it is upgraded: az aks upgrade -g rg-sandbox -n aks-sandbox --kubernetes-version 1.31",
    );
    w.azure.cluster = { ...w.azure.cluster, kubernetesVersion: "1.32.7" };
    expect((await planStep(clusterStep, w.ctx)).details?.WARN).toBeUndefined();
    // A principal that may not list versions still gets its plan, without the warning.
    w.azure.cluster = { ...w.azure.cluster, kubernetesVersion: "1.27.9" };
    w.azure.listKubernetesVersions = async () => {
      throw new Error("403");
    };
    expect((await planStep(clusterStep, w.ctx)).details?.WARN).toBeUndefined();
  });
});
