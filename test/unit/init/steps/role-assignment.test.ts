// roleAssignment step: deterministic UUID v5 names, principalId, broad-scope guard, idempotency.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { StepError } from "../../../../src/core/errors.js";
import { roleAssignmentDescription } from "../../../../src/core/workload-identity.js";
import { ROLE_ASSIGNMENT_NAMESPACE, isSubscriptionScope, roleAssignmentName, roleAssignmentStep } from "../../../../src/init/steps/role-assignment.js";
import { FakeUi, ROLE_GUIDS, SUB, VAULT_SCOPE, world, applyPlan, planStep } from "../../../helpers/steps-fakes.js";

/** RFC 4122 UUID v5 computed independently of the uuid package. */
function uuidV5(name: string, ns: string): string {
  const h = createHash("sha1")
    .update(Buffer.from(ns.replace(/-/g, ""), "hex"))
    .update(name, "utf8")
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

describe("roleAssignmentName", () => {
  const guid = ROLE_GUIDS["Key Vault Secrets User"]!;
  const p = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
  it("is the UUID v5 of lower-cased scope|role|principal in our namespace", () => {
    expect(roleAssignmentName(VAULT_SCOPE, guid, p)).toBe(uuidV5(`${VAULT_SCOPE.toLowerCase()}|${guid}|${p}`, ROLE_ASSIGNMENT_NAMESPACE));
  });
  it("is stable across scope casing and differs per role and principal", () => {
    expect(roleAssignmentName(VAULT_SCOPE.toUpperCase(), guid, p)).toBe(roleAssignmentName(VAULT_SCOPE, guid, p));
    expect(roleAssignmentName(VAULT_SCOPE, ROLE_GUIDS.Owner!, p)).not.toBe(roleAssignmentName(VAULT_SCOPE, guid, p));
    expect(roleAssignmentName(VAULT_SCOPE, guid, p.replace("a", "b"))).not.toBe(roleAssignmentName(VAULT_SCOPE, guid, p));
  });
  it("recognises subscription scope exactly", () => {
    expect(isSubscriptionScope(`/subscriptions/${SUB}`)).toBe(true);
    expect(isSubscriptionScope(`/subscriptions/${SUB}/resourceGroups/rg`)).toBe(false);
    expect(isSubscriptionScope(`/subscriptions/${SUB}/`)).toBe(false);
  });
});

async function ready(roles: { role: string; scope: string }[], over: { allowBroadScope?: boolean; prune?: boolean } = {}, ui?: FakeUi) {
  const w = world({ roles, ...over }, ui);
  const id = await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
  w.azure.writes = [];
  return { w, id };
}

describe("roleAssignment step", () => {
  it("none when no roles are requested", async () => {
    const { w } = await ready([]);
    expect((await planStep(roleAssignmentStep, w.ctx)).change).toBe("none");
  });

  it("assigns to the principalId under the deterministic name, then plans none", async () => {
    const { w, id } = await ready([{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }]);
    const p = await planStep(roleAssignmentStep, w.ctx);
    expect(p.change).toBe("create");
    expect(p.details!["role 1"]).toContain(VAULT_SCOPE);
    await applyPlan(w.ctx, p);
    const name = roleAssignmentName(VAULT_SCOPE, ROLE_GUIDS["Key Vault Secrets User"]!, id.principalId);
    expect(w.azure.writes).toEqual([`createRoleAssignment ${name}`]);
    expect(w.azure.assignments[0]).toMatchObject({ principalId: id.principalId, scope: VAULT_SCOPE });
    expect(w.azure.assignments[0]!.principalId).not.toBe(id.clientId);
    expect(w.ctx.state.outputs.roleAssignments![0]).toMatchObject({ name, roleName: "Key Vault Secrets User" });
    expect((await planStep(roleAssignmentStep, w.ctx)).change).toBe("none");
  });

  it("accepts a role GUID and treats an assignment under another name as done", async () => {
    const guid = ROLE_GUIDS["Key Vault Secrets User"]!;
    const { w, id } = await ready([{ role: guid, scope: VAULT_SCOPE }]);
    await w.azure.createRoleAssignment(
      VAULT_SCOPE,
      "11111111-2222-3333-4444-555555555555",
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      id.principalId,
    );
    w.azure.writes = [];
    const p = await planStep(roleAssignmentStep, w.ctx);
    expect(p.change).toBe("none");
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual([]);
  });

  it("fails on an unknown role", async () => {
    const { w } = await ready([{ role: "Key Vault Secret User", scope: VAULT_SCOPE }]);
    await expect(planStep(roleAssignmentStep, w.ctx)).rejects.toThrow(/role "Key Vault Secret User" not found/);
  });

  describe("broad scope", () => {
    const broad = [{ role: "Contributor", scope: `/subscriptions/${SUB}` }];

    it("carries a broad grant as a question only --allow-broad-scope or a person answers, its refusal naming the flag", async () => {
      const { w } = await ready(broad);
      const p = await planStep(roleAssignmentStep, w.ctx);
      const q = p.ops[0]!.question!;
      expect(q.text).toMatch(/"Contributor" at subscription scope .* whole subscription/);
      expect(q.flag).toBe("allowBroadScope");
      expect(q.yesAnswers).toBeFalsy();
      expect(q.refusal.kind).toBe("usage");
      expect(q.refusal.message).toMatch(/grants control of the whole subscription/);
      expect(q.refusal.suggestion).toMatch(/--allow-broad-scope/);
      expect(w.azure.writes).toEqual([]);
    });

    it("asks only about the broad one of several roles, one operation per role", async () => {
      const { w } = await ready([{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }, ...broad]);
      const p = await planStep(roleAssignmentStep, w.ctx);
      expect(p.ops.map((o) => [o.id, !!o.question])).toEqual([
        ["roleAssignment:1", false],
        ["roleAssignment:2", true],
      ]);
      expect(p.ops.map((o) => o.needs)).toEqual([
        [{ plane: "arm", action: "Microsoft.Authorization/roleAssignments/write", scope: VAULT_SCOPE }],
        [{ plane: "arm", action: "Microsoft.Authorization/roleAssignments/write", scope: `/subscriptions/${SUB}` }],
      ]);
    });

    it("--allow-broad-scope assigns", async () => {
      const { w } = await ready(broad, { allowBroadScope: true });
      await applyPlan(w.ctx, await planStep(roleAssignmentStep, w.ctx));
      expect(w.azure.writes).toHaveLength(1);
    });

    it("a narrower scope or a harmless role needs no confirmation", async () => {
      const { w } = await ready([
        { role: "Contributor", scope: `/subscriptions/${SUB}/resourceGroups/rg-app` },
        { role: "Key Vault Secrets User", scope: `/subscriptions/${SUB}` },
      ]);
      const p = await planStep(roleAssignmentStep, w.ctx);
      expect(p.ops.filter((o) => o.question)).toEqual([]);
      await applyPlan(w.ctx, p);
      expect(w.azure.writes).toHaveLength(2);
    });
  });

  describe("prune", () => {
    const KV = { role: "Key Vault Secrets User", scope: VAULT_SCOPE };
    const RG_SCOPE = `/subscriptions/${SUB}/resourceGroups/rg-app`;

    /** An identity holding KV (made by aks-wi for app/sa-app), and Contributor on rg-app made by hand. */
    async function withHistory(roles: { role: string; scope: string }[], prune: boolean) {
      const { w, id } = await ready(roles, { prune });
      const def = (g: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${g}`;
      await w.azure.createRoleAssignment(
        VAULT_SCOPE,
        "made-by-aks-wi",
        def(ROLE_GUIDS["Key Vault Secrets User"]!),
        id.principalId,
        roleAssignmentDescription("app", "sa-app"),
      );
      await w.azure.createRoleAssignment(RG_SCOPE, "made-by-hand", def(ROLE_GUIDS.Contributor!), id.principalId);
      await w.azure.createRoleAssignment(RG_SCOPE, "other-binding", def(ROLE_GUIDS.Owner!), id.principalId, roleAssignmentDescription("app", "other"));
      w.azure.writes = [];
      return { w, id };
    }

    it("a role changed in the desired set: one create, then one delete of aks-wi's old assignment, never the hand-made one", async () => {
      const { w } = await withHistory([{ role: "Key Vault Secrets User", scope: RG_SCOPE }], true);
      const p = await planStep(roleAssignmentStep, w.ctx);
      expect(p.change).toBe("update");
      expect(p.ops.map((o) => [o.action, o.summary])).toEqual([
        ["create", `assign "Key Vault Secrets User" at ${RG_SCOPE}`],
        ["delete", `remove "Key Vault Secrets User" at ${VAULT_SCOPE} (no longer requested)`],
      ]);
      // Made before it breaks: the delete waits for the new assignment.
      expect(p.ops[1]!.after).toEqual(["roleAssignment:1"]);
      expect(p.ops[1]!.needs).toEqual([{ plane: "arm", action: "Microsoft.Authorization/roleAssignments/delete", scope: VAULT_SCOPE }]);
      expect(p.drift).toContain(`role "Key Vault Secrets User" at ${VAULT_SCOPE} was made by aks-wi for this binding and is no longer requested`);
      await applyPlan(w.ctx, p);
      expect(w.azure.writes.filter((x) => x.startsWith("delete"))).toEqual(["deleteRoleAssignment made-by-aks-wi"]);
      expect(w.azure.assignments.map((a) => a.name).sort()).toEqual(expect.arrayContaining(["made-by-hand", "other-binding"]));
      expect((await planStep(roleAssignmentStep, w.ctx)).change).toBe("none");
    });

    it("no role named at all (prune given): only aks-wi's own assignment for this binding is planned for removal", async () => {
      const { w } = await withHistory([], true);
      const p = await planStep(roleAssignmentStep, w.ctx);
      expect(p.change).toBe("delete");
      expect(p.ops.map((o) => o.target.split("/").pop())).toEqual(["made-by-aks-wi"]);
    });

    it("without prune (roles only defaulted) nothing is removed", async () => {
      const { w } = await withHistory([], false);
      const p = await planStep(roleAssignmentStep, w.ctx);
      expect(p.change).toBe("none");
      expect(p.ops).toEqual([]);
    });

    it("a still-requested role is kept", async () => {
      const { w } = await withHistory([KV], true);
      expect((await planStep(roleAssignmentStep, w.ctx)).change).toBe("none");
    });
  });
});
