// Step 6: Azure role assignments for the identity's principal. Each assignment's name is a UUID v5
// of (scope, role, principal), so a re-run after a crash PUTs the same name and cannot duplicate.
// Each assignment is an operation of its own, run as soon as the principal exists (while the
// cluster update is still running). A scope that does not exist is found by the permission
// preflight's read at that scope, before anything changes.
import { v5 as uuidv5 } from "uuid";
import { StepError, UserError } from "../../core/errors.js";
import { roleAssignmentDescription } from "../../core/workload-identity.js";
import { PENDING, lastSegment } from "./shared.js";
import type { RoleAssignmentInfo, RoleAssignmentOut, RoleDefinitionInfo, RoleRequest } from "../../core/ports.js";
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

const guidOf = (id: string) => lastSegment(id).toLowerCase();
const sameScope = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function inspect(ctx: StepContext): Promise<{ principalId?: string; items: Item[]; assignments: RoleAssignmentInfo[] }> {
  const [identity, assignments] = await Promise.all([ctx.seen.identity(), ctx.seen.roleAssignments()]);
  const principalId = identity?.principalId;
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
      const item: Item = { request, def };
      if (principalId) {
        item.name = roleAssignmentName(request.scope, guidOf(def.id), principalId);
        const found = assignments.find(
          (a) =>
            guidOf(a.roleDefinitionId) === guidOf(def.id) && a.principalId.toLowerCase() === principalId.toLowerCase() && sameScope(a.scope, request.scope),
        );
        if (found) item.existing = { ...found, roleName: def.roleName };
      }
      return item;
    }),
  );
  return { principalId, items, assignments };
}

/** Assignments aks-wi made for this binding (by their description) that no requested role is. */
function stale(ctx: StepContext, items: Item[], assignments: RoleAssignmentInfo[]): RoleAssignmentInfo[] {
  if (!ctx.inputs.prune) return [];
  const mark = roleAssignmentDescription(ctx.inputs.namespace, ctx.inputs.serviceAccount);
  return assignments.filter(
    (a) => a.description === mark && !items.some((i) => guidOf(i.def.id) === guidOf(a.roleDefinitionId) && sameScope(i.request.scope, a.scope)),
  );
}

/** The role's display name for a delete line (its GUID when the definition cannot be read). */
async function roleNameOf(ctx: StepContext, a: RoleAssignmentInfo): Promise<string> {
  const def = await ctx.seen.role(a.scope, guidOf(a.roleDefinitionId)).catch(() => undefined);
  return def?.roleName ?? guidOf(a.roleDefinitionId);
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
    if (ctx.inputs.roles.length === 0 && !ctx.inputs.prune) {
      return { change: "none", summary: "no role assignments requested", ops: [], record: (out) => void (out.roleAssignments = []) };
    }
    const { items, principalId: seenPrincipal, assignments } = await inspect(ctx);
    const todo = items.filter((i) => !i.existing);
    const prune = await Promise.all(stale(ctx, items, assignments).map(async (a) => ({ a, roleName: await roleNameOf(ctx, a) })));
    const details: Record<string, string> = {};
    items.forEach((i, n) => {
      const broad = isBroad(i.request.scope, i.def) ? " [broad: needs confirmation or --allow-broad-scope]" : "";
      details[`role ${n + 1}`] = `${i.def.roleName} at ${i.request.scope}${i.existing ? " (exists)" : ` (assignment ${i.name ?? PENDING})`}${broad}`;
    });
    prune.forEach(({ a, roleName }, n) => (details[`remove ${n + 1}`] = `${roleName} at ${a.scope} (made by aks-wi for this binding, no longer requested)`));
    const creates: Operation[] = todo.map((i) => ({
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
    // Removed only once the requested ones are in place: rights never drop below what is asked.
    const deletes: Operation[] = prune.map(({ a, roleName }, n) => ({
      id: `roleAssignment:delete:${n + 1}`,
      step: "roleAssignment",
      action: "delete",
      target: a.id,
      summary: `remove "${roleName}" at ${a.scope} (no longer requested)`,
      body: { properties: { roleDefinitionId: a.roleDefinitionId, scope: a.scope } },
      after: creates.map((c) => c.id),
      afterAccepted: ["cluster"],
      needs: [{ plane: "arm", action: "Microsoft.Authorization/roleAssignments/delete", scope: a.scope }],
      async run(run) {
        await run.azure.deleteRoleAssignment(a.id);
        const out = run.state.outputs;
        if (out.roleAssignments) out.roleAssignments = out.roleAssignments.filter((x) => x.id.toLowerCase() !== a.id.toLowerCase());
      },
    }));
    const words = [
      todo.length && `assign ${todo.map((i) => `"${i.def.roleName}"`).join(", ")} to the identity's principal`,
      prune.length && `remove ${prune.map((p) => `"${p.roleName}"`).join(", ")} (no longer requested)`,
    ].filter(Boolean);
    const summary = words.length ? words.join("; ") : items.length ? `${items.length} role assignment(s) already in place` : "no role assignments requested";
    const existing = items.flatMap((i) => (i.existing ? [i.existing] : []));
    const drift = [
      ...todo.map((i) => `role "${i.def.roleName}" is not assigned at ${i.request.scope}`),
      ...prune.map((p) => `role "${p.roleName}" at ${p.a.scope} was made by aks-wi for this binding and is no longer requested`),
    ];
    const change = todo.length && prune.length ? "update" : todo.length ? "create" : prune.length ? "delete" : "none";
    return { change, drift, summary, details, ops: [...creates, ...deletes], record: (out) => void (out.roleAssignments = existing) };
  },
});
