// Microsoft.ContainerService/managedClusters: GET, lists, PUT as a real long-running operation
// (Azure-AsyncOperation + Retry-After, Updating → Succeeded after the latency profile's update
// time, 409 while one runs), the operation-status endpoint, and the credential actions.
import { randomUUID } from "node:crypto";
import type { SandboxResponse, ServiceContext } from "../core/types.js";
import type { ArmCall, ArmRoute } from "./types.js";
import { key, type ClusterRecord } from "../core/world.js";
import { buildKubeconfig, type CredentialKind } from "../kube/kubeconfig.js";
import { CLUSTER_OPERATION_API_VERSIONS, CLUSTER_OPERATION_URL_API_VERSION, MANAGED_CLUSTER_API_VERSIONS } from "./apiVersions.js";
import { armError, resourceNotFound } from "./errors.js";
import { mergeClusterBody, seedClusterBody } from "./clusterBody.js";

export { seedClusterBody } from "./clusterBody.js";

const NS = "Microsoft.ContainerService";
const TYPE = `${NS}/managedClusters`;
const RG_BASE = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${NS}/managedClusters`;
const NAME_RULE = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;

const iso = (ms: number) => new Date(ms).toISOString();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function clusterId(call: ArmCall): string {
  return `/subscriptions/${call.ctx.world.state.subscriptionId}/resourceGroups/${call.params.resourceGroupName}/providers/${TYPE}/${call.params.resourceName}`;
}

/** Completes a cluster's running operation once its time has come: the pending body becomes the
 *  cluster, and the moments OIDC issuer / workload identity came on are recorded (the webhook
 *  mutates only pods created after). Returns true when something changed. */
export function settleCluster(ctx: ServiceContext, c: ClusterRecord): boolean {
  const op = c.operation;
  if (!op || ctx.now() < op.doneAt) return false;
  const before = c.body;
  const after = clone(op.pending);
  after.properties.provisioningState = "Succeeded";
  const oidcBefore = before?.properties?.oidcIssuerProfile?.enabled === true;
  const oidcAfter = after.properties?.oidcIssuerProfile?.enabled === true;
  if (oidcAfter && (!oidcBefore || c.oidcIssuerEnabledAt === undefined)) c.oidcIssuerEnabledAt ??= op.doneAt;
  const wiAfter = after.properties?.securityProfile?.workloadIdentity?.enabled === true;
  if (wiAfter) c.workloadIdentityEnabledAt ??= op.doneAt;
  else delete c.workloadIdentityEnabledAt;
  c.body = after;
  c.operations[op.id] = { status: "Succeeded", startTime: iso(op.startedAt), endTime: iso(op.doneAt) };
  delete c.operation;
  return true;
}

/** Settles every cluster and persists when anything finished. */
export function settleClusters(ctx: ServiceContext): void {
  let changed = false;
  for (const c of Object.values(ctx.world.state.clusters)) changed = settleCluster(ctx, c) || changed;
  if (changed) ctx.world.save();
}

/** Completes operations on time even when nobody calls ARM, so the kube side (which reads the
 *  cluster body directly) sees the change when Azure would show it. */
export function scheduleSettle(ctx: ServiceContext, doneAt: number): void {
  setTimeout(() => {
    try {
      settleClusters(ctx);
    } catch {
      // the sandbox may have stopped (its DIR removed); the next ARM access settles instead
    }
  }, Math.max(0, doneAt - ctx.now()) + 5).unref();
}

/** At service start: finish what finished while the sandbox was down, schedule the rest. */
export function resumeClusterOperations(ctx: ServiceContext): void {
  settleClusters(ctx);
  for (const c of Object.values(ctx.world.state.clusters)) if (c.operation) scheduleSettle(ctx, c.operation.doneAt);
}

function view(c: ClusterRecord): Record<string, any> {
  return clone(c.body);
}

function operationUrl(ctx: ServiceContext, location: string, opId: string): string {
  return `${ctx.info.armEndpoint}/subscriptions/${ctx.world.state.subscriptionId}/providers/${NS}/locations/${location}/operations/${opId}?api-version=${CLUSTER_OPERATION_URL_API_VERSION}`;
}

/** Seconds until the operation is expected to finish, kept small so pollers stay responsive. */
function retryAfter(ctx: ServiceContext, doneAt: number): string {
  return String(Math.min(10, Math.max(0, Math.ceil((doneAt - ctx.now()) / 1000))));
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

async function putCluster(call: ArmCall): Promise<SandboxResponse> {
  const { ctx } = call;
  const name = call.params.resourceName;
  const body = call.json;
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Missing request body.'.");
  }
  if (typeof body.location !== "string" || !body.location) return armError(400, "LocationRequired", "The location property is required for this definition.");
  const id = clusterId(call);
  const record = ctx.world.state.clusters[key(id)];
  if (record) settleCluster(ctx, record);

  if (record?.operation) return busy(record);
  if (!record && !NAME_RULE.test(name)) {
    return armError(400, "InvalidParameter", `Provided resource name '${name}' is invalid. The name must start and end with an alphanumeric character, contain only alphanumerics, underscores and hyphens, and be between 1 and 63 characters long.`);
  }
  const invalid = validationError(body, record?.body);
  if (invalid) return invalid;

  let base: Record<string, any>;
  if (record) {
    base = record.body;
    const location = String(body.location).toLowerCase().replace(/\s+/g, "");
    if (location !== String(base.location).toLowerCase()) {
      return armError(400, "BadRequest", `Cannot change the location of managed cluster '${name}' from '${base.location}' to '${location}'.`);
    }
  } else {
    base = seedClusterBody({
      id, name, location: String(body.location).toLowerCase().replace(/\s+/g, ""),
      resourceGroup: call.params.resourceGroupName, kubeServer: ctx.info.kubeServer, tenantId: ctx.world.state.tenantId,
    });
    base.properties.oidcIssuerProfile = { enabled: false };
  }
  const pending = mergeClusterBody(base, body);
  if (!record && typeof body.properties?.dnsPrefix === "string") pending.properties.dnsPrefix = body.properties.dnsPrefix;
  if (pending.properties.oidcIssuerProfile.enabled && !pending.properties.oidcIssuerProfile.issuerURL) {
    // AKS issuer URLs are https://HOST/TENANT/GUID/ — the trailing slash is part of the issuer.
    pending.properties.oidcIssuerProfile.issuerURL = `${ctx.info.oidcBase}/${ctx.world.state.tenantId}/${randomUUID()}/`;
  }
  return startOperation(ctx, id, record, pending);
}

/** Starts the LRO that turns the cluster into `pending`. Azure echoes the desired state at once;
 *  GETs show the old body, Creating/Updating, until the operation is done. */
function startOperation(ctx: ServiceContext, id: string, record: ClusterRecord | undefined, pending: Record<string, any>): SandboxResponse {
  const state = record ? "Updating" : "Creating";
  pending.properties.provisioningState = state;
  const now = ctx.now();
  const opId = randomUUID();
  const doneAt = now + Math.max(0, ctx.latency.clusterUpdateMs);
  const target: ClusterRecord = record ?? { id, body: clone(pending), operations: {} };
  target.body.properties.provisioningState = state;
  if (!record) ctx.world.state.clusters[key(id)] = target;
  target.operation = { id: opId, startedAt: now, doneAt, status: "InProgress", pending: clone(pending) };
  const response: SandboxResponse = {
    status: record ? 200 : 201,
    headers: { "azure-asyncoperation": operationUrl(ctx, pending.location, opId), "retry-after": retryAfter(ctx, doneAt) },
    body: pending,
  };
  if (doneAt <= now) settleCluster(ctx, target);
  else scheduleSettle(ctx, doneAt);
  ctx.world.save();
  return response;
}

function busy(record: ClusterRecord): SandboxResponse {
  return armError(409, "OperationNotAllowed", `Operation is not allowed: Another operation (${record.body.properties?.provisioningState ?? "Updating"}) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details`);
}

/** PATCH (updateTags): only tags change, still as an operation. */
async function patchClusterTags(call: ArmCall): Promise<SandboxResponse> {
  const { ctx } = call;
  const body = call.json;
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Missing request body.'.");
  }
  const id = clusterId(call);
  const record = ctx.world.state.clusters[key(id)];
  if (!record) return resourceNotFound(TYPE, call.params.resourceName, call.params.resourceGroupName);
  settleCluster(ctx, record);
  if (record.operation) return busy(record);
  const pending = clone(record.body);
  if (body.tags && typeof body.tags === "object") pending.tags = clone(body.tags);
  else delete pending.tags;
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
      const value = Buffer.from(buildKubeconfig(call.ctx, kind)).toString("base64");
      return { status: 200, body: { kubeconfigs: [{ name: kind === "admin" ? "clusterAdmin" : "clusterUser", value }] } };
    },
  };
}

export const clusterRoutes: ArmRoute[] = [
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
  {
    path: `/subscriptions/{subscriptionId}/providers/${NS}/locations/{location}/operations/{operationId}`,
    methods: ["GET"],
    apiVersions: CLUSTER_OPERATION_API_VERSIONS,
    action: () => `${NS}/locations/operations/read`,
    async handle(call) {
      settleClusters(call.ctx);
      const opId = call.params.operationId;
      for (const c of Object.values(call.ctx.world.state.clusters)) {
        if (c.operation && key(c.operation.id) === key(opId)) {
          return {
            status: 200,
            headers: { "retry-after": retryAfter(call.ctx, c.operation.doneAt) },
            body: { name: c.operation.id, status: "InProgress", startTime: iso(c.operation.startedAt) },
          };
        }
        const done = Object.entries(c.operations).find(([id]) => key(id) === key(opId));
        if (done) return { status: 200, body: { name: done[0], ...done[1] } };
      }
      return armError(404, "NotFound", `Operation ${opId} not found.`);
    },
  },
  credentialRoute("listClusterUserCredential", "user"),
  credentialRoute("listClusterAdminCredential", "admin"),
];
