// The cluster update as a read-modify-write of the raw JSON ARM returned, not of an SDK model:
// a model drops the fields it does not know and adds its defaults, and a managed cluster's PUT
// is a full replace, so a model round trip can silently change settings nobody asked to change.
// Only oidcIssuerProfile.enabled and securityProfile.workloadIdentity.enabled are set; the PUT
// carries `If-Match` with the eTag the plan saw, so a cluster changed since the plan answers
// 412 instead of being overwritten (AKS supports If-Match on managedClusters PUT since
// 2023-08-02-preview / 2024-01-01: azure-rest-api-specs, containerservice
// ManagedClusters_CreateOrUpdate, "If-Match" header parameter).
// Requests go through the SDK client's own pipeline (credential, retry policy, CA, proxy), and the
// long-running operation is polled by @azure/core-lro, the engine the SDK itself uses.
import type { ServiceClient } from "@azure/core-client";
import { createHttpPoller, type LongRunningOperation, type LroResponse, type OperationState } from "@azure/core-lro";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";

export type Json = Record<string, unknown>;

/** The api-version of the cluster's GET and PUT: the one the pinned SDK speaks (2025-10-01), whose
 *  ManagedCluster body has every field AKS documents for workload identity and the eTag. */
export const AKS_API_VERSION = "2025-10-01";

export interface RawCluster {
  body: Json;
  etag?: string;
}

export interface UpdateHooks {
  /** Called once ARM has accepted the PUT (201/200): the precondition held. */
  onAccepted?: () => void;
  onProgress?: (status: string) => void;
  /** Polling interval when ARM sends no Retry-After (ms). */
  pollIntervalMs?: number;
}

/** A non-2xx ARM answer, shaped like the SDK's RestError so src/azure/errors.ts reads it. */
export class ArmHttpError extends Error {
  constructor(
    message: string,
    public readonly statusCode: number,
    public readonly code: string | undefined,
  ) {
    super(message);
    this.name = "RestError";
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  json: unknown;
}

async function send(client: ServiceClient, method: "GET" | "PUT", url: string, body?: Json, extra: Record<string, string> = {}): Promise<Answer> {
  const headers = createHttpHeaders({ accept: "application/json", ...extra });
  if (body) headers.set("content-type", "application/json");
  const req = createPipelineRequest({ url, method, headers, body: body ? JSON.stringify(body) : undefined });
  const res = await client.sendRequest(req);
  let json: unknown;
  try {
    json = res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers.toJSON(), json };
}

/** Throws ARM's error as the SDK would (its message and code); the caller names what it was doing. */
function fail(a: Answer): never {
  const err = (a.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  throw new ArmHttpError(err?.message ?? `HTTP ${a.status}`, a.status, err?.code);
}

const withVersion = (url: string, apiVersion: string) => `${url}${url.includes("?") ? "&" : "?"}api-version=${apiVersion}`;

/** GET of the cluster; undefined on 404. */
export async function readCluster(client: ServiceClient, armEndpoint: string, id: string, apiVersion: string): Promise<RawCluster | undefined> {
  const a = await send(client, "GET", withVersion(`${armEndpoint}${id}`, apiVersion));
  if (a.status === 404) return undefined;
  if (a.status !== 200) fail(a);
  // ManagedCluster.eTag (read-only, api-version 2023-08-01+): "specify an if-match or if-none-match
  // header with the eTag value for a subsequent request to enable optimistic concurrency".
  const body = a.json as Json;
  return { body, etag: (body.eTag as string | undefined) ?? a.headers.etag };
}

/** The body to PUT: the GET's JSON with read-only status fields left as ARM returned them
 *  (ARM ignores read-only properties in a PUT) and only the two workload-identity flags set. */
export function withWorkloadIdentity(body: Json): Json {
  const props = { ...((body.properties as Json | undefined) ?? {}) };
  props.oidcIssuerProfile = { ...((props.oidcIssuerProfile as Json | undefined) ?? {}), enabled: true };
  const security = { ...((props.securityProfile as Json | undefined) ?? {}) };
  security.workloadIdentity = { ...((security.workloadIdentity as Json | undefined) ?? {}), enabled: true };
  props.securityProfile = security;
  return { ...body, properties: props };
}

/** PUT with If-Match, then polls the operation to its end; returns the cluster as ARM reports it then. */
export async function putCluster(
  client: ServiceClient,
  armEndpoint: string,
  id: string,
  apiVersion: string,
  body: Json,
  etag: string | undefined,
  hooks: UpdateHooks = {},
): Promise<Json> {
  const url = withVersion(`${armEndpoint}${id}`, apiVersion);
  const toLro = (a: Answer): LroResponse<Json> => ({ flatResponse: a.json as Json, rawResponse: { statusCode: a.status, headers: a.headers, body: a.json } });
  const lro: LongRunningOperation<Json> = {
    requestMethod: "PUT",
    requestPath: url,
    async sendInitialRequest() {
      const a = await send(client, "PUT", url, body, etag ? { "if-match": etag } : {});
      if (a.status !== 200 && a.status !== 201) fail(a);
      hooks.onAccepted?.();
      return toLro(a);
    },
    async sendPollRequest(path) {
      const a = await send(client, "GET", path);
      if (a.status >= 400) fail(a);
      return toLro(a);
    },
  };
  const poller = await createHttpPoller<Json, OperationState<Json>>(lro, {
    resourceLocationConfig: "azure-async-operation",
    intervalInMs: hooks.pollIntervalMs,
  });
  poller.onProgress((s) => hooks.onProgress?.(s.status));
  return poller.pollUntilDone();
}
