// Many bindings in one plan, over the real STEPS and our fakes: shared work (the cluster update, an
// identity, a namespace, a role two bindings ask of one identity) is one operation; what it learns
// reaches every binding that shares it; one identity's credentials are written one at a time; a
// prune another binding still needs is left out; a second run plans nothing.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { handOver, mergePlans, planBindings, type Binding } from "../../../src/init/bindings.js";
import { runBindings } from "../../../src/init/run-bindings.js";
import { STEPS } from "../../../src/init/steps/index.js";
import type { InitInputs, InitState } from "../../../src/init/state.js";
import { createUi } from "../../../src/terminal/ui.js";
import { roleAssignmentDescription } from "../../../src/core/workload-identity.js";
import { FakeAzure, FakeKube, ROLE_GUIDS, SUB, VAULT_SCOPE, inputs } from "../../helpers/steps-fakes.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const KV = { role: "Key Vault Secrets User", scope: VAULT_SCOPE };

function setup(specs: Partial<InitInputs>[]) {
  const azure = new FakeAzure();
  const kube = new FakeKube();
  const saves: string[] = [];
  const bindings: Binding[] = specs.map((over) => {
    const i = inputs({ testPod: false, prune: true, ...over });
    const state: InitState = { version: 1, cloud: "sandbox", inputs: {}, steps: {}, outputs: {}, updatedAt: "" };
    const key = `${i.namespace}/${i.serviceAccount}`;
    return { key, ctx: { inputs: i, state, azure, kube: async () => kube }, save: async () => void saves.push(key) };
  });
  const out = new Sink();
  const ui = createUi({ interactive: false, stream: out });
  return { azure, kube, bindings, out, ui, saves };
}

const three = [
  { namespace: "pay", serviceAccount: "api", identity: "id-pay", federatedCredential: "fc-api", roles: [KV] },
  { namespace: "pay", serviceAccount: "worker", identity: "id-pay", federatedCredential: "fc-worker", roles: [KV] },
  { namespace: "web", serviceAccount: "web", identity: "id-web", federatedCredential: "fc-web" },
];

describe("mergePlans", () => {
  it("one cluster update, one create per shared identity, namespace and role; every id prefixed by its binding", async () => {
    const s = setup(three);
    const merged = await mergePlans(await planBindings(STEPS, s.bindings));
    const ids = merged.ops.map((o) => o.id);
    expect(ids.filter((id) => id.endsWith(":cluster"))).toEqual(["pay/api:cluster"]);
    expect(ids.filter((id) => id.endsWith(":identity"))).toEqual(["pay/api:identity", "web/web:identity"]);
    expect(ids.filter((id) => id.endsWith(":namespace"))).toEqual(["pay/api:namespace", "web/web:namespace"]);
    expect(ids.filter((id) => id.includes(":roleAssignment"))).toEqual(["pay/api:roleAssignment:1"]);
    expect(ids.filter((id) => id.endsWith(":federatedCredential"))).toEqual([
      "pay/api:federatedCredential",
      "pay/worker:federatedCredential",
      "web/web:federatedCredential",
    ]);
    // The worker's work done by the api's operations counts for both.
    const identity = merged.ops.find((o) => o.id === "pay/api:identity")!;
    expect(identity.members.map((m) => m.binding)).toEqual([0, 1]);
    // The worker's service account waits for the identity the api's operation makes, and the cluster's acceptance.
    const workerSa = merged.ops.find((o) => o.id === "pay/worker:serviceAccount")!;
    expect(workerSa.after).toEqual(expect.arrayContaining(["pay/api:identity", "pay/api:namespace"]));
    expect(workerSa.afterAccepted).toEqual(["pay/api:cluster"]);
    // One identity's credentials one after another; another identity's beside them.
    expect(merged.ops.find((o) => o.id === "pay/worker:federatedCredential")!.after).toContain("pay/api:federatedCredential");
    expect(merged.ops.find((o) => o.id === "web/web:federatedCredential")!.after).not.toContain("pay/worker:federatedCredential");
    for (const o of merged.ops) for (const d of [...o.after, ...(o.afterAccepted ?? [])]) expect(ids).toContain(d);
  });

  it("leaves out a prune another binding on the same identity still asks for, and says so", async () => {
    const s = setup([
      { namespace: "pay", serviceAccount: "api", identity: "id-pay", roles: [] },
      { namespace: "pay", serviceAccount: "worker", identity: "id-pay", roles: [KV] },
    ]);
    const id = await s.azure.createIdentity(SUB, "rg-sandbox", "id-pay", "eastus");
    const def = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_GUIDS["Key Vault Secrets User"]}`;
    await s.azure.createRoleAssignment(VAULT_SCOPE, "ra-api", def, id.principalId, roleAssignmentDescription("pay", "api"));
    const merged = await mergePlans(await planBindings(STEPS, s.bindings));
    expect(merged.ops.filter((o) => o.step === "roleAssignment")).toEqual([]);
    expect(merged.kept).toEqual([expect.objectContaining({ binding: 0, step: "roleAssignment", by: "pay/worker" })]);
  });
});

describe("runBindings", () => {
  it("applies from nothing: each binding's state holds its own identity, credential and roles; a second run plans nothing", async () => {
    const s = setup(three);
    const r = await runBindings({ steps: STEPS, bindings: s.bindings, cluster: "aks-sandbox", ui: s.ui, dryRun: false, yes: true });
    expect(r.applied).toBe(true);
    expect(s.azure.writes.filter((w) => w === "enableWorkloadIdentity")).toHaveLength(1);
    expect(s.azure.writes.filter((w) => w.startsWith("createIdentity"))).toEqual(["createIdentity id-pay eastus", "createIdentity id-web eastus"]);
    expect(s.azure.writes.filter((w) => w.startsWith("createRoleAssignment"))).toHaveLength(1);
    expect(s.kube.writes.filter((w) => w.startsWith("createNamespace")).sort()).toEqual(["createNamespace pay", "createNamespace web"]);
    const [api, worker, web] = s.bindings.map((b) => b.ctx.state.outputs);
    expect(worker!.identity?.clientId).toBe(api!.identity?.clientId);
    expect(web!.identity?.name).toBe("id-web");
    expect(worker!.issuerUrl).toBe(s.azure.issuerOnEnable);
    expect(worker!.federatedCredential?.subject).toBe("system:serviceaccount:pay:worker");
    expect(api!.roleAssignments).toHaveLength(1);
    expect(worker!.roleAssignments).toEqual(api!.roleAssignments);
    expect(web!.roleAssignments ?? []).toEqual([]);
    for (const b of s.bindings) expect(Object.values(b.ctx.state.steps).every((st) => st?.status === "done")).toBe(true);
    expect(r.bindings.map((b) => b.outcomes.find((o) => o.step === "identity")!.result)).toEqual(["created", "created", "created"]);

    const writes = s.azure.writes.length + s.kube.writes.length;
    const again = await runBindings({ steps: STEPS, bindings: s.bindings, cluster: "aks-sandbox", ui: s.ui, dryRun: false, yes: true });
    expect(again.operations).toEqual([]);
    expect(s.azure.writes.length + s.kube.writes.length).toBe(writes);
    expect(s.out.text).toMatch(/^Nothing to change\.$/m);
  });

  it("shows the cluster once and marks the work another binding's operation does", async () => {
    const s = setup(three);
    await runBindings({ steps: STEPS, bindings: s.bindings, cluster: "aks-sandbox", ui: s.ui, dryRun: true, yes: false });
    expect(s.out.text.match(/Cluster: OIDC issuer and workload identity/g)).toHaveLength(1);
    expect(s.out.text).toMatch(/^Plan for 3 bindings on cluster aks-sandbox:$/m);
    expect(s.out.text).toMatch(/^ {4}1\. create\s+User-assigned managed identity: create identity id-pay .*\(done once, with pay\/api\)$/m);
    expect(s.out.text).toMatch(/create namespace pay: done once, with pay\/api\)$/m);
    expect(s.azure.writes).toEqual([]);
  });
});

describe("handOver", () => {
  it("sets what changed, adds and removes list entries, and leaves the rest", () => {
    const into: Record<string, unknown> = { a: 1, list: [{ id: "x" }, { id: "keep" }], other: "mine" };
    handOver({ a: 1, list: [{ id: "x" }] }, { a: 2, list: [{ id: "y" }], b: "new" }, into);
    expect(into).toEqual({ a: 2, b: "new", list: [{ id: "keep" }, { id: "y" }], other: "mine" });
  });
});
