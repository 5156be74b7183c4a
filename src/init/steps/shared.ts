// Helpers the init steps share: the ARM IDs and Kubernetes paths their operations target, and
// the placeholder for values only known once an earlier operation has run.
import type { InitInputs } from "../step.js";

export const PENDING = "(known after apply)";

/** The last segment of an ARM ID (role definition GUID, resource name). */
export function lastSegment(id: string): string {
  const parts = id.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? id;
}

export function resourceGroupScope(subscription: string, resourceGroup: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}`;
}

/** The subscription the identity lives in: its own input, else the cluster's. */
export const identitySubscriptionOf = (i: Pick<InitInputs, "subscription" | "identitySubscription">): string => i.identitySubscription ?? i.subscription;

/** The identity's ARM ID, in its own subscription (--identity-subscription, default the cluster's). */
export function identityId(i: Pick<InitInputs, "subscription" | "identitySubscription" | "identityResourceGroup" | "identity">): string {
  return `${resourceGroupScope(identitySubscriptionOf(i), i.identityResourceGroup)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${i.identity}`;
}

/** The Kubernetes API path of a namespaced object, as the plan and its operations name it. */
export function kubePath(namespace: string, plural: string, name?: string): string {
  return `/api/v1/namespaces/${namespace}${plural === "namespaces" ? "" : `/${plural}`}${name ? `/${name}` : ""}`;
}
