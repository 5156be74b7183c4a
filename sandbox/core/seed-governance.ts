// What the main seed (seed.ts) leaves out and enterprise tenants have: a second subscription in
// the tenant where Microsoft.ManagedIdentity is not registered (the operator Owner of it, one
// resource group in it), and a resource group of the main subscription under an Azure Policy
// assignment that denies identities without a given tag. Added to a world that lacks them, so
// a sandbox DIR from before them gains them at its next start.
import { randomUUID } from "node:crypto";
import type { SandboxInfo } from "../info.js";
import { requireTagDefinitionId } from "../arm/providers/policy/require-tag.js";
import type { WorldState } from "./world.js";
import { key } from "./world.js";

export const GOVERNANCE = {
  unregisteredSubscriptionName: "aks-wi-sandbox-unregistered",
  unregisteredProvider: "Microsoft.ManagedIdentity",
  unregisteredResourceGroup: "rg-unregistered",
  policyResourceGroup: "rg-policy",
  policyAssignmentName: "require-cost-center-on-identities",
  policyTagName: "costCenter",
} as const;

const OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

/** Adds the governance seed to a world that lacks it; true when it changed the world. */
export function seedGovernance(state: WorldState): boolean {
  let changed = false;
  const operator = Object.values(state.principals).find((p) => p.kind === "operator");
  const now = Date.now();
  const subs = (state.subscriptions ??= {});
  if (!Object.values(subs).some((s) => s.displayName === GOVERNANCE.unregisteredSubscriptionName)) {
    const subscriptionId = randomUUID();
    subs[key(subscriptionId)] = {
      subscriptionId,
      displayName: GOVERNANCE.unregisteredSubscriptionName,
      unregisteredProviders: [GOVERNANCE.unregisteredProvider],
    };
    const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${GOVERNANCE.unregisteredResourceGroup}`;
    state.resourceGroups[key(rgId)] = { id: rgId, name: GOVERNANCE.unregisteredResourceGroup, location: state.location };
    if (operator) {
      const name = randomUUID();
      const id = `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${name}`;
      state.roleAssignments[key(id)] = {
        id,
        name,
        scope: `/subscriptions/${subscriptionId}`,
        principalId: operator.principalId,
        principalType: "ServicePrincipal",
        createdAt: now,
        roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${OWNER_ROLE}`,
        description: "aks-wi sandbox operator",
      };
    }
    changed = true;
  }
  const rgId = `/subscriptions/${state.subscriptionId}/resourceGroups/${GOVERNANCE.policyResourceGroup}`;
  const assignments = (state.policyAssignments ??= {});
  if (!state.resourceGroups[key(rgId)]) {
    state.resourceGroups[key(rgId)] = { id: rgId, name: GOVERNANCE.policyResourceGroup, location: state.location };
    changed = true;
  }
  const assignmentId = `${rgId}/providers/Microsoft.Authorization/policyAssignments/${GOVERNANCE.policyAssignmentName}`;
  if (!assignments[key(assignmentId)]) {
    assignments[key(assignmentId)] = {
      id: assignmentId,
      name: GOVERNANCE.policyAssignmentName,
      displayName: `Require a ${GOVERNANCE.policyTagName} tag on managed identities`,
      scope: rgId,
      policyDefinitionId: requireTagDefinitionId(state.subscriptionId),
      parameters: { tagName: { value: GOVERNANCE.policyTagName } },
      createdAt: now,
    };
    changed = true;
  }
  return changed;
}

/** The governance seed as sandbox.json lists it. */
export function governanceInfo(
  state: WorldState,
): Pick<SandboxInfo, "unregisteredSubscriptionId" | "unregisteredResourceGroup" | "policyResourceGroup" | "policyTagName"> {
  const sub = Object.values(state.subscriptions ?? {}).find((s) => s.displayName === GOVERNANCE.unregisteredSubscriptionName);
  return {
    unregisteredSubscriptionId: sub?.subscriptionId,
    unregisteredResourceGroup: sub ? GOVERNANCE.unregisteredResourceGroup : undefined,
    policyResourceGroup: GOVERNANCE.policyResourceGroup,
    policyTagName: GOVERNANCE.policyTagName,
  };
}
