// The world every sandbox starts from — the state at the start of every tutorial: one tenant,
// one subscription, a resource group with an AKS cluster whose OIDC issuer and workload identity
// are both off, a Key Vault and a storage account to use as role scopes, and an operator service
// principal that is Owner of the subscription.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { managedClusterId, seedClusterBody } from "../arm/providers/container-service/cluster-body.js";
import type { WorldState } from "./world.js";
import { key } from "./world.js";

export const SEED = {
  subscriptionName: "aks-wi-sandbox",
  resourceGroup: "rg-sandbox",
  clusterName: "aks-sandbox",
  location: "eastus",
  operatorName: "aks-wi-sandbox-operator",
} as const;

const OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

export interface SeededWorld {
  state: WorldState;
  operatorSecret: string;
}

/** Clusters beside the default one, in states a real subscription holds (opt-in: `variants`). */
export type ClusterKind = "default" | "stopped" | "failed" | "unsupported-version" | "entra-azure-rbac" | "private";
export const CLUSTER_VARIANTS: Record<Exclude<ClusterKind, "default">, string> = {
  stopped: "aks-stopped",
  failed: "aks-failed",
  "unsupported-version": "aks-old",
  "entra-azure-rbac": "aks-entra",
  private: "aks-private",
};
/** Variants with a Kubernetes API of their own (kube/cluster-apis.ts): their own listener, objects
 *  and service-account key, as each AKS cluster has. The others are ARM-only beside the default. */
const OWN_API: ReadonlySet<ClusterKind> = new Set(["entra-azure-rbac", "private"]);
/** Out of support everywhere (AKS dropped 1.27 outside LTS): what pulumi-azure-native PR #3550 met. */
const UNSUPPORTED_VERSION = "1.27.9";

/** A variant's body: the default cluster's, put into that state. */
function variantBody(kind: Exclude<ClusterKind, "default">, base: Record<string, any>, oidcIssuerUrl: string, tenantId: string): Record<string, any> {
  const body = JSON.parse(JSON.stringify(base)) as Record<string, any>;
  const props = body.properties;
  if (kind === "entra-azure-rbac") {
    // `az aks create --enable-aad --enable-azure-rbac --disable-local-accounts`: AKS-managed Entra
    // ID, Kubernetes authorization by Azure role assignments, no static credentials. The wire
    // shape of aadProfile (ManagedClusterAADProfile in azure-rest-api-specs' managedClusters.json,
    // camel-cased "IDs"/"RBAC"/"tenantID"), as ARM templates that create such clusters send it.
    props.aadProfile = { managed: true, adminGroupObjectIDs: [], enableAzureRBAC: true, tenantID: tenantId };
    props.disableLocalAccounts = true;
  } else if (kind === "private") {
    // `az aks create --enable-private-cluster`: the API server has only a private endpoint, named
    // in a private DNS zone AKS makes ("system"); with no public FQDN
    // (enablePrivateClusterPublicFQDN false) the body has privateFQDN and no fqdn. On Azure it is
    // <dnsPrefix>-<hash>.<guid>.privatelink.<region>.azmk8s.io; here the same shape under the
    // RFC 6761 ".invalid" TLD, so its lookup fails locally and no test asks DNS about a real name.
    const hash = createHash("sha256").update(body.id.toLowerCase()).digest("hex");
    props.apiServerAccessProfile = { enablePrivateCluster: true, privateDNSZone: "system", enablePrivateClusterPublicFQDN: false };
    props.privateFQDN = `${props.dnsPrefix}-${hash.slice(0, 8)}.${hash.slice(8, 40)}.privatelink.${body.location}.azmk8s.invalid`;
    props.azurePortalFQDN = `${props.dnsPrefix}-${hash.slice(0, 8)}.portal.hcp.${body.location}.azmk8s.invalid`;
    delete props.fqdn;
  } else if (kind === "stopped") {
    // AKS keeps provisioningState Succeeded and says Stopped in powerState (az aks stop).
    props.powerState = { code: "Stopped" };
    for (const pool of props.agentPoolProfiles) pool.powerState = { code: "Stopped" };
  } else if (kind === "failed") {
    // The failed operation may be the one that turned workload identity on: the flags read on.
    props.provisioningState = "Failed";
    props.oidcIssuerProfile = { enabled: true, issuerURL: oidcIssuerUrl };
    props.securityProfile = { workloadIdentity: { enabled: true } };
  } else {
    props.kubernetesVersion = UNSUPPORTED_VERSION;
    props.currentKubernetesVersion = UNSUPPORTED_VERSION;
    for (const pool of props.agentPoolProfiles) {
      pool.orchestratorVersion = UNSUPPORTED_VERSION;
      pool.currentOrchestratorVersion = UNSUPPORTED_VERSION;
    }
  }
  return body;
}

export function seedWorld(p: { kubeServer: string; oidcBase?: string; variants?: boolean }): SeededWorld {
  const tenantId = randomUUID();
  const subscriptionId = randomUUID();
  const suffix = randomBytes(3).toString("hex");
  const sub = `/subscriptions/${subscriptionId}`;
  const rgId = `${sub}/resourceGroups/${SEED.resourceGroup}`;
  const clusterId = managedClusterId(subscriptionId, SEED.resourceGroup, SEED.clusterName);
  const vaultName = `kv-sandbox-${suffix}`;
  const vaultId = `${rgId}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
  const storageName = `stsandbox${suffix}`;
  const storageId = `${rgId}/providers/Microsoft.Storage/storageAccounts/${storageName}`;
  const operatorClientId = randomUUID();
  const operatorPrincipalId = randomUUID();
  const operatorSecret = randomBytes(32).toString("base64url");
  const ownerAssignmentName = randomUUID();
  const now = Date.now();

  const state: WorldState = {
    version: 1,
    tenantId,
    subscriptionId,
    subscriptionName: SEED.subscriptionName,
    foreignTenantId: randomUUID(),
    location: SEED.location,
    resourceGroups: {
      [key(rgId)]: { id: rgId, name: SEED.resourceGroup, location: SEED.location },
    },
    resources: {
      [key(vaultId)]: {
        id: vaultId,
        name: vaultName,
        type: "Microsoft.KeyVault/vaults",
        location: SEED.location,
        properties: {
          tenantId,
          sku: { family: "A", name: "standard" },
          vaultUri: `https://${vaultName}.vault.azure.net/`,
          // Key Vault always returns the list, empty under RBAC (az's set-policy reads it).
          accessPolicies: [],
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          provisioningState: "Succeeded",
          publicNetworkAccess: "Enabled",
        },
      },
      [key(storageId)]: {
        id: storageId,
        name: storageName,
        type: "Microsoft.Storage/storageAccounts",
        location: SEED.location,
        properties: {
          provisioningState: "Succeeded",
          primaryLocation: SEED.location,
          statusOfPrimary: "available",
          supportsHttpsTrafficOnly: true,
          minimumTlsVersion: "TLS1_2",
          allowBlobPublicAccess: false,
          primaryEndpoints: {
            blob: `https://${storageName}.blob.core.windows.net/`,
            queue: `https://${storageName}.queue.core.windows.net/`,
            table: `https://${storageName}.table.core.windows.net/`,
            file: `https://${storageName}.file.core.windows.net/`,
          },
        },
      },
    },
    clusters: {
      [key(clusterId)]: {
        id: clusterId,
        body: seedClusterBody({
          id: clusterId,
          name: SEED.clusterName,
          location: SEED.location,
          resourceGroup: SEED.resourceGroup,
          kubeServer: p.kubeServer,
          tenantId,
        }),
        operations: {},
      },
    },
    identities: {},
    federatedCredentials: {},
    roleAssignments: {
      [key(`${sub}/providers/Microsoft.Authorization/roleAssignments/${ownerAssignmentName}`)]: {
        id: `${sub}/providers/Microsoft.Authorization/roleAssignments/${ownerAssignmentName}`,
        name: ownerAssignmentName,
        scope: sub,
        roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${OWNER_ROLE}`,
        principalId: operatorPrincipalId,
        principalType: "ServicePrincipal",
        createdAt: now,
        description: "aks-wi sandbox operator",
      },
    },
    principals: {
      [key(operatorClientId)]: {
        clientId: operatorClientId,
        principalId: operatorPrincipalId,
        displayName: SEED.operatorName,
        kind: "operator",
        secretSha256: createHash("sha256").update(operatorSecret).digest("hex"),
        createdAt: now,
      },
    },
    kube: { resourceVersion: 1000, objects: {} },
  };
  if (p.variants) {
    for (const [kind, name] of Object.entries(CLUSTER_VARIANTS) as [Exclude<ClusterKind, "default">, string][]) {
      const id = managedClusterId(subscriptionId, SEED.resourceGroup, name);
      const base = seedClusterBody({ id, name, location: SEED.location, resourceGroup: SEED.resourceGroup, kubeServer: p.kubeServer, tenantId });
      state.clusters[key(id)] = {
        id,
        body: variantBody(kind, base, `${p.oidcBase ?? p.kubeServer}/${tenantId}/${randomUUID()}/`, tenantId),
        operations: {},
        variant: kind,
        // its API's server is known once it listens: index.ts points the body's fqdn at it
        ...(OWN_API.has(kind) ? { kube: { resourceVersion: 1000, objects: {} } } : {}),
      };
    }
  }
  return { state, operatorSecret };
}

/** Every cluster of a world by name, with its kind (sandbox.json's `clusters`). */
export function clusterKinds(state: WorldState): Record<string, ClusterKind> {
  return Object.fromEntries(Object.values(state.clusters).map((c) => [String(c.body?.name ?? ""), (c.variant as ClusterKind | undefined) ?? "default"]));
}

/** The seeded cluster's, Key Vault's and storage account's resource IDs (sandbox.json shows them). */
export function seededResourceIds(state: WorldState): { clusterId?: string; keyVaultId?: string; storageAccountId?: string } {
  const ofType = (type: string) => Object.values(state.resources).find((r) => r.type === type)?.id;
  const cluster = Object.values(state.clusters).find((c) => c.body?.name === SEED.clusterName);
  return { clusterId: cluster?.id, keyVaultId: ofType("Microsoft.KeyVault/vaults"), storageAccountId: ofType("Microsoft.Storage/storageAccounts") };
}

/** The operator principal of a world. */
export function operatorOf(state: WorldState) {
  const op = Object.values(state.principals).find((p) => p.kind === "operator");
  if (!op) throw new Error("sandbox world has no operator principal");
  return op;
}
