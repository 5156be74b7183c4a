// A managed cluster's PUT as AKS runs it: a long-running operation (Azure-AsyncOperation +
// Retry-After) that keeps the cluster Creating/Updating for the latency profile's update time,
// then turns the pending body into the cluster. Operations finish on time even when nobody polls.
import { randomUUID } from "node:crypto";
import type { SandboxResponse, ServiceContext } from "../../../core/types.js";
import { key, type ClusterRecord } from "../../../core/world.js";
import { armError } from "../../errors.js";
import { stampETags } from "./preconditions.js";

/** The api-version AKS puts into its Azure-AsyncOperation URLs. */
export const OPERATION_URL_API_VERSION = "2016-03-30";

export const iso = (ms: number) => new Date(ms).toISOString();
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

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
function scheduleSettle(ctx: ServiceContext, doneAt: number): void {
  setTimeout(
    () => {
      try {
        settleClusters(ctx);
      } catch {
        // the sandbox may have stopped (its DIR removed); the next ARM access settles instead
      }
    },
    Math.max(0, doneAt - ctx.now()) + 5,
  ).unref();
}

/** The agent pools that stay through a write carry their new eTags at once too. */
function syncPoolETags(body: Record<string, any>, pending: Record<string, any>): void {
  const next = new Map<string, string>((pending.properties?.agentPoolProfiles ?? []).map((p: any) => [String(p.name).toLowerCase(), p.eTag]));
  for (const pool of body.properties?.agentPoolProfiles ?? []) {
    const tag = next.get(String(pool.name).toLowerCase());
    if (tag) pool.eTag = tag;
  }
}

/** At service start: finish what finished while the sandbox was down, schedule the rest; a
 *  cluster of a world saved before clusters had eTags gets one. */
export function resumeClusterOperations(ctx: ServiceContext): void {
  let stamped = false;
  for (const c of Object.values(ctx.world.state.clusters)) {
    if (c.body.eTag) continue;
    stampETags(c.body);
    stamped = true;
  }
  if (stamped) ctx.world.save();
  settleClusters(ctx);
  for (const c of Object.values(ctx.world.state.clusters)) if (c.operation) scheduleSettle(ctx, c.operation.doneAt);
}

function operationUrl(ctx: ServiceContext, location: string, opId: string): string {
  return `${ctx.info.armEndpoint}/subscriptions/${ctx.world.state.subscriptionId}/providers/Microsoft.ContainerService/locations/${location}/operations/${opId}?api-version=${OPERATION_URL_API_VERSION}`;
}

/** Seconds until the operation is expected to finish, kept small so pollers stay responsive. */
export function retryAfter(ctx: ServiceContext, doneAt: number): string {
  return String(Math.min(10, Math.max(0, Math.ceil((doneAt - ctx.now()) / 1000))));
}

/** Starts the LRO that turns the cluster into `pending`. Azure echoes the desired state at once;
 *  GETs show the old body, Creating/Updating, until the operation is done. */
export function startOperation(ctx: ServiceContext, id: string, record: ClusterRecord | undefined, pending: Record<string, any>): SandboxResponse {
  const state = record ? "Updating" : "Creating";
  pending.properties.provisioningState = state;
  const now = ctx.now();
  const opId = randomUUID();
  const doneAt = now + Math.max(0, ctx.latency.clusterUpdateMs);
  const target: ClusterRecord = record ?? { id, body: clone(pending), operations: {} };
  target.body.properties.provisioningState = state;
  // the write is accepted now: the stored cluster's eTag is the new one from this moment on
  target.body.eTag = pending.eTag;
  syncPoolETags(target.body, pending);
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

/** AKS's 409 while an operation runs. */
export function busy(record: ClusterRecord): SandboxResponse {
  return armError(
    409,
    "OperationNotAllowed",
    `Operation is not allowed: Another operation (${record.body.properties?.provisioningState ?? "Updating"}) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details`,
  );
}
