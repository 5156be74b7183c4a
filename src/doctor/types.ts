// Contracts of `aks-wi doctor`: what its one pass over the cluster and the subscription gathered
// (plain data), the workloads found in it, and the versioned report. Each workload's findings are
// verify's (src/verify/types.ts), so an id means the same in both commands.
import type { ClusterInfo, FederatedCredentialInfo, IdentityInfo } from "../core/ports.js";
import type { Finding, Status, WebhookFacts } from "../verify/types.js";
import type { Inventory, InventoryDeployment, InventoryPod, InventoryServiceAccount } from "./ports.js";

export interface ClusterTarget {
  subscription: string;
  resourceGroup: string;
  cluster: string;
}

/** One identity's federated credentials, or why they could not be read. */
export interface CredentialRead {
  fics?: FederatedCredentialInfo[];
  error?: string;
  transient?: boolean;
}

/** Everything doctor read, each list once; a failed read is kept as its error. */
export interface DoctorFacts {
  target: ClusterTarget;
  /** The one namespace looked at; absent: every namespace. */
  namespace?: string;
  now: string;
  cluster?: ClusterInfo;
  clusterError?: string;
  clusterTransient?: boolean;
  webhook?: WebhookFacts;
  inventory?: Inventory;
  inventoryError?: string;
  inventoryTransient?: boolean;
  identities?: IdentityInfo[];
  identitiesError?: string;
  identitiesTransient?: boolean;
  /** Keyed by the identity's ARM ID, lower case: only the identities some workload names. */
  credentials: Record<string, CredentialRead>;
}

/** What doctor reports on: a Deployment, a pod of no Deployment, or a service account with no pod. */
export interface Workload {
  namespace: string;
  serviceAccount: string;
  kind: "deployment" | "pod" | "serviceaccount";
  name: string;
  sa?: InventoryServiceAccount;
  deployment?: InventoryDeployment;
  /** The pod judged: the pod itself, or the Deployment's newest running one. */
  pod?: InventoryPod;
}

export interface WorkloadReport {
  namespace: string;
  serviceAccount: string;
  kind: Workload["kind"];
  name: string;
  pod?: string;
  identity?: { name: string; resourceGroup: string; clientId: string };
  status: Status;
  findings: Finding[];
}

export interface DoctorReport {
  version: 1;
  /** fail: a finding is FAIL; unknown: none is, but a check could not be made (transient). */
  result: "pass" | "fail" | "unknown";
  exitCode: number;
  cluster: ClusterTarget;
  namespace: string | null;
  /** Whether tokens were exchanged (--exchange). */
  exchange: boolean;
  clusterFindings: Finding[];
  workloads: WorkloadReport[];
  summary: { workloads: number; pass: number; warn: number; fail: number; unknown: number };
  durationMs: number;
}
