// All seven steps over the fakes: a fresh run creates everything, a re-run plans "none" for every
// step and makes no writes.
import { describe, expect, it } from "vitest";
import { STEPS } from "../../../../src/init/steps/index.js";
import type { StepPlan } from "../../../../src/init/step.js";
import { VAULT_SCOPE, allWrites, world, type World } from "../../../helpers/steps-fakes.js";

async function planAll(w: World): Promise<StepPlan[]> {
  const plans: StepPlan[] = [];
  for (const s of STEPS) plans.push(await s.plan(w.ctx));
  return plans;
}

async function runAll(w: World): Promise<StepPlan[]> {
  const plans = await planAll(w);
  for (const [n, s] of STEPS.entries()) await s.apply(w.ctx, plans[n]!);
  return plans;
}

describe("STEPS", () => {
  it("are the seven steps in the order they run", () => {
    expect(STEPS.map((s) => s.name)).toEqual(["cluster", "issuer", "identity", "serviceAccount", "federatedCredential", "roleAssignment", "testPod"]);
  });

  it("plan everything up front on a fresh world without writing", async () => {
    const w = world({ roles: [{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }] });
    const plans = await planAll(w);
    expect(plans.map((p) => p.change)).toEqual(["update", "read", "create", "create", "create", "create", "create"]);
    expect(allWrites(w)).toEqual([]);
    expect(plans[2]!.details).toMatchObject({ name: "id-app", location: "eastus" });
    expect(plans[4]!.details).toMatchObject({ subject: "system:serviceaccount:app:sa-app", audience: "api://AzureADTokenExchange" });
  });

  it("converge on a fresh world, then a re-run plans none everywhere and writes nothing", async () => {
    const w = world({ roles: [{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }] });
    await runAll(w);
    const o = w.ctx.state.outputs;
    expect(o.oidcIssuerEnabled && o.workloadIdentityEnabled).toBe(true);
    expect(o.issuerUrl).toBe(w.azure.issuerOnEnable);
    expect(o.identity?.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.federatedCredential).toMatchObject({ issuer: w.azure.issuerOnEnable, subject: "system:serviceaccount:app:sa-app", audiences: ["api://AzureADTokenExchange"] });
    expect(o.roleAssignments).toHaveLength(1);
    expect(o.roleAssignments![0]!.principalId).toBe(o.identity!.principalId);
    expect(o.testPod).toMatchObject({ namespace: "app", name: "aks-wi-test", phase: "Running" });
    const firstWrites = allWrites(w).length;
    expect(firstWrites).toBeGreaterThanOrEqual(7);

    const again = await runAll(w);
    expect(again.map((p) => p.change)).toEqual(Array(7).fill("none"));
    expect(allWrites(w)).toHaveLength(firstWrites);
  });
});
