// What to do when a cluster's Kubernetes API refuses or cannot be reached, for the clusters where
// the default advice is wrong. A 403: with Azure RBAC for Kubernetes authorization (aadProfile.enableAzureRBAC) AKS's webhook decides
// from Azure role assignments: the fix is an assignment of one of the four AKS RBAC roles at the
// cluster's scope or at {clusterId}/namespaces/{ns} (MicrosoftDocs/azure-aks-docs
// articles/aks/manage-azure-rbac.md; "RBAC Writer" may create service accounts and pods in a
// namespace, only "RBAC Cluster Admin" may create namespaces; new assignments can take up to five
// minutes). With local accounts disabled there is no admin credential, so --admin is never the fix.
// Unreachable: a private cluster's API server has only a private endpoint (its privatelink FQDN
// resolves inside its virtual network only) and an IP-restricted one drops other sources
// (apiServerAccessProfile.authorizedIPRanges; MicrosoftDocs/azure-aks-docs
// articles/aks/access-private-cluster.md, api-server-authorized-ip-ranges.md).
//
// Why aks-wi does not reach such clusters through the run-command API (`az aks command invoke`):
// each call is a pod AKS schedules on the cluster (seconds to a minute before it runs, and it
// needs a node with room), a plan and apply make dozens of Kubernetes calls, verify must exec
// into the test pod and read its token (run-command returns logs, no exec stream), and the
// feature can be turned off (apiServerAccessProfile.disableRunCommand). A kubeconfig from inside
// the network does all of it at API speed, so that is the option aks-wi offers.
import { UserError } from "./errors.js";
import type { AccessQuestion, ClusterInfo } from "./ports.js";

export type AzureRbacCluster = Pick<ClusterInfo, "id" | "name" | "resourceGroup" | "azureRbac" | "localAccountsDisabled">;
export type AdvisedCluster = AzureRbacCluster & Pick<ClusterInfo, "privateFqdn" | "authorizedIpRanges">;

/** The advice a cluster's Kubernetes errors get where the default is wrong (each from the error's message). */
export interface KubeAdvice {
  denied?: (message: string) => string;
  /** For a permission the plan's check found missing (a SelfSubjectAccessReview's "no"). */
  deniedNeed?: (q: AccessQuestion) => string;
  unreachable?: () => string;
}

const READ_VERBS = new Set(["get", "list", "watch"]);

/** The role and scope a kube-apiserver Forbidden message asks for, read from its standard wording:
 *  `… User "<oid>" cannot <verb> resource "<r>" in API group "<g>" in the namespace "<ns>"` or `… at the cluster scope`. */
export function azureRbacGrant(clusterId: string, message: string): { role: string; scope: string; assignee?: string } {
  const assignee = /User "([^"]+)"/.exec(message)?.[1];
  const namespace = /in the namespace "([^"]+)"/.exec(message)?.[1];
  const verb = /cannot (\w+) resource/.exec(message)?.[1] ?? "";
  return { ...azureRbacGrantFor(clusterId, { verb, namespace }), assignee };
}

/** The AKS RBAC role and scope that allow `verb` in a namespace, or on a cluster-scoped resource. */
export function azureRbacGrantFor(clusterId: string, q: { verb: string; namespace?: string }): { role: string; scope: string } {
  if (q.namespace) return { role: "Azure Kubernetes Service RBAC Writer", scope: `${clusterId}/namespaces/${q.namespace}` };
  // cluster-scoped: reads need a Reader on the cluster, anything else (a namespace's creation) its Cluster Admin
  const role = READ_VERBS.has(q.verb) ? "Azure Kubernetes Service RBAC Reader" : "Azure Kubernetes Service RBAC Cluster Admin";
  return { role, scope: clusterId };
}

const grantLine = (g: { role: string; scope: string; assignee?: string }) =>
  `grant "${g.role}" on ${g.scope} (az role assignment create --role "${g.role}" --assignee ${g.assignee ?? "<your object ID>"} --scope ${g.scope})`;

/** The advice for a 403 on an Azure-RBAC cluster: the role, its scope and the az command. */
export function azureRbacAdvice(cluster: Pick<ClusterInfo, "id">, message: string): string {
  return `the cluster authorizes Kubernetes requests by Azure role assignments (Azure RBAC): ${grantLine(azureRbacGrant(cluster.id, message))}; a new assignment can take up to 5 minutes to apply`;
}

/** Where the API server of a private or IP-restricted cluster can be reached from, and how. */
export function unreachableAdvice(cluster: AdvisedCluster): string | undefined {
  const where = `-g ${cluster.resourceGroup} -n ${cluster.name}`;
  if (cluster.privateFqdn) {
    return `cluster ${cluster.name} is a private cluster: its API server (${cluster.privateFqdn}) resolves and answers only inside its virtual network; run aks-wi from a machine there (a jump box, a peered network or VPN), or pass --kubeconfig with a kubeconfig that reaches it`;
  }
  if (cluster.authorizedIpRanges?.length) {
    return `cluster ${cluster.name}'s API server accepts only its authorized IP ranges (${cluster.authorizedIpRanges.join(", ")}): run aks-wi from an address in them, or add yours (az aks update ${where} --api-server-authorized-ip-ranges ${cluster.authorizedIpRanges.join(",")},<your IP>/32)`;
  }
  return undefined;
}

/** The advice for a cluster's Kubernetes errors, where the default ("use --admin or ask for a
 *  role binding", "check the network and the kubeconfig") is wrong. */
export function kubeAdviceFor(cluster: AdvisedCluster | undefined): KubeAdvice {
  if (!cluster) return {};
  const unreachable = unreachableAdvice(cluster);
  return {
    ...(cluster.azureRbac
      ? {
          denied: (message: string) => azureRbacAdvice(cluster, message),
          deniedNeed: (q: AccessQuestion) => `on this Azure RBAC cluster, ${grantLine(azureRbacGrantFor(cluster.id, q))}`,
        }
      : {}),
    ...(unreachable ? { unreachable: () => unreachable } : {}),
  };
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
