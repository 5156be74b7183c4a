// workloads step: wire a workload's pod template and restart it, restart only what predates the
// annotation, change nothing when all is wired, and refuse in the plan what must not be done.
import { describe, expect, it } from "vitest";
import { StepError, UserError } from "../../../../src/core/errors.js";
import { validateWorkload } from "../../../../src/core/names.js";
import { resolveDependencies } from "../../../../src/init/runner.js";
import { serviceAccountStep } from "../../../../src/init/steps/service-account.js";
import { RESTARTED_AT, rfc3339, workloadsStep } from "../../../../src/init/steps/workloads.js";
import { applyPlan, planStep, world } from "../../../helpers/steps-fakes.js";

const LABEL = "azure.workload.identity/use";

/** The identity exists and the service account is annotated: what the earlier steps leave. */
async function ready(over = {}) {
  const w = world({ workloads: ["deployment/web"], ...over });
  await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
  w.kube.namespaces.add("app");
  await applyPlan(w.ctx, await planStep(serviceAccountStep, w.ctx));
  w.kube.writes = [];
  return w;
}

const mutated = (w: Awaited<ReturnType<typeof ready>>) =>
  [...w.kube.pods.values()].filter((p) => p.labels.app === "web").map((p) => !!p.containers[0]!.env.AZURE_FEDERATED_TOKEN_FILE);

describe("workloads step", () => {
  it("plans nothing without --workload", async () => {
    const w = world();
    const p = await planStep(workloadsStep, w.ctx);
    expect(p).toMatchObject({ change: "none", ops: [] });
  });

  it("wires a deployment on the default service account: one strategic-merge patch of the pod template, then new, mutated pods", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web");
    const p = await planStep(workloadsStep, w.ctx);
    expect(p.change).toBe("update");
    expect(p.ops).toHaveLength(1);
    const op = p.ops[0]!;
    expect(op).toMatchObject({ action: "update", target: "/apis/apps/v1/namespaces/app/deployments/web", question: undefined });
    expect(op.body).toEqual({
      spec: {
        template: {
          metadata: { labels: { [LABEL]: "true" }, annotations: { [RESTARTED_AT]: "(known after apply)" } },
          spec: { serviceAccountName: "sa-app" },
        },
      },
    });
    expect(op.after).toEqual(["cluster", "serviceAccount", "federatedCredential"]);
    expect(op.needs).toContainEqual({ plane: "kube", verb: "patch", resource: "deployments.apps", namespace: "app" });
    expect(p.drift).toEqual([`deployment/web: the pod template lacks the label ${LABEL}: "true" and runs as service account default, not sa-app`]);
    expect(mutated(w)).toEqual([false, false]);

    const progress: string[] = [];
    const warnings: string[] = [];
    const before = Date.now();
    await op.run(w.ctx, { accepted: () => {}, progress: (t) => progress.push(t), warn: (l) => warnings.push(l) });
    expect(w.kube.writes).toHaveLength(1);
    const patch = JSON.parse(w.kube.writes[0]!.replace("patchWorkloadTemplate deployment app/web ", ""));
    expect(patch).toMatchObject({ labels: { [LABEL]: "true" }, serviceAccountName: "sa-app" });
    // kubectl rollout restart's value: RFC 3339 to the second
    expect(patch.annotations[RESTARTED_AT]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(patch.annotations[RESTARTED_AT])).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(mutated(w)).toEqual([true, true]);
    expect(warnings).toEqual([]);
    expect(progress.at(-1)).toBe("deployment/web: 2 of 2 new pods mutated (AZURE_FEDERATED_TOKEN_FILE injected)");

    w.kube.writes = [];
    const again = await planStep(workloadsStep, w.ctx);
    expect(again).toMatchObject({ change: "none", ops: [] });
    expect(again.details).toEqual({ "deployment/web": "already wired, pods mutated" });
  });

  it("waits for the service account, the cluster and the credential before patching", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web");
    const p = await planStep(workloadsStep, w.ctx);
    const fake = [
      { ...p.ops[0]!, id: "serviceAccount", step: "serviceAccount" as const, after: [] },
      { ...p.ops[0]!, id: "federatedCredential", step: "federatedCredential" as const, after: [] },
      { ...p.ops[0]!, id: "cluster", step: "cluster" as const, after: [] },
      p.ops[0]!,
    ];
    expect(resolveDependencies(fake).at(-1)!.after).toEqual(["cluster", "serviceAccount", "federatedCredential"]);
  });

  it("restarts only, with a drift line, a wired workload whose pods predate the annotation", async () => {
    const w = await ready();
    // wired by hand before the service account had its client ID: the webhook injected nothing
    const sa = w.kube.sas.get("app/sa-app")!;
    const clientId = sa.annotations["azure.workload.identity/client-id"]!;
    delete sa.annotations["azure.workload.identity/client-id"];
    w.kube.addWorkload("deployment", "app", "web", { serviceAccountName: "sa-app", templateLabels: { app: "web", [LABEL]: "true" } });
    sa.annotations["azure.workload.identity/client-id"] = clientId;
    expect(mutated(w)).toEqual([false, false]);

    const p = await planStep(workloadsStep, w.ctx);
    expect(p.change).toBe("update");
    expect(p.drift).toEqual(["pods of deployment/web predate the annotation"]);
    expect(p.ops[0]!.summary).toMatch(/^restart deployment\/web \(2 of 2 pods predate the annotation/);
    expect(p.ops[0]!.body).toEqual({ spec: { template: { metadata: { annotations: { [RESTARTED_AT]: "(known after apply)" } } } } });
    await applyPlan(w.ctx, p);
    expect(w.kube.writes).toHaveLength(1);
    expect(w.kube.writes[0]).toMatch(/^patchWorkloadTemplate deployment app\/web \{"annotations":\{"kubectl.kubernetes.io\/restartedAt":"[^"]+"\}\}$/);
    expect(mutated(w)).toEqual([true, true]);
    expect((await planStep(workloadsStep, w.ctx)).change).toBe("none");
  });

  it("leaves out pods of an earlier rollout that are still terminating", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web");
    await applyPlan(w.ctx, await planStep(workloadsStep, w.ctx));
    w.kube.pods.set("app/web-old", {
      namespace: "app",
      name: "web-old",
      uid: "old",
      phase: "Running",
      serviceAccountName: "default",
      labels: { app: "web" },
      annotations: {},
      deleting: true,
      containers: [{ name: "main", init: false, env: {} }],
      volumes: [],
    });
    expect((await planStep(workloadsStep, w.ctx)).change).toBe("none");
  });

  it("restarts a wired workload when this run changes the service account's client ID", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web", { serviceAccountName: "sa-app", templateLabels: { app: "web", [LABEL]: "true" } });
    w.kube.sas.get("app/sa-app")!.annotations["azure.workload.identity/client-id"] = "00000000-0000-0000-0000-00000000dead";
    const p = await planStep(workloadsStep, w.ctx);
    expect(p.ops[0]!.summary).toMatch(/predate the service account's client-id annotation/);
  });

  it("asks before switching a workload from another service account; without --overwrite the run stops with nothing changed", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web", { serviceAccountName: "payments" });
    const p = await planStep(workloadsStep, w.ctx);
    const q = p.ops[0]!.question!;
    expect(q.flag).toBe("overwrite");
    expect(q.text).toMatch(/deployment\/web in app runs as service account payments\. Switch it to sa-app\?/);
    expect(q.refusal).toBeInstanceOf(UserError);
    expect(q.refusal.kind).toBe("usage");
    expect(q.refusal.suggestion).toMatch(/--overwrite/);
    expect(p.details!["deployment/web"]).toMatch(/now payments: needs confirmation or --overwrite/);
    expect(w.kube.writes).toEqual([]);
  });

  it("wires statefulsets and daemonsets the same way, one operation each", async () => {
    const w = await ready({ workloads: ["statefulset/db", "daemonset/agent"] });
    w.kube.addWorkload("statefulset", "app", "db");
    w.kube.addWorkload("daemonset", "app", "agent", { replicas: 3 });
    const p = await planStep(workloadsStep, w.ctx);
    expect(p.ops.map((o) => [o.id, o.target])).toEqual([
      ["workload:statefulset/db", "/apis/apps/v1/namespaces/app/statefulsets/db"],
      ["workload:daemonset/agent", "/apis/apps/v1/namespaces/app/daemonsets/agent"],
    ]);
    await applyPlan(w.ctx, p);
    expect((await planStep(workloadsStep, w.ctx)).change).toBe("none");
  });

  it("wires a cronjob's job template without a restart (its next job uses it)", async () => {
    const w = await ready({ workloads: ["cronjob/nightly"] });
    w.kube.addWorkload("cronjob", "app", "nightly");
    const p = await planStep(workloadsStep, w.ctx);
    expect(p.ops[0]!.body).toEqual({
      spec: { jobTemplate: { spec: { template: { metadata: { labels: { [LABEL]: "true" } }, spec: { serviceAccountName: "sa-app" } } } } },
    });
    await applyPlan(w.ctx, p);
    expect(w.kube.writes).toEqual([`patchWorkloadTemplate cronjob app/nightly {"labels":{"${LABEL}":"true"},"serviceAccountName":"sa-app"}`]);
    expect((await planStep(workloadsStep, w.ctx)).change).toBe("none");
  });

  it("refuses a bare Job in the plan, saying why and what to do", async () => {
    const w = await ready({ workloads: ["job/migrate"] });
    const err = await planStep(workloadsStep, w.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.kind).toBe("usage");
    expect(err.message).toMatch(/a Job's pod template cannot be changed once the Job exists/);
    expect(err.message).toContain("https://kubernetes.io/docs/concepts/workloads/controllers/job/");
    expect(err.suggestion).toMatch(/create it again|CronJob/);
  });

  it("stops the plan on a workload that does not exist", async () => {
    const w = await ready({ workloads: ["deployment/nope"] });
    const err = await planStep(workloadsStep, w.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.kind).toBe("usage");
    expect(err.message).toBe("deployment/nope not found in namespace app");
    expect(err.suggestion).toMatch(/--namespace/);
  });

  it("refuses a paused deployment and an OnDelete statefulset that would never replace their pods", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web", { paused: true });
    await expect(planStep(workloadsStep, w.ctx)).rejects.toThrow(/is paused/);
    const w2 = await ready({ workloads: ["statefulset/db"] });
    w2.kube.addWorkload("statefulset", "app", "db", { updateStrategy: "OnDelete" });
    await expect(planStep(workloadsStep, w2.ctx)).rejects.toThrow(/updateStrategy OnDelete/);
  });

  it("warns about new pods the webhook did not mutate", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web");
    w.kube.webhook = () => false;
    const warnings: string[] = [];
    await applyPlan(w.ctx, await planStep(workloadsStep, w.ctx), warnings);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^pod app\/web-\S+ of deployment\/web: the workload identity webhook did not mutate it/);
  });

  it("fails the step, naming kubectl rollout status, when the rollout does not finish", async () => {
    const w = await ready();
    w.kube.addWorkload("deployment", "app", "web");
    w.kube.rollout = { done: false, message: 'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...' };
    const err = await applyPlan(w.ctx, await planStep(workloadsStep, w.ctx)).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(/deployment\/web in app did not finish its rollout within 300 s: Waiting for deployment "web"/);
    expect(err.suggestion).toMatch(/kubectl -n app rollout status deployment\/web/);
  });
});

describe("validateWorkload and rfc3339", () => {
  it("takes KIND/NAME with a known kind and a DNS-1123 name", () => {
    expect(validateWorkload("deployment/web")).toBeUndefined();
    expect(validateWorkload("statefulset/db-0.x")).toBeUndefined();
    expect(validateWorkload("web")).toMatch(/KIND\/NAME/);
    expect(validateWorkload("Deployment/web")).toMatch(/must be one of deployment, statefulset, daemonset, cronjob, job/);
    expect(validateWorkload("pod/web")).toMatch(/must be one of/);
    expect(validateWorkload("deployment/Web")).toMatch(/DNS-1123/);
    expect(validateWorkload("deployment/")).toMatch(/1-253 characters/);
  });

  it("formats as Go's RFC3339 in UTC", () => {
    expect(rfc3339(new Date("2026-12-01T17:30:05.123Z"))).toBe("2026-12-01T17:30:05Z");
  });
});
