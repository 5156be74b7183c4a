// Azure RBAC evaluation over the world's role assignments: which of a principal's assignments
// apply at a scope (the scope itself or any parent), and whether their roles grant an action.
// Semantics as Azure's: case-insensitive, "*" matches any run of characters (so "*/read" grants
// every read, "Microsoft.Authorization/*/Write" every authorization write), and a role's
// notActions only subtract from that same role's actions — never from another role's grant.
import type { RoleAssignmentRecord, World } from "../../../core/world.js";
import { builtInRoleById, roleGuidOf, type RolePermission } from "./built-in-roles.js";
import { scopeCovers } from "./scope.js";

const patternCache = new Map<string, RegExp>();

/** Azure's wildcard match of an action against a permission pattern. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`, "i");
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

/** Whether a permission block's allow list grants `action` and its deny list does not take it back. */
export function grants(allow: string[], deny: string[], action: string): boolean {
  return allow.some((p) => actionMatches(p, action)) && !deny.some((p) => actionMatches(p, action));
}

/** The principal's role assignments that apply at `scope` (at it or above it). */
export function applicableAssignments(world: World, principalId: string, scope: string): RoleAssignmentRecord[] {
  const who = principalId.toLowerCase();
  return Object.values(world.state.roleAssignments).filter((a) => a.principalId.toLowerCase() === who && scopeCovers(a.scope, scope));
}

/** The permission blocks of a role assignment's role; an unknown role grants nothing. */
export function permissionsOf(assignment: RoleAssignmentRecord): RolePermission[] {
  const guid = roleGuidOf(assignment.roleDefinitionId);
  return (guid && builtInRoleById(guid)?.permissions) || [];
}

/** Control-plane check the ARM router runs before every provider route. */
export function isPermitted(world: World, principalId: string, scope: string, action: string): boolean {
  return applicableAssignments(world, principalId, scope).some((a) => permissionsOf(a).some((p) => grants(p.actions, p.notActions, action)));
}

/** Data-plane check (Key Vault secrets, blobs, the cluster's Kubernetes API under Azure RBAC). */
export function isDataActionPermitted(world: World, principalId: string, scope: string, dataAction: string): boolean {
  return applicableAssignments(world, principalId, scope).some((a) => permissionsOf(a).some((p) => grants(p.dataActions, p.notDataActions, dataAction)));
}
