// Contracts of `aks-wi init`: the inputs, the persisted state, the step interface, and the
// narrow Azure / Kubernetes operations the steps need (implemented in src/azure and src/kube,
// faked in unit tests). Steps never import an SDK or the prompt library.

export type StepName = "cluster" | "issuer" | "identity" | "serviceAccount" | "federatedCredential" | "roleAssignment" | "testPod";

export interface RoleRequest {
  /** Role name ("Key Vault Secrets User") or role definition GUID. */
  role: string;
  /** Full ARM resource ID of the scope. */
  scope: string;
}

/** Fully resolved inputs (after flag → env → state → prompt → default). */
export interface InitInputs {
  subscription: string;
  resourceGroup: string;
  cluster: string;
  identity: string;
  identityResourceGroup: string;
  /** Defaults to the cluster's location. */
  identityLocation?: string;
  namespace: string;
  serviceAccount: string;
  federatedCredential: string;
  roles: RoleRequest[];
  testPod: boolean;
  testPodName: string;
  overwrite: boolean;
  allowBroadScope: boolean;
}

export interface IdentityOut {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  clientId: string;
  principalId: string;
  tenantId: string;
}

export interface FederatedCredentialOut {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface RoleAssignmentOut {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  roleName: string;
  principalId: string;
}

/** What the steps learned or made; flows from one step to the next and into `verify`. Never a token or secret. */
export interface InitOutputs {
  clusterId?: string;
  clusterLocation?: string;
  /** The cluster's tenant (the subscription's). */
  tenantId?: string;
  oidcIssuerEnabled?: boolean;
  workloadIdentityEnabled?: boolean;
  /** Verbatim oidcIssuerProfile.issuerURL, trailing slash and all. */
  issuerUrl?: string;
  identity?: IdentityOut;
  serviceAccount?: { namespace: string; name: string; uid?: string };
  federatedCredential?: FederatedCredentialOut;
  roleAssignments?: RoleAssignmentOut[];
  testPod?: { namespace: string; name: string; uid?: string; phase?: string };
}

export type StepStatus = "pending" | "done" | "failed";

/** The state file (.aks-wi/<cluster>/state.json): written atomically after every step, mode 0600. */
export interface InitState {
  version: 1;
  /** Cloud profile name the state belongs to ("AzureCloud" | "sandbox"). */
  cloud: string;
  inputs: Partial<InitInputs>;
  steps: Partial<Record<StepName, { status: StepStatus; at: string; change?: Change; message?: string }>>;
  outputs: InitOutputs;
  updatedAt: string;
}

/** "read": the step changes nothing in Azure or the cluster, but has something to read (and record)
 *  that only exists after an earlier step applies. */
export type Change = "none" | "read" | "create" | "update";

export interface StepPlan {
  step: StepName;
  change: Change;
  /** One line for the plan table, e.g. "create identity id-app in rg-app (eastus)". */
  summary: string;
  /** Values shown under the line (name → value). */
  details?: Record<string, string>;
  /** Private data the step's apply needs from its plan. */
  data?: unknown;
}

/** The prompt/spinner/log facade: steps talk to the user only through this. */
export interface Ui {
  interactive: boolean;
  info(line: string): void;
  warn(line: string): void;
  /** Yes/no question; in non-interactive mode returns `nonInteractiveAnswer` (default false). */
  confirm(message: string, opts?: { default?: boolean; nonInteractiveAnswer?: boolean }): Promise<boolean>;
  /** Runs `work` under a spinner that shows the elapsed time; `update` changes the text. */
  spin<T>(text: string, work: (update: (text: string) => void) => Promise<T>): Promise<T>;
}

export interface StepContext {
  inputs: InitInputs;
  state: InitState;
  azure: AzureOps;
  /** Kubernetes access; connects lazily (needs the cluster credential from ARM). */
  kube(): Promise<KubeOps>;
  ui: Ui;
  /** Persist state now (atomic). The runner also saves after every step. */
  save(): Promise<void>;
}

export interface Step {
  name: StepName;
  title: string;
  /** Read-only: what exists and what would change. Must make no writes. */
  plan(ctx: StepContext): Promise<StepPlan>;
  /** Makes the change described by the plan; records outputs in ctx.state.outputs. Idempotent. */
  apply(ctx: StepContext, plan: StepPlan): Promise<void>;
}

// ---- Azure operations (src/azure/ops.ts implements them over the real SDKs) ----

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
}

export interface FederatedCredentialInfo extends FederatedCredentialOut {}

export interface RoleDefinitionInfo {
  id: string;
  name: string;
  roleName: string;
}

export interface RoleAssignmentInfo {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
}

export interface AzureOps {
  listSubscriptions(): Promise<{ id: string; name: string; tenantId: string }[]>;
  listResourceGroups(subscription: string): Promise<{ name: string; location: string }[]>;
  listClusters(subscription: string, resourceGroup?: string): Promise<ClusterInfo[]>;
  getCluster(subscription: string, resourceGroup: string, name: string): Promise<ClusterInfo | undefined>;
  /** Enables OIDC issuer + workload identity in one update; waits (polling the LRO). Waits for a busy
   *  cluster's running operation first instead of failing. `onProgress` gets status text. */
  enableWorkloadIdentity(subscription: string, resourceGroup: string, name: string, onProgress?: (s: string) => void): Promise<ClusterInfo>;
  listIdentities(subscription: string, resourceGroup?: string): Promise<IdentityOut[]>;
  getIdentity(subscription: string, resourceGroup: string, name: string): Promise<IdentityOut | undefined>;
  createIdentity(subscription: string, resourceGroup: string, name: string, location: string): Promise<IdentityOut>;
  listFederatedCredentials(subscription: string, resourceGroup: string, identity: string): Promise<FederatedCredentialInfo[]>;
  /** Creates or updates; retries ParentResourceNotFound right after identity creation. */
  putFederatedCredential(subscription: string, resourceGroup: string, identity: string, fc: { name: string; issuer: string; subject: string; audiences: string[] }): Promise<FederatedCredentialInfo>;
  /** Resolves a role name or GUID to its definition at a scope. */
  resolveRole(scope: string, role: string): Promise<RoleDefinitionInfo | undefined>;
  listRoleAssignments(scope: string, principalId: string): Promise<RoleAssignmentInfo[]>;
  /** Creates with principalType ServicePrincipal; RoleAssignmentExists counts as done; retries PrincipalNotFound. */
  createRoleAssignment(scope: string, name: string, roleDefinitionId: string, principalId: string): Promise<RoleAssignmentInfo>;
  /** Kubeconfig YAML from listClusterUserCredential / listClusterAdminCredential. */
  getClusterKubeconfig(subscription: string, resourceGroup: string, name: string, admin: boolean): Promise<string>;
}

// ---- Kubernetes operations (src/kube/ops.ts implements them over @kubernetes/client-node) ----

export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  creationTimestamp?: string;
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
  /** Per container (and init container): its env var names and values as declared in the spec. */
  containers: { name: string; init: boolean; env: Record<string, string> }[];
  volumes: unknown[];
}

export interface KubeOps {
  listNamespaces(): Promise<string[]>;
  namespaceExists(name: string): Promise<boolean>;
  createNamespace(name: string): Promise<void>;
  listServiceAccounts(namespace: string): Promise<ServiceAccountInfo[]>;
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccountInfo | undefined>;
  createServiceAccount(namespace: string, name: string, annotations: Record<string, string>): Promise<ServiceAccountInfo>;
  /** JSON merge-patch of metadata.annotations only; other metadata untouched. */
  mergeAnnotations(namespace: string, name: string, annotations: Record<string, string | null>): Promise<ServiceAccountInfo>;
  getPod(namespace: string, name: string): Promise<PodInfo | undefined>;
  createPod(manifest: Record<string, unknown>): Promise<PodInfo>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** Polls until Running or the timeout (ms) passes; returns the last seen pod. */
  waitForPodRunning(namespace: string, name: string, timeoutMs: number): Promise<PodInfo | undefined>;
}
