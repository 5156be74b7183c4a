// testPod step: create, keep a good pod, recreate an unmutated one, time out clearly.
import { describe, expect, it } from "vitest";
import { StepError } from "../../../../src/core/errors.js";
import { serviceAccountStep } from "../../../../src/init/steps/service-account.js";
import { TEST_POD_IMAGE, testPodManifest, testPodStep, whyNotRunning } from "../../../../src/init/steps/test-pod.js";
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
      apiVersion: "v1",
      kind: "Pod",
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
    expect(err.message).toMatch(/not Running after 300 s \(phase Pending\): phase Pending$/);
    expect(err.suggestion).toMatch(/kubectl -n app describe pod aks-wi-test/);
  });

  it("a pod that does not start names the scheduler's or kubelet's reason; an image pull names --test-pod-image", async () => {
    const unschedulable = await ready();
    unschedulable.kube.podPhase = "Pending";
    const waitFor = unschedulable.kube.waitForPodRunning.bind(unschedulable.kube);
    unschedulable.kube.waitForPodRunning = async (ns: string, name: string) => ({
      ...(await waitFor(ns, name))!,
      conditions: [
        { type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 node(s) had untolerated taint {sku: gpu}." },
      ],
    });
    const e1 = await applyPlan(unschedulable.ctx, await planStep(testPodStep, unschedulable.ctx)).catch((e) => e);
    expect(e1.message).toMatch(
      /not Running after 300 s \(phase Pending\): PodScheduled is False: Unschedulable \(0\/3 nodes are available: 3 node\(s\) had untolerated taint \{sku: gpu\}\.\)$/,
    );

    const pull = await ready({ testPodImage: "registry.example/mirror/busybox:1.36" });
    pull.kube.podPhase = "Pending";
    const waitFor2 = pull.kube.waitForPodRunning.bind(pull.kube);
    pull.kube.waitForPodRunning = async (ns: string, name: string) => ({
      ...(await waitFor2(ns, name))!,
      waiting: [{ container: "main", reason: "ImagePullBackOff", message: 'Back-off pulling image "registry.example/mirror/busybox:1.36"' }],
    });
    const e2 = await applyPlan(pull.ctx, await planStep(testPodStep, pull.ctx)).catch((e) => e);
    expect(e2.message).toMatch(/: container main is waiting: ImagePullBackOff \(Back-off pulling image "registry\.example\/mirror\/busybox:1\.36"\)$/);
    expect(e2.suggestion).toMatch(
      /^the image registry\.example\/mirror\/busybox:1\.36 cannot be pulled: mirror it and pass --test-pod-image \(AKS_WI_TEST_POD_IMAGE\)/,
    );
    expect(whyNotRunning(undefined)).toBe("the pod was not found");
  });

  it("the manifest passes Pod Security restricted and AKS Automatic's safeguards, with the image asked for", async () => {
    const m = testPodManifest("app", "aks-wi-test", "sa-app") as any;
    expect(m.spec.containers[0].image).toBe(TEST_POD_IMAGE);
    expect(TEST_POD_IMAGE).toBe("mcr.microsoft.com/azurelinux/busybox:1.36");
    expect(m.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } });
    const c = m.spec.containers[0];
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.readinessProbe.exec.command).toEqual(["sh", "-c", 'test -z "$AZURE_FEDERATED_TOKEN_FILE" || test -s "$AZURE_FEDERATED_TOKEN_FILE"']);
    expect(c.resources).toEqual({ requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } });
    // The plan's body is what is created, with --test-pod-image's image.
    const w = await ready({ testPodImage: "registry.example/mirror/busybox:1.36" });
    const p = await planStep(testPodStep, w.ctx);
    expect(p.details).toMatchObject({ image: "registry.example/mirror/busybox:1.36" });
    expect((p.ops[0]!.body as any).spec.containers[0].image).toBe("registry.example/mirror/busybox:1.36");
  });

  it("does nothing with --no-test-pod", async () => {
    const w = await ready({ testPod: false });
    expect((await planStep(testPodStep, w.ctx)).change).toBe("none");
    await applyPlan(w.ctx, await planStep(testPodStep, w.ctx));
    expect(w.kube.writes).toEqual([]);
  });

  describe("no test pod wanted", () => {
    it("deletes the one aks-wi made for this binding, and plans nothing once it is gone", async () => {
      const w = await ready();
      await applyPlan(w.ctx, await planStep(testPodStep, w.ctx));
      w.ctx.inputs.testPod = false;
      w.kube.writes = [];
      const p = await planStep(testPodStep, w.ctx);
      expect(p.change).toBe("delete");
      expect(p.ops.map((o) => [o.action, o.target])).toEqual([["delete", "/api/v1/namespaces/app/pods/aks-wi-test"]]);
      expect(p.ops[0]!.needs).toEqual([{ plane: "kube", verb: "delete", resource: "pods", namespace: "app" }]);
      await applyPlan(w.ctx, p);
      expect(w.kube.writes).toEqual(["deletePod app/aks-wi-test"]);
      expect(w.ctx.state.outputs.testPod).toBeUndefined();
      expect((await planStep(testPodStep, w.ctx)).change).toBe("none");
    });

    it("leaves a pod of that name it did not make, or made for another binding", async () => {
      const w = await ready({ testPod: false });
      await w.kube.createPod(testPodManifest("app", "aks-wi-test", "other-sa"));
      expect((await planStep(testPodStep, w.ctx)).change).toBe("none");
      w.kube.pods.get("app/aks-wi-test")!.labels = { app: "mine" };
      w.kube.pods.get("app/aks-wi-test")!.annotations = {};
      expect((await planStep(testPodStep, w.ctx)).ops).toEqual([]);
    });
  });
});
