// The sandbox's contract with its clients: DIR/sandbox.json, written at every start. aks-wi's
// sandbox cloud profile reads it (by type only: this module has no runtime code), and so do
// `aks-wi sandbox env|status`, the tests and users' own tools. Change a field only with care.

/** The four HTTPS listeners of a sandbox. Each gets its own port, faults and latency apply per service. */
export type ServiceName = "arm" | "login" | "kube" | "oidc";

/** Contents of DIR/sandbox.json: what clients (aks-wi's cloud profile, tests, users) need to connect. */
export interface SandboxInfo {
  tenantId: string;
  subscriptionId: string;
  subscriptionName: string;
  resourceGroup: string;
  clusterName: string;
  location: string;
  /** Resource IDs of the seeded cluster (as AKS spells it), Key Vault and storage account: what
   *  `--scope` and `az … --ids` take. Optional: a sandbox.json from before they were recorded lacks them. */
  clusterId?: string;
  keyVaultId?: string;
  storageAccountId?: string;
  /** https://127.0.0.1:PORT (no trailing slash) — ARM. */
  armEndpoint: string;
  /** https://127.0.0.1:PORT (no trailing slash) — Entra ID, the `authorityHost`. */
  authorityHost: string;
  /** https://127.0.0.1:PORT — the cluster's Kubernetes API server. */
  kubeServer: string;
  /** https://127.0.0.1:PORT — base of the cluster OIDC issuer host; the issuer URL is BASE/TENANT/GUID/. */
  oidcBase: string;
  /** Absolute path of the CA certificate (PEM) that signs every sandbox listener. */
  caFile: string;
  /** Absolute path of a kubeconfig for the sandbox cluster (user credential). */
  kubeconfig: string;
  /** Operator service principal, Owner of the subscription. The secret lives only in this file (0600). */
  clientId: string;
  clientSecret: string;
  /** ARM token audience the sandbox accepts (same as Azure public cloud). */
  armAudience: string;
  ports: Record<ServiceName, number>;
  pid: number;
  startedAt: string;
  latency: string;
  faults: string;
}
