// All eight steps through the runner over the fakes: a fresh run creates everything, the writes
// made are the plan's operations one for one, and a re-run plans "none" for every step and
// makes no writes.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runSteps, type RunResult } from "../../../../src/init/runner.js";
import { STEPS } from "../../../../src/init/steps/index.js";
import { createUi } from "../../../../src/terminal/ui.js";
import { VAULT_SCOPE, allWrites, world, type World } from "../../../helpers/steps-fakes.js";

const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });

function run(w: World, opts: { dryRun?: boolean } = {}): Promise<RunResult> {
  return runSteps({ steps: STEPS, ctx: w.ctx, ui: createUi({ interactive: false, stream: quiet() }), dryRun: !!opts.dryRun, yes: true, save: async () => {} });
}

const PENDING = "(known after apply)";
/** A plan's target matches a write's when equal, a trailing PENDING standing for the name made at apply time. */
const sameTarget = (planned: string, written: string) =>
  planned.endsWith(PENDING) ? written.startsWith(planned.slice(0, -PENDING.length)) && !written.endsWith(PENDING) : planned === written;

describe("STEPS", () => {
  it("are the eight steps in the order they run", () => {
    expect(STEPS.map((s) => s.name)).toEqual([
      "cluster",
      "issuer",
      "identity",
      "serviceAccount",
      "federatedCredential",
      "roleAssignment",
      "workloads",
      "testPod",
    ]);
  });

  it("plan everything up front on a fresh world without writing", async () => {
    const w = world({ roles: [{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }] });
    const r = await run(w, { dryRun: true });
    expect(r.plans.map((p) => p.change)).toEqual(["update", "read", "create", "create", "create", "create", "none", "create"]);
    expect(allWrites(w)).toEqual([]);
    expect(r.plans[2]!.details).toMatchObject({ name: "id-app", location: "eastus" });
    expect(r.plans[4]!.details).toMatchObject({ subject: "system:serviceaccount:app:sa-app", audience: "api://AzureADTokenExchange" });
    expect(r.operations.map((o) => o.id)).toEqual([
      "cluster",
      "issuer",
      "identity",
      "namespace",
      "serviceAccount",
      "federatedCredential",
      "roleAssignment:1",
      "testPod",
    ]);
  });

  it("reads each resource once while planning, however many steps need it", async () => {
    const w = world({ roles: [{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }] });
    const counts: Record<string, number> = {};
    for (const name of ["getCluster", "getIdentity", "listFederatedCredentials", "listSubscriptions", "resolveRole"] as const) {
      const real = (w.azure as any)[name].bind(w.azure);
      (w.azure as any)[name] = (...a: unknown[]) => ((counts[name] = (counts[name] ?? 0) + 1), real(...a));
    }
    await run(w, { dryRun: true });
    expect(counts).toEqual({ getCluster: 1, getIdentity: 1, listSubscriptions: 1, resolveRole: 1 });
  });

  it("makes exactly the writes the plan's operations name, one for one, then a re-run plans none and writes nothing", async () => {
    const w = world({ roles: [{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }] });
    const r = await run(w);
    const planned = r.operations.filter((o) => o.action !== "read" && o.action !== "wait").map((o) => o.target);
    const written = [...w.azure.writeTargets, ...w.kube.writeTargets];
    expect(written).toHaveLength(planned.length);
    const left = [...written];
    for (const t of planned) {
      const i = left.findIndex((x) => sameTarget(t, x));
      expect(i, `no write for planned operation on ${t}; writes: ${written.join(", ")}`).toBeGreaterThanOrEqual(0);
      left.splice(i, 1);
    }

    const o = w.ctx.state.outputs;
    expect(o.oidcIssuerEnabled && o.workloadIdentityEnabled).toBe(true);
    expect(o.issuerUrl).toBe(w.azure.issuerOnEnable);
    expect(o.identity?.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.federatedCredential).toMatchObject({
      issuer: w.azure.issuerOnEnable,
      subject: "system:serviceaccount:app:sa-app",
      audiences: ["api://AzureADTokenExchange"],
    });
    expect(o.roleAssignments).toHaveLength(1);
    expect(o.roleAssignments![0]!.principalId).toBe(o.identity!.principalId);
    expect(o.testPod).toMatchObject({ namespace: "app", name: "aks-wi-test", phase: "Running" });
    expect(w.ctx.state.steps).toMatchObject(Object.fromEntries(STEPS.map((s) => [s.name, { status: "done" }])));

    const firstWrites = allWrites(w).length;
    const again = await run(w);
    expect(again.plans.map((p) => p.change)).toEqual(Array(8).fill("none"));
    expect(again.operations).toEqual([]);
    expect(allWrites(w)).toHaveLength(firstWrites);
  });

  it("wires an existing deployment from nothing: its patch runs after the service account and the credential, and a re-run writes nothing", async () => {
    const w = world({ workloads: ["deployment/web"] });
    w.kube.namespaces.add("app");
    w.kube.addWorkload("deployment", "app", "web");
    // one log of both fakes' writes, in the order they happen
    const order: string[] = [];
    for (const [fake, name] of [
      [w.azure, "putFederatedCredential"],
      [w.kube, "createServiceAccount"],
      [w.kube, "patchWorkloadTemplate"],
    ] as const) {
      const real = (fake as any)[name].bind(fake);
      (fake as any)[name] = async (...a: unknown[]) => {
        const out = await real(...a);
        order.push(name);
        return out;
      };
    }
    const r = await run(w);
    expect(r.plans[6]).toMatchObject({ step: "workloads", change: "update" });
    expect(order).toHaveLength(3);
    expect(order[2]).toBe("patchWorkloadTemplate");
    expect([...w.kube.pods.values()].filter((p) => p.labels.app === "web").map((p) => p.containers[0]!.env.AZURE_CLIENT_ID)).toEqual(
      Array(2).fill(w.ctx.state.outputs.identity!.clientId),
    );
    const firstWrites = allWrites(w).length;
    const again = await run(w);
    expect(again.plans.map((p) => p.change)).toEqual(Array(8).fill("none"));
    expect(allWrites(w)).toHaveLength(firstWrites);
  });
});
