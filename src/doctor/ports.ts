// What doctor needs from the outside world, as our own interfaces: src/kube/inventory.ts lists the
// cluster's objects once (cluster-wide or one namespace), and core's AzureOps gives the cluster,
// the subscription's identities and their credentials. Unit tests fake both.
import type { AzureOps, PodInfo, ServiceAccountInfo } from "../core/ports.js";
import type { WebhookFacts } from "../verify/types.js";

export interface InventoryServiceAccount extends ServiceAccountInfo {
  /** When the client-id annotation was last written (its managedFields entry), if the server says. */
  annotatedAt?: string;
}

export interface InventoryPod extends PodInfo {
  /** The pod's controller (ownerReferences with controller: true), e.g. a ReplicaSet. */
  owner?: { kind: string; name: string };
  deleting: boolean;
}

export interface InventoryDeployment {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  templateLabels: Record<string, string>;
  templateAnnotations: Record<string, string>;
  serviceAccountName: string;
}

/** Every object doctor judges, each kind listed once. */
export interface Inventory {
  serviceAccounts: InventoryServiceAccount[];
  pods: InventoryPod[];
  deployments: InventoryDeployment[];
}

export interface DoctorKube {
  /** Service accounts, pods and Deployments of one namespace, or of every namespace when absent. */
  inventory(namespace?: string): Promise<Inventory>;
  webhook(): Promise<WebhookFacts>;
}

export type DoctorAzure = Pick<AzureOps, "getCluster" | "listIdentities" | "listFederatedCredentials">;
