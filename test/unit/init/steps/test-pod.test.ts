// testPod step: create, keep a good pod, recreate an unmutated one, time out clearly.
import { describe, expect, it } from "vitest";
import { StepError } from "../../../../src/core/errors.js";
import { serviceAccountStep } from "../../../../src/init/steps/service-account.js";
import { testPodStep } from "../../../../src/init/steps/test-pod.js";
import { world, applyPlan, planStep } from "../../../helpers/steps-fakes.js";

async function ready(over = {}) {
  const w = world(over);
  await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
  await applyPlan(w.ctx, await planStep(serviceAccountStep, w.ctx));
  w.kube.writes = [];
  return w;
}

describe("testPod step", () => {
  it("creates a pod with the label on the pod and the service account, waits for Running", async () => {
    const w = await ready();
    const p = await planStep(testPodStep, w.ctx);
    expect(p.change).toBe("create");
    await applyPlan(w.ctx, p);
    const pod = w.kube.pods.get("app/aks-wi-test")!;
    expect(pod.labels["azure.workload.identity/use"]).toBe("true");
    expect(pod.serviceAccountName).toBe("sa-app");
    expect(w.ctx.state.outputs.testPod).toMatchObject({ name: "aks-wi-test", phase: "Running", uid: pod.uid });
    expect((await planStep(testPodStep, w.ctx)).change).toBe("none");
  });

  it("recreates a pod that predates workload identity (no injected env)", async () => {
    const w = await ready();
    w.kube.webhook = () => false;
    await applyPlan(w.ctx, await planStep(testPodStep, w.ctx));
    const oldUid = w.kube.pods.get("app/aks-wi-test")!.uid;
    w.kube.webhook = () => true;
    w.kube.writes = [];
    const p = await planStep(testPodStep, w.ctx);
    expect(p.change).toBe("update");
    expect(p.summary).toMatch(/did not mutate/);
    await applyPlan(w.ctx, p);
    expect(w.kube.writes).toEqual(["deletePod app/aks-wi-test", "createPod app/aks-wi-test"]);
    expect(w.kube.pods.get("app/aks-wi-test")!.uid).not.toBe(oldUid);
    expect(w.kube.pods.get("app/aks-wi-test")!.containers[0]!.env.AZURE_FEDERATED_TOKEN_FILE).toBeTruthy();
  });

  it("never deletes a pod of that name that aks-wi did not make: planning stops, nothing is written", async () => {
    const w = await ready();
    await w.kube.createPod({
      apiVersion: "v1", kind: "Pod",
      metadata: { name: "aks-wi-test", namespace: "app", labels: { app: "mine" } },
      spec: { serviceAccountName: "default", containers: [{ name: "web", image: "nginx" }] },
    });
    w.kube.writes = [];
    const err = await planStep(testPodStep, w.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(/app\/aks-wi-test exists and was not made by aks-wi .*lacks the label/);
    expect(err.suggestion).toMatch(/--no-test-pod/);
    expect(w.kube.writes).toEqual([]);
    expect(w.kube.pods.get("app/aks-wi-test")!.labels).toEqual({ app: "mine" });
  });

  it("recreates a pod whose AZURE_CLIENT_ID is stale after a re-bind", async () => {
    const w = await ready({ overwrite: true });
    await applyPlan(w.ctx, await planStep(testPodStep, w.ctx));
    w.azure.identities.get("rg-sandbox/id-app")!.clientId = "33333333-3333-3333-3333-333333333333";
    await applyPlan(w.ctx, await planStep(serviceAccountStep, w.ctx));
    const p = await planStep(testPodStep, w.ctx);
    expect(p.change).toBe("update");
    await applyPlan(w.ctx, p);
    expect(w.kube.pods.get("app/aks-wi-test")!.containers[0]!.env.AZURE_CLIENT_ID).toBe("33333333-3333-3333-3333-333333333333");
  });

  it("fails with a clear StepError when the pod does not start", async () => {
    const w = await ready();
    w.kube.podPhase = "Pending";
    const err = await applyPlan(w.ctx, await planStep(testPodStep, w.ctx)).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(/not Running after 120s \(phase Pending\)/);
    expect(err.suggestion).toMatch(/kubectl -n app describe pod aks-wi-test/);
  });

  it("does nothing with --no-test-pod", async () => {
    const w = await ready({ testPod: false });
    expect((await planStep(testPodStep, w.ctx)).change).toBe("none");
    await applyPlan(w.ctx, await planStep(testPodStep, w.ctx));
    expect(w.kube.writes).toEqual([]);
  });
});
