// Azure's built-in role definitions the sandbox knows, with their real GUIDs and permissions
// (as published in Azure's built-in roles reference). ARM serves them from roleDefinitions and
// rbac.ts evaluates role assignments against them, so a role grants exactly what it does on Azure.

export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface BuiltInRole {
  /** The role definition GUID (the `name` of its resource). */
  id: string;
  roleName: string;
  description: string;
  permissions: RolePermission[];
}

const perm = (actions: string[], notActions: string[] = [], dataActions: string[] = [], notDataActions: string[] = []): RolePermission[] => [
  { actions, notActions, dataActions, notDataActions },
];

// Control-plane actions the Key Vault data roles share (read roles/assignments, alerts, deployments…).
const KV_COMMON = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Support/*",
  "Microsoft.KeyVault/checkNameAvailability/read",
  "Microsoft.KeyVault/deletedVaults/read",
  "Microsoft.KeyVault/locations/*/read",
  "Microsoft.KeyVault/vaults/*/read",
  "Microsoft.KeyVault/operations/read",
];

// Control-plane actions the AKS "RBAC" roles share.
const AKS_RBAC_COMMON = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Resources/subscriptions/operationresults/read",
  "Microsoft.Resources/subscriptions/read",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
];

const MC = "Microsoft.ContainerService/managedClusters";

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  {
    id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permissions: perm(["*"]),
  },
  {
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    permissions: perm(
      ["*"],
      [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
      ],
    ),
  },
  {
    id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    permissions: perm(["*/read"]),
  },
  {
    id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    permissions: perm(["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"]),
  },
  {
    id: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    roleName: "Role Based Access Control Administrator",
    description:
      "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    permissions: perm(["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*"]),
  },
  {
    id: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    roleName: "Managed Identity Contributor",
    description: "Create, Read, Update, and Delete User Assigned Identity",
    permissions: perm([
      "Microsoft.ManagedIdentity/userAssignedIdentities/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
      "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Support/*",
    ]),
  },
  {
    id: "f1a07417-d97a-45cb-824c-7a7467783830",
    roleName: "Managed Identity Operator",
    description: "Read and Assign User Assigned Identity",
    permissions: perm([
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Support/*",
    ]),
  },
  {
    id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    roleName: "Key Vault Administrator",
    description:
      "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: perm(KV_COMMON, [], ["Microsoft.KeyVault/vaults/*"]),
  },
  {
    id: "f25e0fa2-a7c8-4377-a976-54943a77a395",
    roleName: "Key Vault Contributor",
    description: "Lets you manage key vaults, but not access to them.",
    permissions: perm(
      [
        "Microsoft.Authorization/*/read",
        "Microsoft.Insights/alertRules/*",
        "Microsoft.KeyVault/*",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Support/*",
      ],
      ["Microsoft.KeyVault/locations/deletedVaults/purge/action", "Microsoft.KeyVault/hsmPools/*", "Microsoft.KeyVault/managedHsms/*"],
    ),
  },
  {
    id: "21090545-7ca7-4776-b22c-e363652d74d2",
    roleName: "Key Vault Reader",
    description:
      "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: perm(KV_COMMON, [], ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"]),
  },
  {
    id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    roleName: "Key Vault Secrets Officer",
    description:
      "Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: perm(KV_COMMON, [], ["Microsoft.KeyVault/vaults/secrets/*"]),
  },
  {
    id: "4633458b-17de-408a-b874-0445c86b69e6",
    roleName: "Key Vault Secrets User",
    description: "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: perm([], [], ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"]),
  },
  {
    id: "12338af0-0e69-4776-bea7-57ae8d297424",
    roleName: "Key Vault Crypto User",
    description: "Perform cryptographic operations using keys. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: perm(
      [],
      [],
      [
        "Microsoft.KeyVault/vaults/keys/read",
        "Microsoft.KeyVault/vaults/keys/update/action",
        "Microsoft.KeyVault/vaults/keys/backup/action",
        "Microsoft.KeyVault/vaults/keys/encrypt/action",
        "Microsoft.KeyVault/vaults/keys/decrypt/action",
        "Microsoft.KeyVault/vaults/keys/wrap/action",
        "Microsoft.KeyVault/vaults/keys/unwrap/action",
        "Microsoft.KeyVault/vaults/keys/sign/action",
        "Microsoft.KeyVault/vaults/keys/verify/action",
      ],
    ),
  },
  {
    id: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    roleName: "Key Vault Crypto Officer",
    description:
      "Perform any action on the keys of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: perm(KV_COMMON, [], ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"]),
  },
  {
    id: "a4417e6f-fecd-4de8-b567-7b0420556985",
    roleName: "Key Vault Certificates Officer",
    description:
      "Perform any action on the certificates of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: perm(
      KV_COMMON,
      [],
      ["Microsoft.KeyVault/vaults/certificatecas/*", "Microsoft.KeyVault/vaults/certificates/*", "Microsoft.KeyVault/vaults/certificatecontacts/write"],
    ),
  },
  {
    id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    roleName: "Storage Blob Data Reader",
    description: "Allows for read access to Azure Storage blob containers and data",
    permissions: perm(
      ["Microsoft.Storage/storageAccounts/blobServices/containers/read", "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"],
      [],
      ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
    ),
  },
  {
    id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    roleName: "Storage Blob Data Contributor",
    description: "Allows for read, write and delete access to Azure Storage blob containers and data",
    permissions: perm(
      [
        "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
        "Microsoft.Storage/storageAccounts/blobServices/containers/read",
        "Microsoft.Storage/storageAccounts/blobServices/containers/write",
        "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
      ],
      [],
      [
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
      ],
    ),
  },
  {
    id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    roleName: "Storage Blob Data Owner",
    description: "Allows for full access to Azure Storage blob containers and data, including assigning POSIX access control.",
    permissions: perm(
      ["Microsoft.Storage/storageAccounts/blobServices/containers/*", "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"],
      [],
      ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
    ),
  },
  {
    id: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    roleName: "AcrPull",
    description: "acr pull",
    permissions: perm(["Microsoft.ContainerRegistry/registries/pull/read"]),
  },
  {
    id: "8311e382-0749-4cb8-b61a-304f252e45ec",
    roleName: "AcrPush",
    description: "acr push",
    permissions: perm(["Microsoft.ContainerRegistry/registries/pull/read", "Microsoft.ContainerRegistry/registries/push/write"]),
  },
  {
    id: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
    roleName: "Azure Kubernetes Service Cluster Admin Role",
    description: "List cluster admin credential action.",
    permissions: perm([`${MC}/listClusterAdminCredential/action`, `${MC}/accessProfiles/listCredential/action`, `${MC}/read`, `${MC}/runcommand/action`]),
  },
  {
    id: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    roleName: "Azure Kubernetes Service Cluster User Role",
    description: "List cluster user credential action.",
    permissions: perm([`${MC}/listClusterUserCredential/action`, `${MC}/read`]),
  },
  {
    id: "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
    roleName: "Azure Kubernetes Service Contributor Role",
    description: "Grants access to read and write Azure Kubernetes Service clusters",
    permissions: perm([`${MC}/read`, `${MC}/write`, "Microsoft.Resources/deployments/*"]),
  },
  {
    id: "3498e952-d568-435e-9b2c-8d77e338d7f7",
    roleName: "Azure Kubernetes Service RBAC Admin",
    description: "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.",
    permissions: perm(
      [...AKS_RBAC_COMMON, `${MC}/listClusterUserCredential/action`],
      [],
      [`${MC}/*`],
      [`${MC}/resourcequotas/write`, `${MC}/resourcequotas/delete`, `${MC}/namespaces/write`, `${MC}/namespaces/delete`],
    ),
  },
  {
    id: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    roleName: "Azure Kubernetes Service RBAC Cluster Admin",
    description: "Lets you manage all resources in the cluster.",
    permissions: perm([...AKS_RBAC_COMMON, `${MC}/listClusterUserCredential/action`], [], [`${MC}/*`]),
  },
  {
    id: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    roleName: "Azure Kubernetes Service RBAC Reader",
    description:
      "Allows read-only access to see most objects in a namespace. It does not allow viewing roles or role bindings. This role does not allow viewing Secrets, since reading the contents of Secrets enables access to ServiceAccount credentials in the namespace, which would allow API access as any ServiceAccount in the namespace (a form of privilege escalation). Applying this role at cluster scope will give access across all namespaces.",
    permissions: perm(
      AKS_RBAC_COMMON,
      [],
      [
        "apps/controllerrevisions/read",
        "apps/daemonsets/read",
        "apps/deployments/read",
        "apps/replicasets/read",
        "apps/statefulsets/read",
        "autoscaling/horizontalpodautoscalers/read",
        "batch/cronjobs/read",
        "batch/jobs/read",
        "configmaps/read",
        "discovery.k8s.io/endpointslices/read",
        "endpoints/read",
        "events.k8s.io/events/read",
        "events/read",
        "extensions/daemonsets/read",
        "extensions/deployments/read",
        "extensions/ingresses/read",
        "extensions/networkpolicies/read",
        "extensions/replicasets/read",
        "limitranges/read",
        "metrics.k8s.io/pods/read",
        "metrics.k8s.io/nodes/read",
        "namespaces/read",
        "networking.k8s.io/ingresses/read",
        "networking.k8s.io/networkpolicies/read",
        "persistentvolumeclaims/read",
        "pods/read",
        "policy/poddisruptionbudgets/read",
        "replicationcontrollers/read",
        "resourcequotas/read",
        "serviceaccounts/read",
        "services/read",
      ].map((a) => `${MC}/${a}`),
    ),
  },
  {
    id: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    roleName: "Azure Kubernetes Service RBAC Writer",
    description:
      "Allows read/write access to most objects in a namespace.This role does not allow viewing or modifying roles or role bindings. However, this role allows accessing Secrets and running Pods as any ServiceAccount in the namespace, so it can be used to gain the API access levels of any ServiceAccount in the namespace. Applying this role at cluster scope will give access across all namespaces.",
    permissions: perm(
      AKS_RBAC_COMMON,
      [],
      [
        "apps/controllerrevisions/read",
        "apps/daemonsets/*",
        "apps/deployments/*",
        "apps/replicasets/*",
        "apps/statefulsets/*",
        "autoscaling/horizontalpodautoscalers/*",
        "batch/cronjobs/*",
        "coordination.k8s.io/leases/read",
        "coordination.k8s.io/leases/write",
        "coordination.k8s.io/leases/delete",
        "discovery.k8s.io/endpointslices/read",
        "batch/jobs/*",
        "configmaps/*",
        "endpoints/*",
        "events.k8s.io/events/read",
        "events/*",
        "extensions/daemonsets/*",
        "extensions/deployments/*",
        "extensions/ingresses/*",
        "extensions/networkpolicies/*",
        "extensions/replicasets/*",
        "limitranges/read",
        "metrics.k8s.io/pods/read",
        "metrics.k8s.io/nodes/read",
        "namespaces/read",
        "networking.k8s.io/ingresses/*",
        "networking.k8s.io/networkpolicies/*",
        "persistentvolumeclaims/*",
        "pods/*",
        "policy/poddisruptionbudgets/*",
        "replicationcontrollers/*",
        "resourcequotas/read",
        "secrets/*",
        "serviceaccounts/*",
        "services/*",
      ].map((a) => `${MC}/${a}`),
    ),
  },
];

const byId = new Map(BUILT_IN_ROLES.map((r) => [r.id.toLowerCase(), r]));

export function builtInRoleById(guid: string): BuiltInRole | undefined {
  return byId.get(guid.toLowerCase());
}

/** Role names compare case-insensitively, as `$filter=roleName eq '…'` does on Azure. */
export function builtInRoleByName(roleName: string): BuiltInRole | undefined {
  const n = roleName.toLowerCase();
  return BUILT_IN_ROLES.find((r) => r.roleName.toLowerCase() === n);
}

/** The GUID at the end of a role definition ID (`…/roleDefinitions/{guid}`), or the input if it is a bare GUID. */
export function roleGuidOf(roleDefinitionId: string): string | undefined {
  const m = /(?:^|\/roledefinitions\/)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(roleDefinitionId.trim());
  return m?.[1].toLowerCase();
}
