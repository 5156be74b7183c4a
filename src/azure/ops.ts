// AzureOps (src/core/ports.ts) over the real Azure SDKs: the only ARM calls `init` makes.
import type { ManagedCluster } from "@azure/arm-containerservice";
import type { Identity, FederatedIdentityCredential } from "@azure/arm-msi";
import type { RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import type {
  AzureOps,
  ClusterInfo,
  FederatedCredentialInfo,
  IdentityInfo,
  ResourceInfo,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
  RoleDefinitionListing,
} from "../core/ports.js";
import { ChangedSincePlanError } from "../core/errors.js";
import { sleep } from "../core/util.js";
import { AKS_API_VERSION, putCluster, readCluster, withWorkloadIdentity, type Json } from "./cluster-raw.js";
import { callerPermissions } from "./permissions.js";
import type { CloudProfile } from "./cloud.js";
import { resourceGroupOf, subscriptionOf } from "../core/arm-ids.js";
import { isGuid } from "../core/names.js";
import { all, createClients } from "./clients.js";
import { AzureError, azureCall, errorCode, isNotFound, scopeCall, statusCode, toAzureError } from "./errors.js";
import { KeyedMutex, retryOnCodes, type BackoffOptions } from "./retry.js";

export interface AzureOpsOptions {
  /** How often to re-read a busy cluster (default 5 s). The update's own LRO polling follows
   *  the service's Retry-After header instead. */
  clusterPollMs?: number;
  /** How long to wait for a busy cluster's running operation (default 60 min). */
  clusterBusyBudgetMs?: number;
  /** Backoff for the replication delays after creating an identity. */
  replication?: BackoffOptions;
  /** Interval of the cluster update's operation polls when ARM sends no Retry-After. */
  lroPollMs?: number;
}

const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled"]);
const DEFAULT_REPLICATION: BackoffOptions = { initialDelayMs: 2_000, maxDelayMs: 20_000, budgetMs: 180_000 };

function toCluster(c: ManagedCluster): ClusterInfo {
  return {
    id: c.id ?? "",
    name: c.name ?? "",
    resourceGroup: resourceGroupOf(c.id ?? ""),
    location: c.location,
    provisioningState: c.provisioningState ?? "",
    oidcIssuerEnabled: c.oidcIssuerProfile?.enabled === true,
    issuerUrl: c.oidcIssuerProfile?.issuerURL || undefined,
    workloadIdentityEnabled: c.securityProfile?.workloadIdentity?.enabled === true,
    aadEnabled: !!c.aadProfile,
    ...(c.aadProfile?.enableAzureRbac ? { azureRbac: true } : {}),
    ...(c.disableLocalAccounts ? { localAccountsDisabled: true } : {}),
    ...(c.apiServerAccessProfile?.enablePrivateCluster ? { privateFqdn: c.privateFqdn || c.fqdn || "(no FQDN reported)" } : {}),
    ...(c.apiServerAccessProfile?.authorizedIPRanges?.length ? { authorizedIpRanges: [...c.apiServerAccessProfile.authorizedIPRanges] } : {}),
    ...(c.powerState?.code ? { powerState: c.powerState.code } : {}),
    ...(c.currentKubernetesVersion || c.kubernetesVersion ? { kubernetesVersion: c.currentKubernetesVersion || c.kubernetesVersion } : {}),
  };
}

/** The cluster from ARM's raw JSON (the same fields the SDK model maps, read without a model). */
function fromRaw(body: Json, etag: string | undefined): ClusterInfo {
  const p = (body.properties ?? {}) as Record<string, any>;
  const id = String(body.id ?? "");
  return {
    id,
    name: String(body.name ?? ""),
    resourceGroup: resourceGroupOf(id),
    location: String(body.location ?? ""),
    provisioningState: String(p.provisioningState ?? ""),
    oidcIssuerEnabled: p.oidcIssuerProfile?.enabled === true,
    issuerUrl: p.oidcIssuerProfile?.issuerURL || undefined,
    workloadIdentityEnabled: p.securityProfile?.workloadIdentity?.enabled === true,
    aadEnabled: !!p.aadProfile,
    ...(p.aadProfile?.enableAzureRBAC === true ? { azureRbac: true } : {}),
    ...(p.disableLocalAccounts === true ? { localAccountsDisabled: true } : {}),
    ...(p.apiServerAccessProfile?.enablePrivateCluster === true ? { privateFqdn: String(p.privateFQDN || p.fqdn || "(no FQDN reported)") } : {}),
    ...(Array.isArray(p.apiServerAccessProfile?.authorizedIPRanges) && p.apiServerAccessProfile.authorizedIPRanges.length
      ? { authorizedIpRanges: p.apiServerAccessProfile.authorizedIPRanges.map(String) }
      : {}),
    tenantId: ((body.identity ?? {}) as { tenantId?: string }).tenantId || undefined,
    ...(p.powerState?.code ? { powerState: String(p.powerState.code) } : {}),
    ...(p.currentKubernetesVersion || p.kubernetesVersion ? { kubernetesVersion: String(p.currentKubernetesVersion || p.kubernetesVersion) } : {}),
    etag: etag ?? ((body.eTag as string | undefined) || undefined),
    raw: body,
  };
}

function toIdentity(i: Identity): IdentityInfo {
  return {
    id: i.id ?? "",
    name: i.name ?? "",
    resourceGroup: resourceGroupOf(i.id ?? ""),
    location: i.location,
    clientId: i.clientId ?? "",
    principalId: i.principalId ?? "",
    tenantId: i.tenantId ?? "",
    ...(i.tags ? { tags: { ...i.tags } } : {}),
  };
}

function toFederated(f: FederatedIdentityCredential): FederatedCredentialInfo {
  return { id: f.id ?? "", name: f.name ?? "", issuer: f.issuer ?? "", subject: f.subject ?? "", audiences: [...(f.audiences ?? [])] };
}

function toRoleDefinition(d: RoleDefinition): RoleDefinitionInfo {
  return { id: d.id ?? "", name: d.name ?? "", roleName: d.roleName ?? "" };
}

function toRoleListing(d: RoleDefinition): RoleDefinitionListing {
  const perms = d.permissions ?? [];
  return {
    ...toRoleDefinition(d),
    ...(d.description ? { description: d.description } : {}),
    ...(d.roleType ? { roleType: d.roleType } : {}),
    actions: perms.flatMap((p) => p.actions ?? []),
    dataActions: perms.flatMap((p) => p.dataActions ?? []),
  };
}

function toRoleAssignment(a: RoleAssignment): RoleAssignmentInfo {
  return {
    id: a.id ?? "",
    name: a.name ?? "",
    scope: a.scope ?? "",
    roleDefinitionId: a.roleDefinitionId ?? "",
    principalId: a.principalId ?? "",
    ...(a.description ? { description: a.description } : {}),
  };
}

/** OData string literal: single quotes doubled. */
const odata = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function createAzureOps(profile: CloudProfile, options: AzureOpsOptions = {}): AzureOps {
  const clients = createClients(profile);
  const pollMs = options.clusterPollMs ?? 5_000;
  const busyBudget = options.clusterBusyBudgetMs ?? 60 * 60_000;
  const replication = options.replication ?? DEFAULT_REPLICATION;
  // Azure rejects concurrent credential writes on one identity (409); serialize ours.
  const ficMutex = new KeyedMutex();
  /** Says each wait for Azure's replication (or another writer), as every retry does. */
  const waiting = (what: string) => (code: string, delayMs: number) => {
    const why = code.startsWith("Concurrent") ? "another write to the identity's credentials is running" : "Azure replicates a new identity within minutes";
    profile.onRetry?.(`ARM ${code}, waiting ${(delayMs / 1000).toFixed(1)} s (${what}: ${why})`, {
      service: "ARM",
      what,
      reason: code,
      retry: 0,
      of: 0,
      delayMs,
    });
  };

  const clusterId = (sub: string, rg: string, name: string) =>
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;

  async function getClusterRaw(sub: string, rg: string, name: string): Promise<ClusterInfo | undefined> {
    try {
      const raw = await readCluster(clients.containerService(sub), profile.armEndpoint, clusterId(sub, rg, name), AKS_API_VERSION);
      return raw && fromRaw(raw.body, raw.etag);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw toAzureError(e, `reading cluster ${name}`);
    }
  }

  /** Re-reads the cluster until its provisioning state is terminal (no operation running). */
  async function waitUntilFree(c: ClusterInfo, onProgress?: (s: string) => void): Promise<ClusterInfo> {
    const started = Date.now();
    const sub = subscriptionOf(c.id);
    for (;;) {
      const now = await getClusterRaw(sub, c.resourceGroup, c.name);
      if (!now)
        throw new AzureError(
          `cluster ${c.name} not found in resource group ${c.resourceGroup}`,
          "ResourceNotFound",
          404,
          "check --resource-group and --cluster",
        );
      const state = (now.provisioningState || "Succeeded").toLowerCase();
      if (TERMINAL.has(state)) return now;
      if (Date.now() - started > busyBudget) {
        throw new AzureError(
          `cluster ${c.name} is still ${now.provisioningState} after ${Math.round(busyBudget / 60_000)} min`,
          "OperationNotAllowed",
          409,
          "wait for its running operation to finish, then re-run aks-wi init",
        );
      }
      onProgress?.(`waiting for the cluster's running operation (${now.provisioningState}) to finish`);
      await sleep(pollMs);
    }
  }

  return {
    async listSubscriptions() {
      return azureCall("listing subscriptions", async () =>
        (await all(clients.subscriptions().subscriptions.list())).map((s) => ({
          id: s.subscriptionId ?? "",
          name: s.displayName ?? "",
          tenantId: s.tenantId ?? "",
        })),
      );
    },

    async listResourceGroups(sub) {
      return azureCall("listing resource groups", async () =>
        (await all(clients.resources(sub).resourceGroups.list())).map((g) => ({ name: g.name ?? "", location: g.location })),
      );
    },

    async listClusters(sub, rg) {
      return azureCall("listing clusters", async () => {
        const mc = clients.containerService(sub).managedClusters;
        return (await all(rg ? mc.listByResourceGroup(rg) : mc.list())).map(toCluster);
      });
    },

    async getCluster(sub, rg, name) {
      return getClusterRaw(sub, rg, name);
    },

    async enableWorkloadIdentity(observed, hooks = {}) {
      const client = clients.containerService(subscriptionOf(observed.id));
      const started = Date.now();
      let current = observed;
      for (;;) {
        // A busy cluster's eTag changes when its operation ends: read it again once it is free.
        if (!TERMINAL.has((current.provisioningState || "Succeeded").toLowerCase())) current = await waitUntilFree(current, hooks.onProgress);
        if (current.oidcIssuerEnabled && current.workloadIdentityEnabled) {
          hooks.onAccepted?.();
          return current;
        }
        try {
          hooks.onProgress?.("updating the cluster");
          const after = await putCluster(client, profile.armEndpoint, current.id, AKS_API_VERSION, withWorkloadIdentity(current.raw as Json), current.etag, {
            onAccepted: hooks.onAccepted,
            onProgress: (s) => hooks.onProgress?.(`updating the cluster (${s})`),
            pollIntervalMs: options.lroPollMs,
          });
          return fromRaw(after, undefined);
        } catch (e) {
          if (statusCode(e) === 412) throw new ChangedSincePlanError(`cluster ${current.name}`);
          // Another operation started between our read and our PUT: wait for it and try again.
          const busy = statusCode(e) === 409 || errorCode(e) === "OperationNotAllowed";
          if (!busy || Date.now() - started > busyBudget) throw toAzureError(e, `updating cluster ${current.name}`);
          hooks.onProgress?.("the cluster is busy with another operation; waiting");
          await sleep(pollMs);
          current = await waitUntilFree({ ...current, provisioningState: "Updating" }, hooks.onProgress);
        }
      }
    },

    async callerPermissions(scope) {
      return scopeCall(scope, `reading your permissions at ${scope}`, () =>
        callerPermissions(clients.authorization(subscriptionOf(scope)), profile.armEndpoint, scope),
      );
    },

    async listIdentities(sub, rg) {
      return azureCall("listing managed identities", async () => {
        const ids = clients.msi(sub).userAssignedIdentities;
        return (await all(rg ? ids.listByResourceGroup(rg) : ids.listBySubscription())).map(toIdentity);
      });
    },

    async getIdentity(sub, rg, name) {
      try {
        return toIdentity(await clients.msi(sub).userAssignedIdentities.get(rg, name));
      } catch (e) {
        // A missing resource group is not "create the identity": planning stops on it, before any change.
        if (isNotFound(e) && errorCode(e) !== "ResourceGroupNotFound") return undefined;
        throw toAzureError(e, `reading identity ${name}`);
      }
    },

    async createIdentity(sub, rg, name, location, tags) {
      return azureCall(`creating identity ${name}`, async () =>
        toIdentity(await clients.msi(sub).userAssignedIdentities.createOrUpdate(rg, name, { location, tags })),
      );
    },

    async listFederatedCredentials(sub, rg, identity) {
      // A just-created identity can answer ParentResourceNotFound here too (same replication delay).
      return azureCall(`listing federated credentials of ${identity}`, () =>
        retryOnCodes(
          ["ParentResourceNotFound"],
          replication,
          async () => (await all(clients.msi(sub).federatedIdentityCredentials.list(rg, identity))).map(toFederated),
          waiting(`listing the credentials of ${identity}`),
        ),
      );
    },

    async putFederatedCredential(sub, rg, identity, fc) {
      const key = `${sub}/${rg}/${identity}`.toLowerCase();
      return ficMutex.run(key, () =>
        azureCall(`writing federated credential ${fc.name}`, () =>
          retryOnCodes(
            ["ParentResourceNotFound", "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"],
            replication,
            async () =>
              toFederated(
                await clients.msi(sub).federatedIdentityCredentials.createOrUpdate(rg, identity, fc.name, {
                  issuer: fc.issuer,
                  subject: fc.subject,
                  audiences: fc.audiences,
                }),
              ),
            waiting(`writing federated credential ${fc.name}`),
          ),
        ),
      );
    },

    async resolveRole(scope, role) {
      const defs = clients.authorization(subscriptionOf(scope)).roleDefinitions;
      return scopeCall(scope, `resolving role "${role}" at ${scope}`, async () => {
        if (isGuid(role)) {
          try {
            return toRoleDefinition(await defs.get(scope, role));
          } catch (e) {
            if (isNotFound(e) || errorCode(e) === "RoleDefinitionDoesNotExist") return undefined;
            throw e;
          }
        }
        const found = await all(defs.list(scope, { filter: `roleName eq ${odata(role)}` }));
        const exact = found.find((d) => d.roleName === role) ?? found.find((d) => d.roleName?.toLowerCase() === role.toLowerCase());
        return exact && toRoleDefinition(exact);
      });
    },

    async listRoleDefinitions(scope) {
      // Without $filter ARM lists the built-in roles and the custom roles assignable at the scope
      // (Role Definitions - List, azure-rest-api-specs Microsoft.Authorization roleDefinitions).
      return scopeCall(scope, `listing the role definitions at ${scope}`, async () =>
        (await all(clients.authorization(subscriptionOf(scope)).roleDefinitions.list(scope))).map(toRoleListing),
      );
    },

    async listResources(sub, resourceType) {
      // Resources - List with `$filter=resourceType eq '…'`, as az keyvault show --name finds a vault
      // without -g (azure-rest-api-specs Microsoft.Resources/stable/2021-04-01/resources.json).
      return azureCall(`listing the ${resourceType} resources`, async () =>
        (await all(clients.resources(sub).resources.list({ filter: `resourceType eq ${odata(resourceType)}` }))).map((r): ResourceInfo => ({
          id: r.id ?? "",
          name: r.name ?? "",
          type: r.type ?? resourceType,
          resourceGroup: resourceGroupOf(r.id ?? ""),
          location: r.location ?? "",
        })),
      );
    },

    async listKubernetesVersions(sub, location) {
      try {
        const r = await clients.containerService(sub).managedClusters.listKubernetesVersions(location);
        return (r.values ?? []).filter((v) => !v.isPreview && v.version).map((v) => v.version!);
      } catch (e) {
        throw toAzureError(e, `listing the Kubernetes versions of ${location}`);
      }
    },

    async listRoleAssignments(scope, principalId) {
      return scopeCall(scope, "listing role assignments", async () =>
        (await all(clients.authorization(subscriptionOf(scope)).roleAssignments.listForScope(scope, { filter: `principalId eq ${odata(principalId)}` })))
          .map(toRoleAssignment)
          .filter((a) => a.principalId.toLowerCase() === principalId.toLowerCase()),
      );
    },

    async createRoleAssignment(scope, name, roleDefinitionId, principalId, description) {
      const ra = clients.authorization(subscriptionOf(scope)).roleAssignments;
      return scopeCall(scope, "creating role assignment", async () => {
        try {
          return toRoleAssignment(
            await retryOnCodes(
              ["PrincipalNotFound"],
              replication,
              () => ra.create(scope, name, { roleDefinitionId, principalId, principalType: "ServicePrincipal", description }),
              waiting(`assigning a role to principal ${principalId}`),
            ),
          );
        } catch (e) {
          if (errorCode(e) !== "RoleAssignmentExists") throw e;
          // Same role, principal and scope already assigned (possibly under another name): done.
          const existing = (await all(ra.listForScope(scope, { filter: `principalId eq ${odata(principalId)}` })))
            .map(toRoleAssignment)
            .find(
              (a) =>
                a.scope.toLowerCase() === scope.toLowerCase() && a.roleDefinitionId.toLowerCase().endsWith(roleDefinitionId.toLowerCase().split("/").pop()!),
            );
          return existing ?? { id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, name, scope, roleDefinitionId, principalId };
        }
      });
    },

    async deleteRoleAssignment(id) {
      // ARM answers 204 for an assignment already gone: the SDK returns without a body.
      await scopeCall(id, `deleting role assignment ${id}`, () => clients.authorization(subscriptionOf(id)).roleAssignments.deleteById(id));
    },

    async deleteFederatedCredential(sub, rg, identity, name) {
      const key = `${sub}/${rg}/${identity}`.toLowerCase();
      await ficMutex.run(key, () =>
        azureCall(`deleting federated credential ${name}`, () =>
          retryOnCodes(
            ["ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"],
            replication,
            () => clients.msi(sub).federatedIdentityCredentials.delete(rg, identity, name),
            waiting(`deleting federated credential ${name}`),
          ),
        ),
      );
    },

    async deleteIdentity(sub, rg, name) {
      await azureCall(`deleting identity ${name}`, () => clients.msi(sub).userAssignedIdentities.delete(rg, name));
    },

    async getClusterKubeconfig(sub, rg, name, admin) {
      return azureCall(`getting the ${admin ? "admin" : "user"} credential of cluster ${name}`, async () => {
        const mc = clients.containerService(sub).managedClusters;
        const res = admin ? await mc.listClusterAdminCredentials(rg, name) : await mc.listClusterUserCredentials(rg, name);
        const value = res.kubeconfigs?.[0]?.value;
        if (!value) throw new AzureError(`cluster ${name} returned no kubeconfig`, undefined, undefined);
        return Buffer.from(value).toString("utf8");
      });
    },
  };
}
