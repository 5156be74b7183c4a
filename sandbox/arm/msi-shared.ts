// What the Microsoft.ManagedIdentity routes share: api-versions, ARM-shaped errors, ID shapes,
// the identity lookup, and the per-identity write slot that makes concurrent federated-credential
// writes collide as they do on Azure.
import type { SandboxResponse, ServiceContext } from "../core/types.js";
import type { IdentityRecord, World } from "../core/world.js";
import { key } from "../core/world.js";

/** userAssignedIdentities: every version in azure-rest-api-specs (msi), ascending; @azure/arm-msi 2.2.0 sends 2024-11-30. */
export const IDENTITY_API_VERSIONS = [
  "2015-08-31-preview", "2018-11-30", "2021-09-30-preview", "2022-01-31-preview", "2023-01-31",
  "2023-07-31-preview", "2024-11-30", "2025-01-31-preview", "2025-05-31-preview", "2026-04-30", "2026-05-31",
] as const;

/** federatedIdentityCredentials exist from 2022-01-31-preview on. */
export const FIC_API_VERSIONS = IDENTITY_API_VERSIONS.filter((v) => v >= "2022-01-31-preview");

export const NS = "Microsoft.ManagedIdentity";
export const IDENTITY_TYPE = `${NS}/userAssignedIdentities`;
export const FIC_TYPE = `${IDENTITY_TYPE}/federatedIdentityCredentials`;

export const RG_PATH = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";
export const IDENTITY_PATH = `${RG_PATH}/providers/${IDENTITY_TYPE}/{resourceName}`;

export function msiError(status: number, code: string, message: string): SandboxResponse {
  return { status, body: { error: { code, message } } };
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** The MSI resource provider answers with "resourcegroups" in lower case in the IDs it returns. */
export function identityIdOf(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/${IDENTITY_TYPE}/${name}`;
}

/** The parent ID as ARM spells it in ParentResourceNotFound (ARM's own casing). */
export function armIdentityIdOf(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${IDENTITY_TYPE}/${name}`;
}

export function findIdentity(world: World, subscriptionId: string, resourceGroup: string, name: string): IdentityRecord | undefined {
  return world.state.identities[key(identityIdOf(subscriptionId, resourceGroup, name))];
}

/** The canonical resource group name (as created), falling back to the caller's spelling. */
export function resourceGroupName(world: World, subscriptionId: string, resourceGroup: string): string {
  const rg = world.state.resourceGroups[key(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`)];
  return rg?.name ?? resourceGroup;
}

/** ARM's answer when a child is written or read under a parent that does not exist (yet). */
export function parentResourceNotFound(op: "read" | "write" | "delete", subscriptionId: string, resourceGroup: string, identityName: string): SandboxResponse {
  return msiError(
    404,
    "ParentResourceNotFound",
    `Failed to perform '${op}' on resource(s) of type 'userAssignedIdentities/federatedIdentityCredentials', because the parent resource '${armIdentityIdOf(subscriptionId, resourceGroup, identityName)}' could not be found.`,
  );
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): SandboxResponse {
  return msiError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

// Identities with a federated-credential write in flight, per world (tests run several sandboxes
// in one process). A second write arriving while one is in flight gets Azure's 409.
const writesInFlight = new WeakMap<World, Set<string>>();

/** Claims the identity's write slot; undefined when another write holds it. */
export function claimWriteSlot(ctx: ServiceContext, identityKey: string): (() => void) | undefined {
  let set = writesInFlight.get(ctx.world);
  if (!set) writesInFlight.set(ctx.world, (set = new Set()));
  if (set.has(identityKey)) return undefined;
  set.add(identityKey);
  return () => set!.delete(identityKey);
}

export function isGuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
