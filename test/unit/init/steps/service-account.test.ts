// serviceAccount step: create, merge-patch, tenant annotation, bound-to-another-client handling.
import { describe, expect, it } from "vitest";
import { StepError } from "../../../../src/core/errors.js";
import { serviceAccountStep } from "../../../../src/init/steps/service-account.js";
import { FakeUi, OTHER_TENANT, world, applyPlan, planStep } from "../../../helpers/steps-fakes.js";

const CID = "azure.workload.identity/client-id";
const TID = "azure.workload.identity/tenant-id";

async function withIdentity(w: ReturnType<typeof world>) {
  const id = await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
  w.azure.writes = [];
  return id;
}

describe("serviceAccount step", () => {
  it("creates the namespace and the annotated service account", async () => {
    const w = world();
    const id = await withIdentity(w);
    const p = await planStep(serviceAccountStep, w.ctx);
    expect(p.change).toBe("create");
    expect(p.summary).toMatch(/and namespace app/);
    expect(p.details).toMatchObject({ [CID]: id.clientId });
    await applyPlan(w.ctx, p);
    expect(w.kube.writes).toEqual(["createNamespace app", "createServiceAccount app/sa-app"]);
    // Marked as aks-wi's own (label) and as serving this binding (annotation).
    expect(w.kube.sas.get("app/sa-app")!.annotations).toEqual({ [CID]: id.clientId, "aks-wi/binding": "app/sa-app" });
    expect(w.kube.sas.get("app/sa-app")!.labels).toEqual({ "app.kubernetes.io/managed-by": "aks-wi" });
    expect(w.ctx.state.outputs.serviceAccount).toMatchObject({ namespace: "app", name: "sa-app" });
    expect((await planStep(serviceAccountStep, w.ctx)).change).toBe("none");
  });

  it("adds the tenant-id annotation when the identity's tenant differs from the cluster's", async () => {
    const w = world();
    w.azure.identityTenant = OTHER_TENANT;
    await withIdentity(w);
    await applyPlan(w.ctx, await planStep(serviceAccountStep, w.ctx));
    expect(w.kube.sas.get("app/sa-app")!.annotations[TID]).toBe(OTHER_TENANT);
  });

  it("merge-patches only the annotation on an existing service account", async () => {
    const w = world();
    const id = await withIdentity(w);
    w.kube.namespaces.add("app");
    await w.kube.createServiceAccount("app", "sa-app", { "team.example/owner": "payments" });
    w.kube.sas.get("app/sa-app")!.labels = { app: "payments" };
    w.kube.writes = [];
    const p = await planStep(serviceAccountStep, w.ctx);
    expect(p.change).toBe("update");
    await applyPlan(w.ctx, p);
    expect(w.kube.writes).toEqual([`mergeAnnotations app/sa-app ${JSON.stringify({ [CID]: id.clientId, "aks-wi/binding": "app/sa-app" })}`]);
    const sa = w.kube.sas.get("app/sa-app")!;
    expect(sa.annotations).toEqual({ "team.example/owner": "payments", [CID]: id.clientId, "aks-wi/binding": "app/sa-app" });
    // Not labelled managed-by: aks-wi did not make it, so it must never delete it.
    expect(sa.labels).toEqual({ app: "payments" });
  });

  describe("already bound to another client ID", () => {
    async function bound(ui?: FakeUi, overwrite = false) {
      const w = world({ overwrite }, ui);
      const id = await withIdentity(w);
      w.kube.namespaces.add("app");
      await w.kube.createServiceAccount("app", "sa-app", { [CID]: "99999999-9999-9999-9999-999999999999" });
      w.kube.writes = [];
      return { w, id };
    }

    it("plans an update that names the current binding (interactive, or with --overwrite)", async () => {
      for (const { w } of [await bound(new FakeUi(true, [])), await bound(undefined, true)]) {
        const p = await planStep(serviceAccountStep, w.ctx);
        expect(p.change).toBe("update");
        expect(p.details!["currently bound to"]).toBe("99999999-9999-9999-9999-999999999999");
      }
    });

    it("carries the re-bind as a question that only --overwrite or a person answers, its refusal naming --overwrite", async () => {
      const { w } = await bound();
      const p = await planStep(serviceAccountStep, w.ctx);
      const q = p.ops.find((o) => o.id === "serviceAccount")!.question!;
      expect(q.text).toMatch(/bound to client ID 99999999-9999-9999-9999-999999999999/);
      expect(q.flag).toBe("overwrite");
      expect(q.yesAnswers).toBeFalsy();
      expect(q.refusal.kind).toBe("usage");
      expect(q.refusal.suggestion).toMatch(/--overwrite/);
      expect(w.kube.writes).toEqual([]);
    });

    it("identity not created yet: a new client ID is a re-bind too", async () => {
      const w = world({});
      w.kube.namespaces.add("app");
      await w.kube.createServiceAccount("app", "sa-app", { [CID]: "99999999-9999-9999-9999-999999999999" });
      const p = await planStep(serviceAccountStep, w.ctx);
      expect(p.ops.find((o) => o.id === "serviceAccount")!.question!.refusal.message).toMatch(/already bound to another identity \(client ID 99999999/);
    });

    it("re-binds by a merge patch carrying the resourceVersion it read", async () => {
      const { w, id } = await bound(undefined, true);
      await applyPlan(w.ctx, await planStep(serviceAccountStep, w.ctx));
      expect(w.kube.sas.get("app/sa-app")!.annotations[CID]).toBe(id.clientId);
    });

    it("stops without writing when the service account changed since the plan", async () => {
      const { w } = await bound(undefined, true);
      const p = await planStep(serviceAccountStep, w.ctx);
      w.kube.sas.get("app/sa-app")!.resourceVersion = "7"; // someone else's edit
      await expect(applyPlan(w.ctx, p)).rejects.toThrow(/service account app\/sa-app changed since the plan was made/);
      expect(w.kube.writes).toEqual([]);
    });
  });
});
