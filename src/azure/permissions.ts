// The signed-in caller's effective permissions at an ARM scope, for the plan's permission
// preflight: `GET {scope}/providers/Microsoft.Authorization/permissions` (api-version 2022-04-01,
// azure-rest-api-specs authorization/stable/2022-04-01/authorization-Permissions.json). The SDK
// only offers it for resource groups and resources, so the request is sent through the
// authorization client's own pipeline (credential, retry policy, CA) for any scope, subscription
// included. A scope that does not exist answers 404, which the caller reports as a bad --scope.
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { ArmHttpError } from "./cluster-raw.js";

export const PERMISSIONS_API_VERSION = "2022-04-01";

export interface ArmPermission {
  actions: string[];
  notActions: string[];
}

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export async function callerPermissions(client: AuthorizationManagementClient, armEndpoint: string, scope: string): Promise<ArmPermission[]> {
  const out: ArmPermission[] = [];
  let url: string | undefined = `${armEndpoint}${scope}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
  while (url) {
    const res = await client.sendRequest(createPipelineRequest({ url, method: "GET", headers: createHttpHeaders({ accept: "application/json" }) }));
    let body: { value?: unknown[]; nextLink?: string; error?: { code?: string; message?: string } } = {};
    try {
      body = res.bodyAsText ? JSON.parse(res.bodyAsText) : {};
    } catch {
      /* not JSON: reported by status below */
    }
    if (res.status !== 200) throw new ArmHttpError(body.error?.message ?? `HTTP ${res.status}`, res.status, body.error?.code);
    for (const p of body.value ?? []) {
      const q = p as Record<string, unknown>;
      out.push({ actions: strings(q.actions), notActions: strings(q.notActions) });
    }
    url = body.nextLink;
  }
  return out;
}
