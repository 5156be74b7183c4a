// aks-wi delete's steps over our fakes, run by the real engine (runSteps) after init's own steps
// set a binding up: only what carries aks-wi's marks for this binding is deleted; a service
// account made by the user keeps everything but the annotations; an identity another credential
// (or a role assignment aks-wi did not make for this binding) still uses is kept.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { StepError } from "../../../../src/core/errors.js";
import { roleAssignmentDescription } from "../../../../src/core/workload-identity.js";
import { DELETE_AGAIN } from "../../../../src/cli/commands/delete.js";
import { runSteps, type RunResult } from "../../../../src/init/runner.js";
import { DELETE_STEPS } from "../../../../src/init/steps/delete/index.js";
import { STEPS } from "../../../../src/init/steps/index.js";
import type { InitInputs, InitState } from "../../../../src/init/state.js";
import type { StepContext } from "../../../../src/init/step.js";
import { createUi } from "../../../../src/terminal/ui.js";
import { ROLE_GUIDS, SUB, VAULT_SCOPE, allWrites, inputs, world, type World } from "../../../helpers/steps-fakes.js";

const CID = "azure.workload.identity/client-id";
const MANAGED = { "app.kubernetes.io/managed-by": "aks-wi" };
const KV = { role: "Key Vault Secrets User", scope: VAULT_SCOPE };

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const emptyState = (): InitState => ({ version: 1, cloud: "sandbox", inputs: {}, steps: {}, outputs: {}, updatedAt: "" });

/** Another binding's context over the same fakes. */
function binding(w: World, over: Partial<InitInputs>): StepContext {
  return { ...w.ctx, inputs: inputs({ roles: [KV], ...over }), state: emptyState() };
}

async function run(ctx: StepContext, steps = STEPS, o: { dryRun?: boolean; again?: string } = {}): Promise<RunResult & { text: string }> {
  const out = new Sink();
  const ui = createUi({ interactive: false, stream: out });
  const r = await runSteps({ steps, ctx, ui, dryRun: !!o.dryRun, yes: true, save: async () => {}, again: o.again });
  return { ...r, text: out.text };
}

/** A world where init set up app/sa-app with one role, as it does from nothing. */
async function initialized(): Promise<World> {
  const w = world({ roles: [KV] });
  await run(w.ctx);
  w.azure.writes = [];
  w.kube.writes = [];
  return w;
}

const planOf = (r: RunResult, step: string) => r.plans.find((p) => p.step === step)!;

describe("aks-wi delete's steps", () => {
  it("remove everything aks-wi made for a binding, in reverse order; a second delete plans nothing", async () => {
    const w = await initialized();
    const ctx = binding(w, {});
    const r = await run(ctx, DELETE_STEPS);
    expect(r.applied).toBe(true);
    expect(w.kube.pods.size).toBe(0);
    expect(w.kube.sas.has("app/sa-app")).toBe(false);
    expect(w.kube.namespaces.has("app")).toBe(false);
    expect(w.azure.assignments).toEqual([]);
    expect(w.azure.identities.size).toBe(0);
    // Reverse dependency order: the pod before its service account (and namespace), the credential
    // and the role assignment before the identity.
    const writes = allWrites(w);
    expect(writes).toEqual(
      expect.arrayContaining([
        "deletePod app/aks-wi-test",
        "deleteServiceAccount app/sa-app",
        "deleteNamespace app",
        "deleteFederatedCredential fc-app",
        "deleteIdentity id-app",
      ]),
    );
    const ops = new Map(r.operations.map((o) => [o.id, o]));
    expect(ops.get("serviceAccount:delete")!.after).toContain("testPod:delete");
    expect(ops.get("namespace:delete")!.after).toEqual(expect.arrayContaining(["testPod:delete", "serviceAccount:delete"]));
    expect(ops.get("identity:delete")!.after).toEqual(
      expect.arrayContaining(["federatedCredential:delete", "roleAssignment:delete:1", "serviceAccount:delete", "namespace:delete"]),
    );
    expect(planOf(r, "cluster").summary).toMatch(/OIDC issuer and workload identity stay on/);
    expect(w.azure.cluster.oidcIssuerEnabled && w.azure.cluster.workloadIdentityEnabled).toBe(true);

    w.azure.writes = [];
    w.kube.writes = [];
    const again = await run(binding(w, {}), DELETE_STEPS);
    expect(again.operations).toEqual([]);
    expect(again.text).toMatch(/Nothing to change\./);
    expect(allWrites(w)).toEqual([]);
  });

  it("a dry run plans the deletes and changes nothing", async () => {
    const w = await initialized();
    const r = await run(binding(w, {}), DELETE_STEPS, { dryRun: true });
    expect(r.applied).toBe(false);
    expect(r.operations.filter((o) => o.action === "delete").length).toBe(6);
    expect(allWrites(w)).toEqual([]);
    expect(w.kube.sas.has("app/sa-app")).toBe(true);
  });

  it("a service account made by the user keeps everything but loses aks-wi's annotations; its namespace stays", async () => {
    const w = world({ roles: [KV] });
    w.kube.namespaces.add("app");
    await w.kube.createServiceAccount("app", "sa-app", { "team.example/owner": "payments" }, { app: "payments" });
    await run(w.ctx);
    expect(w.kube.sas.get("app/sa-app")!.annotations).toMatchObject({ [CID]: expect.any(String), "aks-wi/binding": "app/sa-app" });
    const r = await run(binding(w, {}), DELETE_STEPS);
    const sa = w.kube.sas.get("app/sa-app")!;
    expect(sa.annotations).toEqual({ "team.example/owner": "payments" });
    expect(sa.labels).toEqual({ app: "payments" });
    expect(w.kube.namespaces.has("app")).toBe(true);
    expect(w.kube.writes).not.toContain("deleteServiceAccount app/sa-app");
    expect(planOf(r, "serviceAccount").summary).toMatch(/service account app\/sa-app made by you: only its annotations are removed/);
    expect(planOf(r, "serviceAccount").details).toMatchObject({ "left 2": "namespace app was not made by aks-wi: left" });
    // The identity aks-wi made for it is deleted: nothing else uses it.
    expect(w.azure.identities.size).toBe(0);
  });

  it("an identity another binding's credential uses is kept, with its role assignments (their rights are shared)", async () => {
    const w = await initialized();
    const two = binding(w, { serviceAccount: "sa-two", federatedCredential: "aks-wi-app-sa-two" });
    await run(two);
    // The second binding reuses the assignment of the same role and scope made for the first.
    expect(w.azure.assignments.map((a) => a.description)).toEqual([roleAssignmentDescription("app", "sa-app")]);
    const r = await run(binding(w, {}), DELETE_STEPS);
    expect(w.azure.identities.size).toBe(1);
    const [fc, ...more] = [...w.azure.fics.values()].flat();
    expect(more).toEqual([]);
    expect(fc).toMatchObject({ name: "aks-wi-app-sa-two", subject: "system:serviceaccount:app:sa-two" });
    expect(w.azure.assignments).toHaveLength(1);
    expect(planOf(r, "identity").summary).toMatch(/identity id-app is still used by federated credential\(s\) aks-wi-app-sa-two/);
    expect(planOf(r, "roleAssignment").summary).toMatch(
      /"Key Vault Secrets User" at .* left, because federated credential\(s\) aks-wi-app-sa-two still use the identity/,
    );
    // The other binding's service account and the shared namespace are untouched; this one's go.
    expect(w.kube.sas.has("app/sa-two")).toBe(true);
    expect(w.kube.sas.has("app/sa-app")).toBe(false);
    expect(w.kube.namespaces.has("app")).toBe(true);
    expect(planOf(r, "serviceAccount").summary).toMatch(/namespace app holds other objects \(.*serviceaccounts\/sa-two/);

    // Deleting the last binding removes the assignment made for the first one too, then the identity.
    await run(binding(w, { serviceAccount: "sa-two", federatedCredential: "aks-wi-app-sa-two" }), DELETE_STEPS);
    expect(w.azure.assignments).toEqual([]);
    expect(w.azure.identities.size).toBe(0);
    expect(w.kube.namespaces.has("app")).toBe(false);
  });

  it("deletes only what carries aks-wi's marks: a hand-made role assignment, a look-alike pod and a reused identity stay", async () => {
    const w = world({ roles: [KV], testPod: false });
    // The identity exists before init: reused, so never aks-wi's.
    const id = await w.azure.createIdentity(SUB, "rg-sandbox", "id-app", "eastus");
    await run(w.ctx);
    // By hand: a role assignment without aks-wi's description, and a pod named like the test pod without its marks.
    const hand = `${VAULT_SCOPE}/providers/Microsoft.Authorization/roleAssignments/hand`;
    w.azure.assignments.push({
      id: hand,
      name: "hand",
      scope: VAULT_SCOPE,
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_GUIDS.Owner}`,
      principalId: id.principalId,
    });
    await w.kube.createPod({
      metadata: { namespace: "app", name: "aks-wi-test", labels: {} },
      spec: { serviceAccountName: "other", containers: [{ name: "c" }] },
    });
    w.azure.writes = [];
    w.kube.writes = [];

    const r = await run(binding(w, { testPod: false }), DELETE_STEPS);
    expect(w.azure.writes).toEqual([expect.stringMatching(/^deleteRoleAssignment /), "deleteFederatedCredential fc-app"]);
    expect(w.azure.assignments.map((a) => a.id)).toEqual([hand]);
    expect(w.azure.identities.has("rg-sandbox/id-app")).toBe(true);
    expect(w.kube.pods.has("app/aks-wi-test")).toBe(true);
    expect(w.kube.writes).toEqual(["deleteServiceAccount app/sa-app"]);
    expect(planOf(r, "testPod").summary).toMatch(/pod app\/aks-wi-test was not made by aks-wi for this binding: left/);
    expect(planOf(r, "roleAssignment").details!.left).toMatch(/1 role assignment\(s\) of identity id-app not made by aks-wi: left/);
    expect(planOf(r, "identity").summary).toMatch(/identity id-app made by you \(no managed-by: aks-wi tag\): left/);
    expect(planOf(r, "serviceAccount").summary).toMatch(/namespace app holds other objects \(pods\/aks-wi-test\): left/);
  });

  it("a credential trusting the binding under a name aks-wi did not give is left, and keeps the identity and its rights", async () => {
    const w = await initialized();
    await w.azure.putFederatedCredential(SUB, "rg-sandbox", "id-app", {
      name: "mine",
      issuer: w.azure.cluster.issuerUrl!,
      subject: "system:serviceaccount:app:sa-app",
      audiences: ["api://AzureADTokenExchange"],
    });
    w.azure.writes = [];
    const r = await run(binding(w, {}), DELETE_STEPS);
    expect(w.azure.writes).toEqual(["deleteFederatedCredential fc-app"]);
    expect([...w.azure.fics.values()].flat().map((f) => f.name)).toEqual(["mine"]);
    expect(w.azure.assignments).toHaveLength(1);
    expect(planOf(r, "federatedCredential").details!.left).toMatch(
      /federated credential mine trusts system:serviceaccount:app:sa-app but was not named by aks-wi/,
    );
    expect(planOf(r, "identity").summary).toMatch(/identity id-app is still used by federated credential\(s\) mine/);
  });

  it("keeps a service account aks-wi made while a pod other than the test pod uses it", async () => {
    const w = await initialized();
    await w.kube.createPod({ metadata: { namespace: "app", name: "web", labels: {} }, spec: { serviceAccountName: "sa-app", containers: [{ name: "c" }] } });
    const r = await run(binding(w, {}), DELETE_STEPS);
    expect(w.kube.sas.get("app/sa-app")!.annotations).toEqual({});
    expect(w.kube.sas.get("app/sa-app")!.labels).toEqual(MANAGED);
    expect(w.kube.namespaces.has("app")).toBe(true);
    expect(planOf(r, "serviceAccount").summary).toMatch(/service account app\/sa-app is still used by pod web: only its annotations are removed/);
    expect(planOf(r, "serviceAccount").summary).toMatch(/namespace app holds other objects \(pods\/web, serviceaccounts\/sa-app\)/);
  });

  it("a failed delete stops with the step named and says to re-run delete; a re-run finishes what is left", async () => {
    const w = await initialized();
    w.azure.deleteFederatedCredential = async () => {
      throw new Error("connection reset");
    };
    const e = await run(binding(w, {}), DELETE_STEPS, { again: DELETE_AGAIN }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StepError);
    expect((e as StepError).message).toBe("Federated identity credential failed: connection reset");
    expect((e as StepError).suggestion).toMatch(/re-run aks-wi delete: it plans again from what is left/);
    // Nothing waiting for the credential ran: the identity is still there.
    expect(w.azure.identities.size).toBe(1);
    delete (w.azure as { deleteFederatedCredential?: unknown }).deleteFederatedCredential;
    await run(binding(w, {}), DELETE_STEPS);
    expect(w.azure.identities.size).toBe(0);
    expect([...w.azure.fics.values()].flat()).toEqual([]);
  });

  it("finds this binding's test pods by their marks whatever their name (apply names one aks-wi-test-<sa>)", async () => {
    const w = await initialized();
    const made = w.kube.pods.get("app/aks-wi-test")!;
    w.kube.pods.set("app/aks-wi-test-sa-app", { ...structuredClone(made), name: "aks-wi-test-sa-app" });
    const r = await run(binding(w, {}), DELETE_STEPS);
    expect(w.kube.writes).toEqual(expect.arrayContaining(["deletePod app/aks-wi-test", "deletePod app/aks-wi-test-sa-app", "deleteNamespace app"]));
    expect(planOf(r, "testPod").summary).toBe("delete test pod app/aks-wi-test; delete test pod app/aks-wi-test-sa-app");
  });
});
