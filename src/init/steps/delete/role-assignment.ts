// Delete step 2: the role assignments aks-wi made for this binding, told by their description
// (roleAssignmentDescription). A role assignment belongs to the identity's principal, not to one
// binding: init reuses an existing assignment of the same role and scope for a second binding of
// the identity, so while another federated credential still uses the identity, its rights are
// kept (the plan says why). Once this binding is the identity's last user, the assignments aks-wi
// made for bindings of it go (this one's, and those of bindings whose credential is already gone),
// so a deleted identity leaves no assignment behind. An assignment aks-wi did not make is left.
import { lastSegment } from "../shared.js";
import type { RoleAssignmentInfo } from "../../../core/ports.js";
import { defineStep, type Operation, type StepContext } from "../../step.js";
import { bindingAssignments, bindingOfAssignment, leftDetails, otherCredentials } from "./shared.js";

/** The role's display name (its GUID when the definition cannot be read). */
async function roleNameOf(ctx: StepContext, a: RoleAssignmentInfo): Promise<string> {
  const guid = lastSegment(a.roleDefinitionId).toLowerCase();
  const def = await ctx.seen.role(a.scope, guid).catch(() => undefined);
  return def?.roleName ?? guid;
}

export const deleteRoleAssignmentStep = defineStep({
  name: "roleAssignment",
  title: "Azure role assignments",

  async plan(ctx) {
    const { identity } = ctx.inputs;
    const [{ ours, otherBindings, others }, users] = await Promise.all([bindingAssignments(ctx), otherCredentials(ctx)]);
    const named = async (list: RoleAssignmentInfo[]) => Promise.all(list.map(async (a) => ({ a, roleName: await roleNameOf(ctx, a) })));
    const left: string[] = [];
    if (others.length) left.push(`${others.length} role assignment(s) of identity ${identity} not made by aks-wi: left`);
    if (users.length) {
      const kept = await named([...ours, ...otherBindings]);
      if (kept.length) {
        left.push(
          `role assignment(s) ${kept.map((k) => `"${k.roleName}" at ${k.a.scope}`).join(", ")} of identity ${identity}: left, because federated credential(s) ${users.map((u) => u.name).join(", ")} still use the identity and share its rights`,
        );
      }
      return {
        change: "none",
        summary: left.length ? left.join("; ") : "no role assignment made by aks-wi for this binding",
        details: leftDetails(left),
        ops: [],
      };
    }
    const gone = await named([...ours, ...otherBindings]);
    const ops: Operation[] = gone.map(({ a, roleName }, n) => ({
      id: `roleAssignment:delete:${n + 1}`,
      step: "roleAssignment",
      action: "delete",
      target: a.id,
      summary: `remove "${roleName}" at ${a.scope} (made by aks-wi for ${bindingOfAssignment(a)})`,
      after: [],
      needs: [{ plane: "arm", action: "Microsoft.Authorization/roleAssignments/delete", scope: a.scope }],
      run: async (run) => run.azure.deleteRoleAssignment(a.id),
    }));
    if (ops.length === 0) {
      return { change: "none", summary: left[0] ?? "no role assignment made by aks-wi for this binding", details: leftDetails(left), ops };
    }
    return {
      change: "delete",
      summary: `remove ${gone.map((x) => `"${x.roleName}" at ${x.a.scope}`).join(", ")} (made by aks-wi)`,
      details: leftDetails(left),
      ops,
    };
  },
});
