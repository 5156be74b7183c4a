// The sandbox's contract with its clients: DIR/sandbox.json, written at every start. aks-wi's
// sandbox cloud profile reads it (by type only: this module has no runtime code), and so do
// `aks-wi sandbox env|status`, the tests and users' own tools. Change a field only with care.

/** The five HTTPS listeners of a sandbox. Each gets its own port, faults and latency apply per service. */
export type ServiceName = "arm" | "login" | "kube" | "oidc" | "graph";

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
  /** A second subscription of the tenant where Microsoft.ManagedIdentity is not registered
   *  (creating an identity there is 409 MissingSubscriptionRegistration until it is), and its
   *  resource group. Optional: a sandbox.json from before them lacks them. */
  unregisteredSubscriptionId?: string;
  unregisteredResourceGroup?: string;
  /** A resource group of the main subscription under an Azure Policy assignment that denies
   *  (403 RequestDisallowedByPolicy) a managed identity without the tag policyTagName. */
  policyResourceGroup?: string;
  policyTagName?: string;
  /** Every seeded cluster in `resourceGroup` by name, with its kind: "default" (clusterName), and,
   *  when started with variants, "stopped", "failed", "unsupported-version", "entra-azure-rbac"
   *  (Entra ID with Azure RBAC, local accounts disabled, its API at clusterServers[name]) and
   *  "private" (its API reachable only through insideKubeconfigs[name]). */
  clusters?: Record<string, string>;
  /** The Azure cloud the sandbox presents itself as (`sandbox start --cloud`): /metadata/endpoints
   *  and aks-wi's profile report its name, armAudience is its ARM audience; the endpoints stay
   *  local. Absent: the sandbox presents itself as itself ("sandbox"), with public-cloud audiences. */
  cloud?: string;
  /** https://127.0.0.1:PORT (no trailing slash) — ARM. */
  armEndpoint: string;
  /** https://127.0.0.1:PORT (no trailing slash) — Entra ID, the `authorityHost`. */
  authorityHost: string;
  /** https://127.0.0.1:PORT — the cluster's Kubernetes API server. */
  kubeServer: string;
  /** The clusters with a Kubernetes API server of their own (aks-entra), by name: its URL
   *  (https://127.0.0.1:PORT). The other clusters are served at kubeServer. */
  clusterServers?: Record<string, string>;
  /** Private clusters (aks-private) by name: a kubeconfig (user credential) naming the API
   *  server's real address, as a machine inside the cluster's network reaches it. The kubeconfig
   *  ARM hands out names the private FQDN, which does not resolve from outside. */
  insideKubeconfigs?: Record<string, string>;
  /** https://127.0.0.1:PORT — base of the cluster OIDC issuer host; the issuer URL is BASE/TENANT/GUID/. */
  oidcBase: string;
  /** https://127.0.0.1:PORT (no trailing slash) — Microsoft Graph; requests go to BASE/v1.0/…. Its
   *  tokens are for graphAudience, or for this URL itself (what /metadata/endpoints names as
   *  microsoftGraphResourceId, so the Azure CLI asks for it). Optional: older sandbox.json lacks it. */
  graphEndpoint?: string;
  /** Graph's token audience as on Azure public cloud (scope https://graph.microsoft.com/.default). */
  graphAudience?: string;
  /** Absolute path of the CA certificate (PEM) that signs every sandbox listener. */
  caFile: string;
  /** Absolute path of a kubeconfig for the sandbox cluster (user credential). */
  kubeconfig: string;
  /** Operator service principal, Owner of the subscription. The secret lives only in this file (0600). */
  clientId: string;
  clientSecret: string;
  /** ARM token audience the sandbox accepts (same as Azure public cloud). */
  armAudience: string;
  /** Absolute path of DIR/requests.jsonl, one RequestLogEntry per line. */
  requestLog: string;
  ports: Record<ServiceName, number>;
  pid: number;
  startedAt: string;
  latency: string;
  /** What each request to a service waits before it is served (ms): the profile's, or --rtt's. */
  rtt: Record<ServiceName, number>;
  faults: string;
}

/** One line of DIR/requests.jsonl: a request as a listener saw it. Never a header, body or query
 *  value other than api-version, so no token, secret or assertion. */
export interface RequestLogEntry {
  /** When the request arrived (ISO 8601). */
  time: string;
  service: ServiceName;
  method: string;
  /** The path, then the query's keys with their values dropped, except api-version's. */
  path: string;
  /** The status answered; null when the connection was dropped before an answer (a `drop` fault). */
  status: number | null;
  /** From arrival to the last byte of the answer (for a WebSocket upgrade: to the handshake's answer). */
  ms: number;
  /** The identity the request authenticated as: the Entra object ID (ARM, Entra's token
   *  endpoint) or the Kubernetes user name; null when it presented none that held. */
  caller: string | null;
}

/** What `aks-wi sandbox principal create` asks the running sandbox for: a service principal with
 *  exactly these role assignments and, optionally, a Kubernetes user bound in one namespace. */
export interface PrincipalSpec {
  /** Lower-case letters, digits and hyphens (a DNS label): the principal's display name, the file
   *  DIR/principals/NAME.json, and the Kubernetes user's name. */
  name: string;
  /** Built-in roles by name or GUID; a scope is an ARM ID (default: the subscription). */
  roles: { role: string; scope?: string }[];
  kube?: { namespace: string; role: "edit" | "view" };
}

/** The answer, printed by `principal create` and kept in DIR/principals/NAME.json (0600). */
export interface PrincipalCredentials {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  objectId: string;
  /** Absolute path of the Kubernetes user's kubeconfig (DIR/principals/NAME.kubeconfig), when asked for. */
  kubeconfig?: string;
}
