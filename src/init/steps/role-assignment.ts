// Step 6: Azure role assignments for the identity's principal. Each assignment's name is a UUID v5
// of (scope, role, principal), so a re-run after a crash PUTs the same name and cannot duplicate.
// Each assignment is an operation of its own, run as soon as the principal exists (while the
// cluster update is still running). A scope that does not exist is found by the permission
// preflight's read at that scope, before anything changes.
import { v5 as uuidv5 } from "uuid";
import { StepError, UserError } from "../../core/errors.js";
import { roleAssignmentDescription } from "../../core/workload-identity.js";
import { PENDING, lastSegment } from "./shared.js";
import type { RoleAssignmentOut, RoleDefinitionInfo, RoleRequest } from "../../core/ports.js";
import { defineStep, type Operation, type Question, type StepContext } from "../step.js";

/** Our own fixed namespace for role-assignment names (never change it: names must stay stable). */
export const ROLE_ASSIGNMENT_NAMESPACE = "5f0d7a52-3c1e-4b8e-9d2a-6a4f1c8e2b37";

/** Built-in roles that grant control of everything in a subscription (or of its access). */
const BROAD_ROLE_GUIDS = new Set([
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", // Owner
  "b24988ac-6180-42a0-ab88-20f7382dd24c", // Contributor
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", // User Access Administrator
]);
const BROAD_ROLE_NAMES = new Set(["owner", "contributor", "user access administrator"]);

export function roleAssignmentName(scope: string, roleDefinitionGuid: string, principalId: string): string {
  return uuidv5(`${scope.toLowerCase()}|${roleDefinitionGuid.toLowerCase()}|${principalId.toLowerCase()}`, ROLE_ASSIGNMENT_NAMESPACE);
}

/** Subscription scope exactly: `/subscriptions/<id>` with nothing after it. */
export function isSubscriptionScope(scope: string): boolean {
  return /^\/subscriptions\/[^/]+$/i.test(scope);
}

export function isBroad(scope: string, def: RoleDefinitionInfo): boolean {
  return isSubscriptionScope(scope) && (BROAD_ROLE_GUIDS.has(lastSegment(def.id).toLowerCase()) || BROAD_ROLE_NAMES.has(def.roleName.toLowerCase()));
}

interface Item {
  request: RoleRequest;
  def: RoleDefinitionInfo;
  name?: string;
  existing?: RoleAssignmentOut;
}

async function inspect(ctx: StepContext): Promise<{ principalId?: string; items: Item[] }> {
  const principalId = (await ctx.seen.identity())?.principalId;
  const items = await Promise.all(
    ctx.inputs.roles.map(async (request): Promise<Item> => {
      const def = await ctx.seen.role(request.scope, request.role);
      if (!def) {
        // An input mistake (exit 2), found while planning.
        throw new UserError(
          `role "${request.role}" not found at scope ${request.scope}`,
          "check the --role name (exact, case-sensitive display name) or pass its GUID",
        );
      }
      const defGuid = lastSegment(def.id).toLowerCase();
      const item: Item = { request, def };
      if (principalId) {
        item.name = roleAssignmentName(request.scope, defGuid, principalId);
        const found = (await ctx.azure.listRoleAssignments(request.scope, principalId)).find(
          (a) =>
            lastSegment(a.roleDefinitionId).toLowerCase() === defGuid &&
            a.principalId.toLowerCase() === principalId.toLowerCase() &&
            a.scope.toLowerCase() === request.scope.toLowerCase(),
        );
        if (found) item.existing = { ...found, roleName: def.roleName };
      }
      return item;
    }),
  );
  return { principalId, items };
}

const broadGrant = (i: Item) => `"${i.def.roleName}" at subscription scope ${i.request.scope}`;

/** A broad grant is asked with the plan; without a terminal it needs --allow-broad-scope. */
function broadQuestion(i: Item): Question {
  return {
    text: `Assign ${broadGrant(i)} to the identity? This grants control of the whole subscription.`,
    flag: "allowBroadScope",
    refusal: new UserError(
      `${broadGrant(i)} grants control of the whole subscription`,
      "assign at a narrower --scope, or pass --allow-broad-scope if this is intended",
    ),
  };
}

export const roleAssignmentStep = defineStep({
  name: "roleAssignment",
  title: "Azure role assignments",

  async plan(ctx) {
    if (ctx.inputs.roles.length === 0) {
      return { change: "none", summary: "no role assignments requested", ops: [], record: (out) => void (out.roleAssignments = []) };
    }
    const { items, principalId: seenPrincipal } = await inspect(ctx);
    const todo = items.filter((i) => !i.existing);
    const details: Record<string, string> = {};
    items.forEach((i, n) => {
      const broad = isBroad(i.request.scope, i.def) ? " [broad: needs confirmation or --allow-broad-scope]" : "";
      details[`role ${n + 1}`] = `${i.def.roleName} at ${i.request.scope}${i.existing ? " (exists)" : ` (assignment ${i.name ?? PENDING})`}${broad}`;
    });
    const ops: Operation[] = todo.map((i) => ({
      id: `roleAssignment:${items.indexOf(i) + 1}`,
      step: "roleAssignment",
      action: "create",
      target: `${i.request.scope}/providers/Microsoft.Authorization/roleAssignments/${i.name ?? PENDING}`,
      summary: `assign "${i.def.roleName}" at ${i.request.scope}`,
      body: {
        properties: {
          roleDefinitionId: i.def.id,
          principalId: PENDING,
          principalType: "ServicePrincipal",
          description: roleAssignmentDescription(ctx.inputs.namespace, ctx.inputs.serviceAccount),
        },
      },
      after: ["identity"],
      afterAccepted: ["cluster"],
      needs: [{ plane: "arm", action: "Microsoft.Authorization/roleAssignments/write", scope: i.request.scope }],
      question: isBroad(i.request.scope, i.def) ? broadQuestion(i) : undefined,
      async run(run) {
        const principalId = run.state.outputs.identity?.principalId ?? seenPrincipal;
        if (!principalId)
          throw new StepError("roleAssignment", `identity ${run.inputs.identity} not found`, "re-run aks-wi init so the identity step creates it");
        const name = roleAssignmentName(i.request.scope, lastSegment(i.def.id), principalId);
        const made = await run.azure.createRoleAssignment(
          i.request.scope,
          name,
          i.def.id,
          principalId,
          roleAssignmentDescription(run.inputs.namespace, run.inputs.serviceAccount),
        );
        (run.state.outputs.roleAssignments ??= []).push({ ...made, roleName: i.def.roleName });
      },
    }));
    const summary = todo.length
      ? `assign ${todo.map((i) => `"${i.def.roleName}"`).join(", ")} to the identity's principal`
      : `${items.length} role assignment(s) already in place`;
    const existing = items.flatMap((i) => (i.existing ? [i.existing] : []));
    const drift = todo.map((i) => `role "${i.def.roleName}" is not assigned at ${i.request.scope}`);
    return { change: todo.length ? "create" : "none", drift, summary, details, ops, record: (out) => void (out.roleAssignments = existing) };
  },
});
