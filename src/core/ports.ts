// The narrow Azure and Kubernetes operations the product needs, and the records they return:
// src/azure/ops.ts and src/kube/ops.ts implement them over the SDKs, init's steps and verify's
// gatherers use them, unit tests fake them. Nothing here imports an SDK.

/** A role to assign, as the user names it. */
export interface RoleRequest {
  /** Role name ("Key Vault Secrets User") or role definition GUID. */
  role: string;
  /** Full ARM resource ID of the scope. */
  scope: string;
}

// ---- Azure records and operations ----

export interface ClusterInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  provisioningState: string;
  oidcIssuerEnabled: boolean;
  issuerUrl?: string;
  workloadIdentityEnabled: boolean;
  /** True when the cluster uses Entra ID (AAD) integration for Kubernetes auth. */
  aadEnabled: boolean;
  /** aadProfile.enableAzureRBAC: Kubernetes requests are authorized by Azure role assignments
   *  (the AKS RBAC roles), not by Kubernetes role bindings alone. */
  azureRbac?: boolean;
  /** disableLocalAccounts: no static (admin) credential; only Entra ID sign-in reaches the API. */
  localAccountsDisabled?: boolean;
  /** apiServerAccessProfile.enablePrivateCluster: the API server's private FQDN (privateFQDN),
   *  which resolves only inside the cluster's virtual network. */
  privateFqdn?: string;
  /** apiServerAccessProfile.authorizedIPRanges: the only sources the API server accepts. */
  authorizedIpRanges?: string[];
  /** The tenant of the cluster's own identity (identity.tenantId), when ARM reports it. */
  tenantId?: string;
  /** ARM's eTag of what was read: the update's If-Match precondition. */
  etag?: string;
  /** powerState.code: "Running" or "Stopped" (az aks stop keeps provisioningState Succeeded). */
  powerState?: string;
  /** currentKubernetesVersion (else kubernetesVersion), e.g. "1.32.7". */
  kubernetesVersion?: string;
  /** The resource exactly as ARM returned it, for a read-modify-write that drops nothing (opaque here). */
  raw?: unknown;
}

/** One entry of the caller's effective ARM permissions at a scope (one per applicable role assignment). */
export interface ArmPermission {
  actions: string[];
  notActions: string[];
}

/** A `kubectl auth can-i` question. */
export interface AccessQuestion {
  verb: string;
  /** Plural resource, with its group after a dot when not core ("deployments.apps"). */
  resource: string;
  /** Omitted for cluster-scoped resources. */
  namespace?: string;
}

export interface ClusterUpdateHooks {
  /** ARM accepted the PUT: the If-Match precondition held. */
  onAccepted?: () => void;
  onProgress?: (status: string) => void;
}

export interface IdentityInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  clientId: string;
  principalId: string;
  tenantId: string;
  /** The identity's tags as ARM returns them (aks-wi's own carry MANAGED_BY_TAG). */
  tags?: Record<string, string>;
}

export interface FederatedCredentialInfo {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface RoleDefinitionInfo {
  id: string;
  name: string;
  roleName: string;
}

/** A role definition as the wizard's pick-list shows it: what it grants, so the scope list can
 *  offer the resources it fits (src/init/ask-roles.ts). */
export interface RoleDefinitionListing extends RoleDefinitionInfo {
  description?: string;
  /** "BuiltInRole" or "CustomRole". */
  roleType?: string;
  /** Control-plane and data-plane actions of all its permissions (not the notActions). */
  actions: string[];
  dataActions: string[];
}

/** A tracked resource from ARM's generic resource list. */
export interface ResourceInfo {
  id: string;
  name: string;
  /** "Microsoft.KeyVault/vaults". */
  type: string;
  resourceGroup: string;
  location: string;
}

export interface RoleAssignmentInfo {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  /** What the assignment says about itself; aks-wi's own carry roleAssignmentDescription(). */
  description?: string;
}

/** A role assignment together with its role's display name (what init records and prints). */
export interface RoleAssignmentOut extends RoleAssignmentInfo {
  roleName: string;
}

export interface AzureOps {
  listSubscriptions(): Promise<{ id: string; name: string; tenantId: string }[]>;
  listResourceGroups(subscription: string): Promise<{ name: string; location: string }[]>;
  listClusters(subscription: string, resourceGroup?: string): Promise<ClusterInfo[]>;
  getCluster(subscription: string, resourceGroup: string, name: string): Promise<ClusterInfo | undefined>;
  /** Enables OIDC issuer + workload identity in one update of the cluster as `observed` (a PUT of its
   *  raw body with If-Match on its eTag; a cluster changed since then is a ChangedSincePlanError),
   *  and waits for the operation. A cluster `observed` busy with another operation is waited for
   *  first (and then read again: its eTag changes when that operation ends). */
  enableWorkloadIdentity(observed: ClusterInfo, hooks?: ClusterUpdateHooks): Promise<ClusterInfo>;
  /** The signed-in caller's effective permissions at an ARM scope (404 for a scope that does not exist). */
  callerPermissions(scope: string): Promise<ArmPermission[]>;
  listIdentities(subscription: string, resourceGroup?: string): Promise<IdentityInfo[]>;
  getIdentity(subscription: string, resourceGroup: string, name: string): Promise<IdentityInfo | undefined>;
  createIdentity(subscription: string, resourceGroup: string, name: string, location: string, tags?: Record<string, string>): Promise<IdentityInfo>;
  listFederatedCredentials(subscription: string, resourceGroup: string, identity: string): Promise<FederatedCredentialInfo[]>;
  /** Creates or updates; retries ParentResourceNotFound right after identity creation. */
  putFederatedCredential(
    subscription: string,
    resourceGroup: string,
    identity: string,
    fc: { name: string; issuer: string; subject: string; audiences: string[] },
  ): Promise<FederatedCredentialInfo>;
  /** Resolves a role name or GUID to its definition at a scope. */
  resolveRole(scope: string, role: string): Promise<RoleDefinitionInfo | undefined>;
  listRoleAssignments(scope: string, principalId: string): Promise<RoleAssignmentInfo[]>;
  /** Every role definition assignable at a scope (the wizard's role pick-list); absent in fakes that need none. */
  listRoleDefinitions?(scope: string): Promise<RoleDefinitionListing[]>;
  /** The subscription's resources of one type (`$filter=resourceType eq '…'`; the wizard's scope pick-list). */
  listResources?(subscription: string, resourceType: string): Promise<ResourceInfo[]>;
  /** The Kubernetes minor versions AKS supports in a region, not in preview ("1.32"); absent where a cloud cannot say. */
  listKubernetesVersions?(subscription: string, location: string): Promise<string[]>;
  /** Creates with principalType ServicePrincipal; RoleAssignmentExists counts as done; retries PrincipalNotFound. */
  createRoleAssignment(scope: string, name: string, roleDefinitionId: string, principalId: string, description?: string): Promise<RoleAssignmentInfo>;
  /** Kubeconfig YAML from listClusterUserCredential / listClusterAdminCredential. */
  getClusterKubeconfig(subscription: string, resourceGroup: string, name: string, admin: boolean): Promise<string>;
  /** Deletes a role assignment by its full ID; one already gone counts as done. */
  deleteRoleAssignment(id: string): Promise<void>;
  /** Deletes a federated credential; one already gone counts as done. */
  deleteFederatedCredential(subscription: string, resourceGroup: string, identity: string, name: string): Promise<void>;
  /** Deletes a user-assigned identity; one already gone counts as done. */
  deleteIdentity(subscription: string, resourceGroup: string, name: string): Promise<void>;
}

// ---- Kubernetes records and operations ----

export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  creationTimestamp?: string;
  /** The object's version as read: a patch carrying it fails if the object changed since. */
  resourceVersion?: string;
}

export interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  phase: string;
  serviceAccountName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creationTimestamp?: string;
  /** Being deleted (deletionTimestamp set): a pod of an old rollout that has not terminated yet. */
  deleting?: boolean;
  /** Per container (and init container): its env var names and values as declared in the spec. */
  containers: { name: string; init: boolean; env: Record<string, string> }[];
  volumes: unknown[];
  /** status.conditions that are not True (why it is not scheduled, initialized or ready). */
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  /** Containers waiting to start, with the kubelet's reason (ImagePullBackOff, CreateContainerConfigError…). */
  waiting?: { container: string; reason: string; message?: string }[];
}

export interface KubeOps {
  listNamespaces(): Promise<string[]>;
  namespaceExists(name: string): Promise<boolean>;
  createNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  listServiceAccounts(namespace: string): Promise<ServiceAccountInfo[]>;
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccountInfo | undefined>;
  createServiceAccount(namespace: string, name: string, annotations: Record<string, string>, labels?: Record<string, string>): Promise<ServiceAccountInfo>;
  /** JSON merge-patch of metadata.annotations only; other metadata untouched. With `resourceVersion`
   *  the patch carries it, so a service account changed since it was read is a ChangedSincePlanError. */
  mergeAnnotations(namespace: string, name: string, annotations: Record<string, string | null>, resourceVersion?: string): Promise<ServiceAccountInfo>;
  /** SelfSubjectAccessReview: may the current credential make this request? */
  canI(q: AccessQuestion): Promise<boolean>;
  /** What grants a permission `canI` said is missing, where the cluster has its own answer (Azure RBAC). */
  deniedAdvice?(q: AccessQuestion): string | undefined;
  getPod(namespace: string, name: string): Promise<PodInfo | undefined>;
  createPod(manifest: Record<string, unknown>): Promise<PodInfo>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** Polls until Running or the timeout (ms) passes; returns the last seen pod. */
  waitForPodRunning(namespace: string, name: string, timeoutMs: number): Promise<PodInfo | undefined>;
  // What `aks-wi delete` needs to know before it removes a service account or namespace, and the removals.
  /** The namespace with its labels; undefined when it does not exist. */
  getNamespace(name: string): Promise<NamespaceInfo | undefined>;
  /** Every pod of a namespace, or those a label selector (as `kubectl get -l` takes it) selects. */
  listPods(namespace: string, labelSelector?: string): Promise<PodInfo[]>;
  /** What a namespace holds, as "kind/name", over the kinds workloads are made of (NAMESPACE_CONTENT_KINDS);
   *  a kind the cluster does not serve is left out, one the caller may not list is "kind/* (not allowed to list)". */
  listNamespaceObjects(namespace: string): Promise<string[]>;
  /** Deletes a service account; one already gone counts as done. */
  deleteServiceAccount(namespace: string, name: string): Promise<void>;
  /** Deletes a namespace (Kubernetes then deletes everything in it); one already gone or terminating counts as done. */
  deleteNamespace(name: string): Promise<void>;
  /** A Deployment, StatefulSet, DaemonSet or CronJob with what wiring it needs to know; undefined when absent. */
  getWorkload(namespace: string, kind: WorkloadKind, name: string): Promise<WorkloadInfo | undefined>;
  /** A strategic-merge patch of the workload's pod template only (spec.template, or a CronJob's
   *  spec.jobTemplate.spec.template): the labels, annotations and serviceAccountName given, nothing else. */
  patchWorkloadTemplate(namespace: string, kind: WorkloadKind, name: string, patch: PodTemplatePatch): Promise<WorkloadInfo>;
  /** Polls as `kubectl rollout status` does until the rollout is complete or the timeout (ms) passes. */
  waitForRollout(namespace: string, kind: WorkloadKind, name: string, timeoutMs: number, onProgress?: (message: string) => void): Promise<RolloutStatus>;
}

/** The kinds of workload whose pod template aks-wi wires. */
export type WorkloadKind = "deployment" | "statefulset" | "daemonset" | "cronjob";

export interface WorkloadInfo {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  uid: string;
  /** The pod template's serviceAccountName ("default" when unset, as the API server defaults the pods). */
  serviceAccountName: string;
  templateLabels: Record<string, string>;
  templateAnnotations: Record<string, string>;
  /** spec.selector as a label selector string ("" for a CronJob, whose pods belong to its Jobs). */
  selector: string;
  /** A paused Deployment, or a suspended CronJob. */
  paused?: boolean;
  /** spec.updateStrategy.type of a StatefulSet or DaemonSet (OnDelete replaces no pod by itself). */
  updateStrategy?: string;
}

/** What is patched into a pod template: the keys given are set, all others stay. */
export interface PodTemplatePatch {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  serviceAccountName?: string;
}

export interface RolloutStatus {
  done: boolean;
  /** The rollout cannot finish as it stands (progress deadline exceeded, OnDelete strategy). */
  failed?: boolean;
  /** kubectl rollout status's last line, e.g. "Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...". */
  message: string;
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

/** The namespaced kinds `listNamespaceObjects` looks at: enough to tell that a namespace holds a workload or its data. */
export const NAMESPACE_CONTENT_KINDS = [
  "pods",
  "serviceaccounts",
  "services",
  "configmaps",
  "secrets",
  "persistentvolumeclaims",
  "deployments",
  "statefulsets",
  "daemonsets",
  "replicasets",
  "jobs",
  "cronjobs",
] as const;
