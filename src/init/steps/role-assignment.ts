// Step 6: Azure role assignments for the identity's principal. Each assignment's name is a UUID v5
// of (scope, role, principal), so a re-run after a crash PUTs the same name and cannot duplicate.
import { v5 as uuidv5 } from "uuid";
import { CancelledError, StepError } from "../../core/errors.js";
import { PENDING, currentIdentity, lastSegment } from "./shared.js";
import type { RoleAssignmentOut, RoleDefinitionInfo, RoleRequest } from "../../core/ports.js";
import { defineStep, type StepContext } from "../step.js";

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

const NO_PRINCIPAL = "00000000-0000-0000-0000-000000000000";

interface Item {
  request: RoleRequest;
  def: RoleDefinitionInfo;
  name?: string;
  existing?: RoleAssignmentOut;
}

async function inspect(ctx: StepContext): Promise<{ principalId?: string; items: Item[] }> {
  const identity = await currentIdentity(ctx);
  const principalId = identity?.principalId;
  const items: Item[] = [];
  for (const request of ctx.inputs.roles) {
    const def = await ctx.azure.resolveRole(request.scope, request.role);
    if (!def) {
      throw new StepError("roleAssignment", `role "${request.role}" not found at scope ${request.scope}`, "check the --role name (exact, case-sensitive display name) or pass its GUID");
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
    } else {
      // No principal yet (the identity is still to be made): a read at the scope still proves it
      // exists, so a mistyped --scope stops the plan before the cluster is touched.
      await ctx.azure.listRoleAssignments(request.scope, NO_PRINCIPAL);
    }
    items.push(item);
  }
  return { principalId, items };
}

const broadGrant = (i: Item) => `"${i.def.roleName}" at subscription scope ${i.request.scope}`;

/**
 * The broad grants still to make that need a yes at a terminal (none with --allow-broad-scope).
 * Without a terminal nobody can confirm one: refused, by the plan too, so before any change.
 */
function broadToConfirm(ctx: StepContext, items: Item[]): Item[] {
  if (ctx.inputs.allowBroadScope) return [];
  const broad = items.filter((i) => !i.existing && isBroad(i.request.scope, i.def));
  if (broad.length && !ctx.ui.interactive) {
    throw new StepError("roleAssignment", `${broadGrant(broad[0]!)} grants control of the whole subscription`, "assign at a narrower --scope, or pass --allow-broad-scope if this is intended");
  }
  return broad;
}

export const roleAssignmentStep = defineStep({
  name: "roleAssignment",
  title: "Azure role assignments",

  async plan(ctx) {
    if (ctx.inputs.roles.length === 0) return { change: "none", summary: "no role assignments requested" };
    const { items } = await inspect(ctx);
    const todo = items.filter((i) => !i.existing);
    const details: Record<string, string> = {};
    items.forEach((i, n) => {
      const broad = isBroad(i.request.scope, i.def) ? " [broad: needs confirmation or --allow-broad-scope]" : "";
      details[`role ${n + 1}`] = `${i.def.roleName} at ${i.request.scope}${i.existing ? " (exists)" : ` (assignment ${i.name ?? PENDING})`}${broad}`;
    });
    broadToConfirm(ctx, items);
    const summary = todo.length
      ? `assign ${todo.map((i) => `"${i.def.roleName}"`).join(", ")} to the identity's principal`
      : `${items.length} role assignment(s) already in place`;
    return { change: todo.length ? "create" : "none", summary, details };
  },

  async apply(ctx) {
    const { principalId, items } = await inspect(ctx);
    if (items.length === 0) {
      ctx.state.outputs.roleAssignments = [];
      return;
    }
    if (!principalId) throw new StepError("roleAssignment", `identity ${ctx.inputs.identity} not found`, "re-run aks-wi init so the identity step creates it");
    // Asked before making any assignment, so a refusal leaves nothing half done.
    for (const i of broadToConfirm(ctx, items)) {
      if (!(await ctx.ui.confirm(`Assign ${broadGrant(i)} to the identity? This grants control of the whole subscription.`, { default: false }))) {
        throw new CancelledError(`cancelled: ${broadGrant(i)} not assigned`);
      }
    }
    const out: RoleAssignmentOut[] = [];
    for (const i of items) {
      if (i.existing) {
        out.push(i.existing);
        continue;
      }
      const made = await ctx.azure.createRoleAssignment(i.request.scope, i.name!, i.def.id, principalId);
      out.push({ ...made, roleName: i.def.roleName });
    }
    ctx.state.outputs.roleAssignments = out;
  },
});
