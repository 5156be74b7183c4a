// What the Microsoft.Authorization routes share: the api-versions ARM accepts for each type,
// ARM-shaped errors, and the scope checks (an extension resource needs its scope to exist).
import type { SandboxResponse } from "../core/types.js";
import type { World } from "../core/world.js";
import { key } from "../core/world.js";
import { normalizeScope } from "./rbac.js";

/** roleAssignments: the versions ARM lists for the type (ascending); @azure/arm-authorization 9.0.0 sends 2022-04-01. */
export const ROLE_ASSIGNMENT_API_VERSIONS = [
  "2014-04-01-preview", "2014-07-01-preview", "2014-10-01-preview", "2015-05-01-preview", "2015-06-01", "2015-07-01",
  "2016-07-01", "2017-05-01", "2017-09-01", "2017-10-01-preview", "2018-01-01-preview", "2018-07-01",
  "2018-09-01-preview", "2018-12-01-preview", "2019-04-01-preview", "2020-03-01-preview", "2020-04-01-preview",
  "2020-08-01-preview", "2020-10-01-preview", "2021-04-01-preview", "2022-01-01-preview", "2022-04-01",
] as const;

/** roleDefinitions: ARM's list for the type; the SDK sends 2022-04-01. */
export const ROLE_DEFINITION_API_VERSIONS = [
  "2014-04-01-preview", "2014-07-01-preview", "2014-10-01-preview", "2015-05-01-preview", "2015-06-01", "2015-07-01",
  "2016-07-01", "2017-05-01", "2017-09-01", "2018-01-01-preview", "2018-07-01", "2022-04-01", "2022-05-01-preview",
] as const;

/** permissions: served alongside role definitions (same versions); the SDK sends 2022-04-01. */
export const PERMISSIONS_API_VERSIONS = ROLE_DEFINITION_API_VERSIONS;

/** DataActions exist in the authorization API from 2018-01-01-preview on. */
export const hasDataActions = (apiVersion: string) => apiVersion >= "2018-01-01-preview";

export const AUTHZ = "Microsoft.Authorization";

export function authzError(status: number, code: string, message: string): SandboxResponse {
  return { status, body: { error: { code, message } } };
}

/** Azure prints principal and role GUIDs in RBAC messages without their dashes. */
export const compactGuid = (g: string) => g.replace(/-/g, "").toLowerCase();

/** The `{*scope}` of a route as an ARM ID: one leading slash, single separators (the
 *  permissions SDK call leaves an empty parentResourcePath, i.e. a doubled slash). */
export function scopeOf(raw: string | undefined): string {
  return normalizeScope(raw ?? "/");
}

/** ARM's check that an extension resource's scope exists: subscription, resource group, resource. */
export function checkScopeExists(world: World, scope: string): SandboxResponse | undefined {
  const p = scope.split("/").filter((s) => s !== "");
  if (p[0]?.toLowerCase() !== "subscriptions") return undefined;
  if (p.length === 1) return authzError(400, "InvalidScope", `The scope '${scope}' is not valid.`);
  if (key(p[1]) !== key(world.state.subscriptionId)) return authzError(404, "SubscriptionNotFound", `The subscription '${p[1]}' could not be found.`);
  if (p.length === 2) return undefined;
  if (p[2].toLowerCase() !== "resourcegroups" || p.length < 4) return undefined;
  const rgId = `/subscriptions/${p[1]}/resourceGroups/${p[3]}`;
  if (!world.state.resourceGroups[key(rgId)]) return authzError(404, "ResourceGroupNotFound", `Resource group '${p[3]}' could not be found.`);
  if (p.length < 8 || p[4].toLowerCase() !== "providers") return undefined;
  const resourceId = "/" + p.slice(0, 8).join("/");
  const k = key(resourceId);
  // Keys are lower-cased IDs, so the MSI provider's "resourcegroups" spelling matches too.
  const known = world.state.resources[k] ?? world.state.clusters[k] ?? world.state.identities[k];
  if (known) return undefined;
  return authzError(
    404,
    "ResourceNotFound",
    `The Resource '${p[5]}/${p[6]}/${p[7]}' under resource group '${p[3]}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}
