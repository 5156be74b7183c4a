// The sandbox's whole world: Azure resources, Entra principals and the cluster's Kubernetes
// objects, kept in memory and persisted atomically to DIR/state.json after every change.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";

/** ARM resource IDs are case-insensitive: every map below is keyed by the lower-cased ID. */
export const key = (id: string) => id.toLowerCase();

export interface ResourceGroupRecord {
  id: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

/** A generic seeded resource (Key Vault, storage account): returned verbatim by GET. */
export interface GenericResourceRecord {
  id: string;
  name: string;
  type: string;
  location: string;
  properties: Record<string, unknown>;
  tags?: Record<string, string>;
}

/** A managed cluster: `body` is the ARM representation (as GET returns it). */
export interface ClusterRecord {
  id: string;
  body: Record<string, any>;
  /** Running long-running operation, if any. */
  operation?: { id: string; startedAt: number; doneAt: number; status: "InProgress" | "Succeeded" | "Failed"; pending: Record<string, any> };
  /** Finished operations by id, so Azure-AsyncOperation URLs keep answering. */
  operations: Record<string, { status: string; startTime: string; endTime?: string }>;
  /** Epoch ms when workload identity / OIDC issuer were turned on (the webhook mutates only after). */
  workloadIdentityEnabledAt?: number;
  /** The state a seeded variant was made in (stopped, failed, unsupported-version); absent: the default cluster. */
  variant?: string;
  oidcIssuerEnabledAt?: number;
  /** The objects of a cluster with a Kubernetes API of its own (kube/cluster-apis.ts: its own
   *  listener, store and service-account key); absent: the cluster shares the default API's. */
  kube?: KubeState;
}

export interface IdentityRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags?: Record<string, string>;
  clientId: string;
  principalId: string;
  tenantId: string;
  createdAt: number;
}

export interface FederatedCredentialRecord {
  id: string;
  name: string;
  /** Lower-cased ID of the parent identity. */
  identityKey: string;
  issuer: string;
  subject: string;
  audiences: string[];
  createdAt: number;
  updatedAt: number;
}

export interface RoleAssignmentRecord {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  createdAt: number;
  /** When a new assignment shows in its principal's permissions (Azure's propagation); absent: at once. */
  propagatesAt?: number;
  description?: string;
}

/** An Entra service principal: the operator, the one behind each managed identity, or one made by
 *  `aks-wi sandbox principal create` (with exactly the role assignments asked for). */
export interface PrincipalRecord {
  clientId: string;
  principalId: string;
  displayName: string;
  kind: "operator" | "managedIdentity" | "servicePrincipal";
  /** SHA-256 hex of the client secret (operator and made principals). The secret itself is only in
   *  DIR/sandbox.json or DIR/principals/NAME.json (0600). */
  secretSha256?: string;
  createdAt: number;
}

/** A Kubernetes user of a static bearer token, bound in some namespaces to a default ClusterRole
 *  (kube/rbac), as a RoleBinding to that ClusterRole would bind it. */
export interface KubeUserRecord {
  name: string;
  /** SHA-256 hex of the bearer token; the token itself is only in the user's kubeconfig (0600). */
  tokenSha256: string;
  bindings: { namespace: string; clusterRole: string }[];
  createdAt: number;
}

/** A resource provider's or a preview feature's registration in a subscription, once someone
 *  asked for a change (until then each has its default): "Registering" / "Unregistering" until
 *  doneAt, then "Registered" / "Unregistered". */
export interface RegistrationRecord {
  state: "Registering" | "Unregistering";
  doneAt: number;
}

/** A subscription beyond the world's main one (WorldState.subscriptionId), in the same tenant:
 *  the resource providers it has not registered start "NotRegistered" there. */
export interface SubscriptionRecord {
  subscriptionId: string;
  displayName: string;
  /** Namespaces (e.g. Microsoft.ManagedIdentity) not registered until someone registers them. */
  unregisteredProviders: string[];
}

/** An Azure Policy assignment of one of the sandbox's policy definitions (arm/providers/policy). */
export interface PolicyAssignmentRecord {
  id: string;
  name: string;
  displayName: string;
  /** The scope it applies at and below (a resource group's ID). */
  scope: string;
  policyDefinitionId: string;
  parameters: Record<string, { value: unknown }>;
  createdAt: number;
}

export interface KubeState {
  /** Monotonic counter for metadata.resourceVersion. */
  resourceVersion: number;
  /** Objects by kind (lower-case plural, e.g. "namespaces", "serviceaccounts", "pods", "events")
   *  then by "namespace/name" ("name" for cluster-scoped). */
  objects: Record<string, Record<string, any>>;
  /** Users beyond the local accounts (which are cluster administrators), by name. */
  users?: Record<string, KubeUserRecord>;
}

export interface WorldState {
  version: 1;
  tenantId: string;
  subscriptionId: string;
  subscriptionName: string;
  /** A second tenant, so tests can present a foreign-tenant token. */
  foreignTenantId: string;
  location: string;
  resourceGroups: Record<string, ResourceGroupRecord>;
  resources: Record<string, GenericResourceRecord>;
  clusters: Record<string, ClusterRecord>;
  identities: Record<string, IdentityRecord>;
  federatedCredentials: Record<string, FederatedCredentialRecord>;
  roleAssignments: Record<string, RoleAssignmentRecord>;
  /** Keyed by lower-cased clientId (appId). ARM adds one per managed identity it creates. */
  principals: Record<string, PrincipalRecord>;
  /** By lower-cased provider ID (/subscriptions/S/providers/NS) or feature ID; absent in worlds
   *  saved before providers and features could be registered. */
  registrations?: Record<string, RegistrationRecord>;
  /** Subscriptions beyond the main one, by lower-cased ID; absent in older worlds. */
  subscriptions?: Record<string, SubscriptionRecord>;
  /** By lower-cased assignment ID; absent in older worlds. */
  policyAssignments?: Record<string, PolicyAssignmentRecord>;
  kube: KubeState;
}

/** The world's subscription IDs: the main one first, then the others. */
export function subscriptionIds(state: WorldState): string[] {
  return [state.subscriptionId, ...Object.values(state.subscriptions ?? {}).map((s) => s.subscriptionId)];
}

export class World {
  constructor(
    public state: WorldState,
    private readonly file: string,
  ) {}

  /** Loads DIR/state.json, or returns undefined when there is none yet (the core seeds then). */
  static load(dir: string): World | undefined {
    const file = join(dir, "state.json");
    if (!existsSync(file)) return undefined;
    return new World(JSON.parse(readFileSync(file, "utf8")) as WorldState, file);
  }

  static create(dir: string, state: WorldState): World {
    const w = new World(state, join(dir, "state.json"));
    w.save();
    return w;
  }

  /** Atomic write: temp file in the same directory, then rename. Synchronous on purpose: the
   *  sandbox is single-threaded and a request must not answer before its change is durable. */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  nextResourceVersion(): string {
    this.state.kube.resourceVersion += 1;
    return String(this.state.kube.resourceVersion);
  }

  kubeObjects(kind: string): Record<string, any> {
    return (this.state.kube.objects[kind] ??= {});
  }

  /** The single seeded cluster (the sandbox has exactly one). */
  cluster(): ClusterRecord {
    const c = Object.values(this.state.clusters)[0];
    if (!c) throw new Error("sandbox world has no cluster");
    return c;
  }
}
