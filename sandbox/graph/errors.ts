// Microsoft Graph's error body, {"error":{"code","message","innerError":{date,request-id,
// client-request-id}}}, and the headers every Graph answer carries (request-id, the client's
// client-request-id echoed, OData 4.0). As recorded by the Azure CLI against graph.microsoft.com
// (Azure/azure-cli, src/azure-cli/azure/cli/command_modules/role/tests/latest/recordings/*.yaml).
import { randomUUID } from "node:crypto";
import type { SandboxRequest, SandboxResponse } from "../core/types.js";

export const ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Graph's response headers: its request-id, the caller's client-request-id (or a fresh one). */
export function graphHeaders(req: SandboxRequest, requestId = randomUUID()): Record<string, string> {
  return {
    "content-type": ODATA_JSON,
    "cache-control": "no-cache",
    "odata-version": "4.0",
    "strict-transport-security": "max-age=31536000",
    "request-id": requestId,
    "client-request-id": header(req, "client-request-id") ?? requestId,
  };
}

export function graphError(req: SandboxRequest, status: number, code: string, message: string, extra: Record<string, string> = {}): SandboxResponse {
  const headers = { ...graphHeaders(req), ...extra };
  const date = new Date().toISOString().replace(/\.\d+Z$/, "");
  return {
    status,
    headers,
    body: { error: { code, message, innerError: { date, "request-id": headers["request-id"], "client-request-id": headers["client-request-id"] } } },
  };
}

/** 404 for an object ID or UPN the directory does not hold. */
export const resourceNotFound = (req: SandboxRequest, id: string) =>
  graphError(req, 404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

/** 400 for a $filter clause Graph cannot run on that property. */
export const unsupportedQuery = (req: SandboxRequest, detail: string) => graphError(req, 400, "Request_UnsupportedQuery", detail);

/** 403 for an application token without a directory read permission (Application.Read.All & co). */
export const insufficientPrivileges = (req: SandboxRequest) =>
  graphError(req, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
