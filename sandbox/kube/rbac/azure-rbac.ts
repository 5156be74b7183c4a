// Kubernetes authorization from Azure role assignments, as AKS's Azure RBAC webhook authorizer
// does on clusters with aadProfile.enableAzureRBAC: a request is the data action
// Microsoft.ContainerService/managedClusters/[GROUP/]RESOURCE[/SUB]/(read|write|delete|action),
// granted by an assignment at the cluster's scope or above it (resource group, subscription) or,
// for a namespaced request, at {clusterId}/namespaces/{ns}. Owner and Contributor have no
// dataActions, so they alone give no Kubernetes access (MicrosoftDocs/azure-aks-docs
// articles/aks/manage-azure-rbac.md: "the four built-in roles" Reader/Writer/Admin/Cluster Admin).
// Reasons as AKS words them (seen in `kubectl auth can-i --list` and Forbidden output on such
// clusters): "Access allowed by Azure RBAC Role Assignment <name> of Role <guid> to user <oid>",
// and on denial "User does not have access to the resource in Azure. Update role assignment to
// allow access." — the GUIDs without hyphens.
import type { ClusterRecord, World } from "../../core/world.js";
import { applicableAssignments, grants, permissionsOf } from "../../arm/providers/authorization/rbac.js";
import { roleGuidOf } from "../../arm/providers/authorization/built-in-roles.js";
import type { Attributes, Decision, KubeUser } from "./authorizer.js";

export const AZURE_RBAC_DENIAL = "User does not have access to the resource in Azure. Update role assignment to allow access.";

const MC = "Microsoft.ContainerService/managedClusters";
/** Subresources that are actions rather than reads or writes of an object. */
const ACTION_SUBRESOURCES = new Set(["exec", "attach", "portforward", "proxy"]);

export const hasAzureRbac = (c: ClusterRecord): boolean => c.body?.properties?.aadProfile?.enableAzureRBAC === true;

/** The data action a Kubernetes request is checked as. */
export function dataActionOf(a: Attributes): string {
  const path = [a.apiGroup, a.resource, a.subresource].filter(Boolean).join("/");
  if (ACTION_SUBRESOURCES.has(a.subresource)) return `${MC}/${path}/action`;
  const op = ["get", "list", "watch"].includes(a.verb)
    ? "read"
    : ["create", "update", "patch"].includes(a.verb)
      ? "write"
      : ["delete", "deletecollection"].includes(a.verb)
        ? "delete"
        : "action";
  return `${MC}/${path}/${op}`;
}

const bare = (guid: string) => guid.replace(/-/g, "");

/** The Azure RBAC decision for an Entra user (its name is its object ID) on `world.cluster()`.
 *  An assignment counts once it has propagated (its propagatesAt; none in `instant`). */
export function azureRbacDecision(world: World, user: KubeUser, a: Attributes, now: number): Decision {
  if (!a.resourceRequest) return { allowed: false, reason: AZURE_RBAC_DENIAL };
  const cluster = world.cluster();
  const scope = a.namespace ? `${cluster.id}/namespaces/${a.namespace}` : cluster.id;
  const action = dataActionOf(a);
  for (const assignment of applicableAssignments(world, user.name, scope)) {
    if ((assignment.propagatesAt ?? 0) > now) continue;
    if (permissionsOf(assignment).some((p) => grants(p.dataActions, p.notDataActions, action))) {
      const role = roleGuidOf(assignment.roleDefinitionId) ?? "";
      return { allowed: true, reason: `Access allowed by Azure RBAC Role Assignment ${bare(assignment.name)} of Role ${bare(role)} to user ${user.name}` };
    }
  }
  return { allowed: false, reason: AZURE_RBAC_DENIAL };
}
