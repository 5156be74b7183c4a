// A healthy set of verify facts; each unit test breaks one link of a copy.
import type { Facts } from "../../src/verify/types.js";

export const ISSUER = "https://oidc.example/tenant/guid/";
export const CLIENT = "11111111-1111-1111-1111-111111111111";
export const TENANT = "22222222-2222-2222-2222-222222222222";
export const PRINCIPAL = "33333333-3333-3333-3333-333333333333";
export const VAULT = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
export const NOW = "2026-01-01T12:00:00.000Z";

const env = {
  AZURE_CLIENT_ID: CLIENT,
  AZURE_TENANT_ID: TENANT,
  AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
  AZURE_AUTHORITY_HOST: "https://login.example/",
};
const tokenVolume = {
  name: "azure-identity-token",
  projected: { sources: [{ serviceAccountToken: { audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-identity-token" } }] },
};

export function healthy(): Facts {
  return structuredClone<Facts>({
    target: {
      subscription: "sub",
      resourceGroup: "rg",
      cluster: "aks",
      namespace: "ns",
      serviceAccount: "sa",
      pod: "p1",
      identity: { subscription: "sub", resourceGroup: "rg", name: "id-x" },
      roles: [{ role: "Key Vault Secrets User", scope: VAULT }],
    },
    now: NOW,
    cluster: {
      id: "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
      name: "aks",
      resourceGroup: "rg",
      location: "eastus",
      provisioningState: "Succeeded",
      oidcIssuerEnabled: true,
      issuerUrl: ISSUER,
      workloadIdentityEnabled: true,
      aadEnabled: false,
    },
    webhook: {
      deploymentFound: true,
      configurationFound: true,
      service: "kube-system/azure-wi-webhook-webhook-service",
      replicas: 2,
      readyReplicas: 2,
      readyEndpoints: 2,
      installedAt: "2026-01-01T10:00:00.000Z",
    },
    serviceAccount: {
      namespace: "ns",
      name: "sa",
      uid: "u1",
      annotations: { "azure.workload.identity/client-id": CLIENT },
      labels: {},
      creationTimestamp: "2026-01-01T10:30:00.000Z",
    },
    identity: {
      id: "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-x",
      name: "id-x",
      resourceGroup: "rg",
      location: "eastus",
      clientId: CLIENT,
      principalId: PRINCIPAL,
      tenantId: TENANT,
    },
    federatedCredentials: [
      { id: "fic1", name: "aks-wi-ns-sa", issuer: ISSUER, subject: "system:serviceaccount:ns:sa", audiences: ["api://AzureADTokenExchange"] },
    ],
    pod: {
      namespace: "ns",
      name: "p1",
      uid: "pu",
      phase: "Running",
      serviceAccountName: "sa",
      labels: { "azure.workload.identity/use": "true" },
      annotations: {},
      creationTimestamp: "2026-01-01T11:00:00.000Z",
      containers: [{ name: "main", init: false, env: { ...env } }],
      volumes: [tokenVolume],
    },
    containerEnv: [{ name: "main", init: false, env: { ...env } }],
    token: {
      path: env.AZURE_FEDERATED_TOKEN_FILE,
      claims: {
        iss: ISSUER,
        sub: "system:serviceaccount:ns:sa",
        aud: ["api://AzureADTokenExchange"],
        exp: Date.parse(NOW) / 1000 + 3000,
        iat: Date.parse(NOW) / 1000 - 600,
      },
    },
    exchange: { ok: true, claims: { aud: "https://management.azure.com", oid: PRINCIPAL, appid: CLIENT, tid: TENANT }, attempts: 1, waitedMs: 0 },
    access: {
      roles: [
        {
          role: "Key Vault Secrets User",
          scope: VAULT,
          assignedAt: [VAULT],
          roleActions: [],
          roleDataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"],
          effective: [{ actions: [], notActions: [], dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], notDataActions: [] }],
        },
      ],
    },
  });
}
