// Delete step 5: the user-assigned identity, only when aks-wi made it (the managed-by tag) and
// nothing else relies on it once this binding's credential and role assignments are gone: no other
// federated credential (another binding, or one made by hand) and no role assignment of its
// principal that aks-wi did not make (deleting the identity would leave it to a principal that no
// longer exists; those aks-wi made go in the roleAssignment step first). Anything else keeps it, and the plan says why.
import { defineStep } from "../../step.js";
import { identityId, identitySubscriptionOf } from "../shared.js";
import { bindingAssignments, isOurIdentity, leftDetails, otherCredentials } from "./shared.js";

export const deleteIdentityStep = defineStep({
  name: "identity",
  title: "User-assigned managed identity",

  async plan(ctx) {
    const { identityResourceGroup, identity } = ctx.inputs;
    const subscription = identitySubscriptionOf(ctx.inputs);
    const id = await ctx.seen.identity();
    if (!id) return { change: "none", summary: `identity ${identity} does not exist in ${identityResourceGroup}`, ops: [] };
    const keep = (why: string) => ({ change: "none" as const, summary: why, details: leftDetails([why]), ops: [] });
    if (!isOurIdentity(id)) return keep(`identity ${identity} made by you (no managed-by: aks-wi tag): left`);
    const [users, { others: handMade }] = await Promise.all([otherCredentials(ctx), bindingAssignments(ctx)]);
    if (users.length) {
      return keep(`identity ${identity} is still used by federated credential(s) ${users.map((fc) => `${fc.name} (${fc.subject})`).join(", ")}: left`);
    }
    if (handMade.length) {
      return keep(`identity ${identity} still holds ${handMade.length} role assignment(s) aks-wi did not make: left`);
    }
    const summary = `delete identity ${identity} in ${identityResourceGroup} (made by aks-wi, used by nothing else)`;
    return {
      change: "delete",
      summary,
      details: { identity: id.id, clientId: id.clientId },
      ops: [
        {
          id: "identity:delete",
          step: "identity",
          action: "delete",
          target: identityId(ctx.inputs),
          summary,
          // Last in Azure: what refers to it (credential, role assignments, the annotation) goes first.
          after: ["federatedCredential", "roleAssignment", "serviceAccount"],
          needs: [{ plane: "arm", action: "Microsoft.ManagedIdentity/userAssignedIdentities/delete", scope: id.id }],
          run: async (run) => run.azure.deleteIdentity(subscription, identityResourceGroup, identity),
        },
      ],
    };
  },
});
