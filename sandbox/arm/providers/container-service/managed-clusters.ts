// Microsoft.ContainerService/managedClusters: GET, lists, PUT and PATCH as long-running
// operations (long-running.ts; 409 while one runs), and the credential actions, whose kubeconfigs
// the sandbox's Kubernetes API accepts.
import { randomUUID } from "node:crypto";
import type { SandboxResponse } from "../../../core/types.js";
import type { ArmCall, ArmRoute } from "../../route.js";
import { key, type ClusterRecord } from "../../../core/world.js";
import { buildKubeconfig, type CredentialKind } from "../../../kube/kubeconfig.js";
import { kubeContextOf } from "../../../kube/cluster-apis.js";
import { armError, locationRequired, missingBody, resourceNotFound } from "../../errors.js";
import { managedClusterId, mergeClusterBody, seedClusterBody } from "./cluster-body.js";
import { busy, clone, settleCluster, settleClusters, startOperation } from "./long-running.js";
import { failedPrecondition, stampETags } from "./preconditions.js";
import { isSupportedVersion } from "./kubernetes-versions.js";

/** Ascending, from azure-rest-api-specs (@azure/arm-containerservice 24.1.0 sends 2025-10-01). */
export const MANAGED_CLUSTER_API_VERSIONS = [
  "2017-08-31",
  "2018-03-31",
  "2018-08-01-preview",
  "2019-02-01",
  "2019-04-01",
  "2019-06-01",
  "2019-08-01",
  "2019-10-01",
  "2019-11-01",
  "2020-01-01",
  "2020-02-01",
  "2020-03-01",
  "2020-04-01",
  "2020-06-01",
  "2020-07-01",
  "2020-09-01",
  "2020-11-01",
  "2020-12-01",
  "2021-02-01",
  "2021-03-01",
  "2021-05-01",
  "2021-07-01",
  "2021-08-01",
  "2021-09-01",
  "2021-10-01",
  "2022-01-01",
  "2022-02-01",
  "2022-03-01",
  "2022-04-01",
  "2022-06-01",
  "2022-07-01",
  "2022-08-01",
  "2022-09-01",
  "2022-11-01",
  "2023-01-01",
  "2023-02-01",
  "2023-03-01",
  "2023-04-01",
  "2023-05-01",
  "2023-06-01",
  "2023-07-01",
  "2023-08-01",
  "2023-09-01",
  "2023-10-01",
  "2023-11-01",
  "2024-01-01",
  "2024-02-01",
  "2024-05-01",
  "2024-07-01",
  "2024-08-01",
  "2024-09-01",
  "2024-10-01",
  "2025-01-01",
  "2025-02-01",
  "2025-03-01",
  "2025-04-01",
  "2025-05-01",
  "2025-06-01",
  "2025-07-01",
  "2025-08-01",
  "2025-09-01",
  "2025-10-01",
  // previews still served
  "2023-10-02-preview",
  "2024-02-02-preview",
  "2024-05-02-preview",
  "2024-06-02-preview",
  "2024-09-02-preview",
  "2025-01-02-preview",
  "2025-03-02-preview",
  "2025-05-02-preview",
  "2025-07-02-preview",
] as const;

const NS = "Microsoft.ContainerService";
const TYPE = `${NS}/managedClusters`;
const RG_BASE = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${NS}/managedClusters`;
const NAME_RULE = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;

function clusterId(call: ArmCall): string {
  return managedClusterId(call.ctx.world.state.subscriptionId, call.params.resourceGroupName, call.params.resourceName);
}

function view(c: ClusterRecord): Record<string, any> {
  return clone(c.body);
}

function validationError(body: Record<string, any>, current: Record<string, any> | undefined): SandboxResponse | undefined {
  const wasOidc = current?.properties?.oidcIssuerProfile?.enabled === true;
  const wantOidc = body.properties?.oidcIssuerProfile?.enabled;
  if (wasOidc && wantOidc === false) return armError(400, "OIDCIssuerFeatureCannotBeDisabled", "OIDC issuer feature cannot be disabled.");
  const oidcAfter = wantOidc === undefined ? wasOidc : wantOidc === true;
  const wiAfter = body.properties?.securityProfile?.workloadIdentity?.enabled ?? current?.properties?.securityProfile?.workloadIdentity?.enabled;
  if (wiAfter === true && !oidcAfter) {
    return armError(400, "InvalidParameter", "Enabling workload identity requires enabling OIDC issuer: set properties.oidcIssuerProfile.enabled to true.");
  }
  return undefined;
}

/** What AKS answers a PUT on a cluster it will not update: stopped (Azure/AKS issue #1871) or on
 *  a Kubernetes version out of support (pulumi/pulumi-azure-native PR #3550). */
function stateRefusal(current: Record<string, any>, name: string): SandboxResponse | undefined {
  const p = current.properties ?? {};
  if (p.powerState?.code === "Stopped") {
    return armError(
      400,
      "OperationNotAllowed",
      `Managed cluster ${name} is in (${p.provisioningState},Stopped) state, and operation PutManagedCluster is not allowed in this state. Please start the cluster first.`,
    );
  }
  const version = String(p.currentKubernetesVersion ?? "");
  if (version && !isSupportedVersion(version)) {
    return armError(
      400,
      "K8sVersionNotSupported",
      `Managed cluster ${name} is on version ${version} which is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region.`,
    );
  }
  return undefined;
}

async function putCluster(call: ArmCall): Promise<SandboxResponse> {
  const { ctx } = call;
  const name = call.params.resourceName;
  const body = call.json;
  const id = clusterId(call);
  const record = ctx.world.state.clusters[key(id)];
  if (record) settleCluster(ctx, record);
  const precondition = failedPrecondition(call.req, record?.body.eTag, !!record);
  if (precondition) return precondition;
  if (!body || typeof body !== "object" || Array.isArray(body)) return missingBody();
  if (typeof body.location !== "string" || !body.location) return locationRequired();

  if (record?.operation) return busy(record);
  if (!record && !NAME_RULE.test(name)) {
    return armError(
      400,
      "InvalidParameter",
      `Provided resource name '${name}' is invalid. The name must start and end with an alphanumeric character, contain only alphanumerics, underscores and hyphens, and be between 1 and 63 characters long.`,
    );
  }
  const invalid = validationError(body, record?.body);
  if (invalid) return invalid;
  const refused = record && stateRefusal(record.body, name);
  if (refused) return refused;

  let base: Record<string, any>;
  if (record) {
    base = record.body;
    const location = String(body.location).toLowerCase().replace(/\s+/g, "");
    if (location !== String(base.location).toLowerCase()) {
      return armError(400, "BadRequest", `Cannot change the location of managed cluster '${name}' from '${base.location}' to '${location}'.`);
    }
  } else {
    base = seedClusterBody({
      id,
      name,
      location: String(body.location).toLowerCase().replace(/\s+/g, ""),
      resourceGroup: call.params.resourceGroupName,
      kubeServer: ctx.info.kubeServer,
      tenantId: ctx.world.state.tenantId,
    });
    base.properties.oidcIssuerProfile = { enabled: false };
  }
  const pending = mergeClusterBody(base, body);
  if (!record && typeof body.properties?.dnsPrefix === "string") pending.properties.dnsPrefix = body.properties.dnsPrefix;
  if (pending.properties.oidcIssuerProfile.enabled && !pending.properties.oidcIssuerProfile.issuerURL) {
    // AKS issuer URLs are https://HOST/TENANT/GUID/ — the trailing slash is part of the issuer.
    pending.properties.oidcIssuerProfile.issuerURL = `${ctx.info.oidcBase}/${ctx.world.state.tenantId}/${randomUUID()}/`;
  }
  stampETags(pending);
  return startOperation(ctx, id, record, pending);
}

/** PATCH (updateTags): only tags change, still as an operation. */
async function patchClusterTags(call: ArmCall): Promise<SandboxResponse> {
  const { ctx } = call;
  const body = call.json;
  const id = clusterId(call);
  const record = ctx.world.state.clusters[key(id)];
  if (record) settleCluster(ctx, record);
  const precondition = failedPrecondition(call.req, record?.body.eTag, !!record);
  if (precondition) return precondition;
  if (!body || typeof body !== "object" || Array.isArray(body)) return missingBody();
  if (!record) return resourceNotFound(TYPE, call.params.resourceName, call.params.resourceGroupName);
  if (record.operation) return busy(record);
  const pending = clone(record.body);
  if (body.tags && typeof body.tags === "object") pending.tags = clone(body.tags);
  else delete pending.tags;
  stampETags(pending);
  return startOperation(ctx, id, record, pending);
}

function credentialRoute(action: "listClusterUserCredential" | "listClusterAdminCredential", kind: CredentialKind): ArmRoute {
  return {
    path: `${RG_BASE}/{resourceName}/${action}`,
    methods: ["POST"],
    apiVersions: MANAGED_CLUSTER_API_VERSIONS,
    action: () => `${TYPE}/${action}/action`,
    async handle(call) {
      const c = call.ctx.world.state.clusters[key(clusterId(call))];
      if (!c) return resourceNotFound(TYPE, call.params.resourceName, call.params.resourceGroupName);
      if (kind === "admin" && c.body.properties?.disableLocalAccounts === true) {
        return armError(400, "BadRequest", "Getting static credential is not allowed because this cluster is set to disable local accounts.");
      }
      // the API that serves this cluster: its own (kube/cluster-apis.ts), or the default one
      const value = Buffer.from(buildKubeconfig(kubeContextOf(call.ctx, c.id), kind)).toString("base64");
      return { status: 200, body: { kubeconfigs: [{ name: kind === "admin" ? "clusterAdmin" : "clusterUser", value }] } };
    },
  };
}

export const managedClusterRoutes: ArmRoute[] = [
  {
    path: `/subscriptions/{subscriptionId}/providers/${NS}/managedClusters`,
    methods: ["GET"],
    apiVersions: MANAGED_CLUSTER_API_VERSIONS,
    action: () => `${TYPE}/read`,
    async handle(call) {
      settleClusters(call.ctx);
      return { status: 200, body: { value: Object.values(call.ctx.world.state.clusters).map(view) } };
    },
  },
  {
    path: RG_BASE,
    methods: ["GET"],
    apiVersions: MANAGED_CLUSTER_API_VERSIONS,
    action: () => `${TYPE}/read`,
    async handle(call) {
      settleClusters(call.ctx);
      const prefix = key(`/subscriptions/${call.ctx.world.state.subscriptionId}/resourceGroups/${call.params.resourceGroupName}/`);
      const inGroup = Object.values(call.ctx.world.state.clusters).filter((c) => key(c.id).startsWith(prefix));
      return { status: 200, body: { value: inGroup.map(view) } };
    },
  },
  {
    path: `${RG_BASE}/{resourceName}`,
    methods: ["GET"],
    apiVersions: MANAGED_CLUSTER_API_VERSIONS,
    action: () => `${TYPE}/read`,
    async handle(call) {
      settleClusters(call.ctx);
      const c = call.ctx.world.state.clusters[key(clusterId(call))];
      if (!c) return resourceNotFound(TYPE, call.params.resourceName, call.params.resourceGroupName);
      return { status: 200, body: view(c) };
    },
  },
  {
    path: `${RG_BASE}/{resourceName}`,
    methods: ["PUT"],
    apiVersions: MANAGED_CLUSTER_API_VERSIONS,
    action: () => `${TYPE}/write`,
    handle: putCluster,
  },
  {
    path: `${RG_BASE}/{resourceName}`,
    methods: ["PATCH"],
    apiVersions: MANAGED_CLUSTER_API_VERSIONS,
    action: () => `${TYPE}/write`,
    handle: patchClusterTags,
  },
  credentialRoute("listClusterUserCredential", "user"),
  credentialRoute("listClusterAdminCredential", "admin"),
];
