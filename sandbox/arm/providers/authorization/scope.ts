// Scopes as Microsoft.Authorization sees them: an ARM ID at any level (root, subscription,
// resource group, resource), compared on whole segments without case; and ARM's check that the
// scope of an extension resource (a role assignment, a permissions query) exists.
import type { SandboxResponse } from "../../../core/types.js";
import type { World } from "../../../core/world.js";
import { key, subscriptionIds } from "../../../core/world.js";
import { armError, resourceGroupNotFound, resourceNotFound, subscriptionNotFound } from "../../errors.js";

/** A scope as a canonical list of lower-cased segments (doubled slashes and a trailing slash ignored). */
function segmentsOf(scope: string): string[] {
  return scope
    .split("/")
    .filter((s) => s !== "")
    .map((s) => s.toLowerCase());
}

/** A scope in ARM's canonical form: one leading slash, single separators, no trailing slash; "/" for the root. */
export function normalizeScope(scope: string): string {
  const parts = scope.split("/").filter((s) => s !== "");
  return "/" + parts.join("/");
}

/** True when `assignmentScope` is `scope` or one of its parents, compared on whole segments. */
export function scopeCovers(assignmentScope: string, scope: string): boolean {
  const parent = segmentsOf(assignmentScope);
  const child = segmentsOf(scope);
  if (parent.length > child.length) return false;
  return parent.every((s, i) => s === child[i]);
}

/** The `{*scope}` of a route as an ARM ID: one leading slash, single separators (the
 *  permissions SDK call leaves an empty parentResourcePath, i.e. a doubled slash). */
export function scopeOf(raw: string | undefined): string {
  return normalizeScope(raw ?? "/");
}

/** ARM's check that an extension resource's scope exists: subscription, resource group, resource. */
export function checkScopeExists(world: World, scope: string): SandboxResponse | undefined {
  const p = scope.split("/").filter((s) => s !== "");
  if (p[0]?.toLowerCase() !== "subscriptions") return undefined;
  if (p.length === 1) return armError(400, "InvalidScope", `The scope '${scope}' is not valid.`);
  if (!subscriptionIds(world.state).some((s) => key(s) === key(p[1]))) return subscriptionNotFound(p[1]);
  if (p.length === 2) return undefined;
  if (p[2].toLowerCase() !== "resourcegroups" || p.length < 4) return undefined;
  const rgId = `/subscriptions/${p[1]}/resourceGroups/${p[3]}`;
  if (!world.state.resourceGroups[key(rgId)]) return resourceGroupNotFound(p[3]);
  if (p.length < 8 || p[4].toLowerCase() !== "providers") return undefined;
  const resourceId = "/" + p.slice(0, 8).join("/");
  const k = key(resourceId);
  // Keys are lower-cased IDs, so the MSI provider's "resourcegroups" spelling matches too.
  const known = world.state.resources[k] ?? world.state.clusters[k] ?? world.state.identities[k];
  if (known) return undefined;
  return resourceNotFound(`${p[5]}/${p[6]}`, p[7], p[3]);
}
