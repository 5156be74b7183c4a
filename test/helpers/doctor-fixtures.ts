// Doctor's facts for one healthy cluster (one workload: ns/sa with pod p1), which each unit test
// of src/doctor breaks one way.
import type { IdentityInfo } from "../../src/core/ports.js";
import type { InventoryDeployment, InventoryPod, InventoryServiceAccount } from "../../src/doctor/ports.js";
import type { DoctorFacts } from "../../src/doctor/types.js";

export const ISSUER = "https://oidc.example/tenant/guid/";
export const CLIENT = "11111111-1111-1111-1111-111111111111";
export const TENANT = "22222222-2222-2222-2222-222222222222";
export const ID_ID = "/subscriptions/sub/resourceGroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-x";

export const identity: IdentityInfo = {
  id: ID_ID,
  name: "id-x",
  resourceGroup: "rg-ids",
  location: "eastus",
  clientId: CLIENT,
  principalId: "33333333-3333-3333-3333-333333333333",
  tenantId: TENANT,
};

const tokenVolume = {
  name: "azure-identity-token",
  projected: { sources: [{ serviceAccountToken: { audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-identity-token" } }] },
};

export function sa(over: Partial<InventoryServiceAccount> = {}): InventoryServiceAccount {
  return {
    namespace: "ns",
    name: "sa",
    uid: "u-sa",
    annotations: { "azure.workload.identity/client-id": CLIENT },
    labels: {},
    creationTimestamp: "2026-01-01T10:30:00.000Z",
    annotatedAt: "2026-01-01T10:30:00.000Z",
    ...over,
  };
}

export function pod(over: Partial<InventoryPod> = {}): InventoryPod {
  return {
    namespace: "ns",
    name: "p1",
    uid: "u-p1",
    phase: "Running",
    serviceAccountName: "sa",
    labels: { "azure.workload.identity/use": "true" },
    annotations: {},
    creationTimestamp: "2026-01-01T11:00:00.000Z",
    containers: [
      {
        name: "main",
        init: false,
        env: {
          AZURE_CLIENT_ID: CLIENT,
          AZURE_TENANT_ID: TENANT,
          AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
          AZURE_AUTHORITY_HOST: "https://login.example/",
        },
      },
    ],
    volumes: [tokenVolume],
    deleting: false,
    ...over,
  };
}

export function deployment(over: Partial<InventoryDeployment> = {}): InventoryDeployment {
  return {
    namespace: "ns",
    name: "web",
    labels: {},
    annotations: {},
    templateLabels: { app: "web", "azure.workload.identity/use": "true" },
    templateAnnotations: {},
    serviceAccountName: "sa",
    ...over,
  };
}

export function healthyCluster(): DoctorFacts {
  return structuredClone<DoctorFacts>({
    target: { subscription: "sub", resourceGroup: "rg", cluster: "aks" },
    now: "2026-01-01T12:00:00.000Z",
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
    inventory: { serviceAccounts: [sa()], pods: [pod()], deployments: [] },
    identities: [identity],
    credentials: {
      [ID_ID.toLowerCase()]: {
        fics: [
          {
            id: `${ID_ID}/federatedIdentityCredentials/fic`,
            name: "fic",
            issuer: ISSUER,
            subject: "system:serviceaccount:ns:sa",
            audiences: ["api://AzureADTokenExchange"],
          },
        ],
      },
    },
  });
}
