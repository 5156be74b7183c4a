// What to do about a Kubernetes 403, for clusters where the grant is not a Kubernetes binding.
// With Azure RBAC for Kubernetes authorization (aadProfile.enableAzureRBAC) AKS's webhook decides
// from Azure role assignments: the fix is an assignment of one of the four AKS RBAC roles at the
// cluster's scope or at {clusterId}/namespaces/{ns} (MicrosoftDocs/azure-aks-docs
// articles/aks/manage-azure-rbac.md; "RBAC Writer" may create service accounts and pods in a
// namespace, only "RBAC Cluster Admin" may create namespaces; new assignments can take up to five
// minutes). With local accounts disabled there is no admin credential, so --admin is never the fix.
import { UserError } from "./errors.js";
import type { ClusterInfo } from "./ports.js";

export type AzureRbacCluster = Pick<ClusterInfo, "id" | "name" | "resourceGroup" | "azureRbac" | "localAccountsDisabled">;

const READ_VERBS = new Set(["get", "list", "watch"]);

/** The role and scope a kube-apiserver Forbidden message asks for, read from its standard wording:
 *  `… User "<oid>" cannot <verb> resource "<r>" in API group "<g>" in the namespace "<ns>"` or `… at the cluster scope`. */
export function azureRbacGrant(clusterId: string, message: string): { role: string; scope: string; assignee?: string } {
  const assignee = /User "([^"]+)"/.exec(message)?.[1];
  const namespace = /in the namespace "([^"]+)"/.exec(message)?.[1];
  const verb = /cannot (\w+) resource/.exec(message)?.[1] ?? "";
  if (namespace) return { role: "Azure Kubernetes Service RBAC Writer", scope: `${clusterId}/namespaces/${namespace}`, assignee };
  // cluster-scoped: reads need a Reader on the cluster, anything else (a namespace's creation) its Cluster Admin
  const role = READ_VERBS.has(verb) ? "Azure Kubernetes Service RBAC Reader" : "Azure Kubernetes Service RBAC Cluster Admin";
  return { role, scope: clusterId, assignee };
}

/** The advice for a 403 on an Azure-RBAC cluster: the role, its scope and the az command. */
export function azureRbacAdvice(cluster: Pick<ClusterInfo, "id">, message: string): string {
  const g = azureRbacGrant(cluster.id, message);
  const cmd = `az role assignment create --role "${g.role}" --assignee ${g.assignee ?? "<your object ID>"} --scope ${g.scope}`;
  return `the cluster authorizes Kubernetes requests by Azure role assignments (Azure RBAC): grant "${g.role}" on ${g.scope} (${cmd}); a new assignment can take up to 5 minutes to apply`;
}

/** The 403 advice for a cluster, when its grant is not the default's ("use --admin or ask for a role binding"). */
export function deniedAdviceFor(cluster: AzureRbacCluster | undefined): ((message: string) => string) | undefined {
  if (!cluster?.azureRbac) return undefined;
  return (message) => azureRbacAdvice(cluster, message);
}

/** --admin asks for the static admin credential, which a cluster with local accounts disabled does
 *  not have (listClusterAdminCredential answers 400): one clean line with what to do instead. */
export function refuseAdmin(cluster: AzureRbacCluster, admin: boolean | undefined): void {
  if (!admin || !cluster.localAccountsDisabled) return;
  const how = cluster.azureRbac
    ? `grant yourself "Azure Kubernetes Service RBAC Writer" on ${cluster.id}/namespaces/<namespace> if you lack access`
    : "ask for a Kubernetes role binding for your Entra ID account if you lack access";
  throw new UserError(
    `cluster ${cluster.name} has local accounts disabled, so it has no admin credential for --admin`,
    `drop --admin: aks-wi signs in to it with your Entra ID account; ${how}`,
  );
}

/** What to check when a read the cluster refused was not essential (verify's webhook inspection):
 *  on Azure RBAC the role on the cluster (the webhook lives in kube-system, a read at the cluster's
 *  scope), never --admin where local accounts are off; else `fallback`. */
export function credentialFix(cluster: AzureRbacCluster, fallback: string): string {
  if (cluster.azureRbac)
    return `grant "Azure Kubernetes Service RBAC Reader" on ${cluster.id} to read it (az role assignment create --role "Azure Kubernetes Service RBAC Reader" --assignee <you> --scope ${cluster.id})`;
  if (cluster.localAccountsDisabled) return "check the Kubernetes credential (--kubeconfig): local accounts are disabled, so --admin cannot work";
  return fallback;
}
