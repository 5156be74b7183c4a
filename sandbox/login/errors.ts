// Entra ID's OAuth error body: {error, error_description, error_codes, timestamp, trace_id,
// correlation_id, error_uri}, the description ending in the Trace ID / Correlation ID / Timestamp
// lines that every AADSTS message carries.
import { randomUUID } from "node:crypto";
import type { SandboxRequest, SandboxResponse } from "../core/types.js";

export interface EntraFailure {
  status: 400 | 401;
  /** OAuth error: invalid_request, invalid_client, invalid_tenant, unauthorized_client, … */
  error: string;
  code: number;
  message: string;
}

/** Entra's timestamp format: "2024-03-01 07:41:07Z". */
export function entraTimestamp(ms = Date.now()): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

/** The correlation ID the client sent (MSAL puts client-request-id in the query string; other
 *  clients send it as a header), else a fresh one. */
export function correlationId(req: SandboxRequest): string {
  const h = req.url.searchParams.get("client-request-id") ?? req.headers["client-request-id"];
  const v = Array.isArray(h) ? h[0] : h;
  return v && /^[0-9a-fA-F-]{36}$/.test(v) ? v : randomUUID();
}

export function entraError(req: SandboxRequest, authorityHost: string, f: EntraFailure): SandboxResponse {
  const traceId = randomUUID();
  const corr = correlationId(req);
  const ts = entraTimestamp();
  return {
    status: f.status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store, no-cache",
      pragma: "no-cache",
      "x-ms-request-id": traceId,
      "client-request-id": corr,
    },
    body: {
      error: f.error,
      error_description: `AADSTS${f.code}: ${f.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${corr}\r\nTimestamp: ${ts}`,
      error_codes: [f.code],
      timestamp: ts,
      trace_id: traceId,
      correlation_id: corr,
      error_uri: `${authorityHost}/error?code=${f.code}`,
    },
  };
}

export const fail = (status: 400 | 401, error: string, code: number, message: string): EntraFailure => ({ status, error, code, message });

/** AADSTS90002 — the tenant in the path is unknown. */
export const tenantNotFound = (tenant: string) =>
  fail(
    400,
    "invalid_tenant",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );

/** AADSTS900144 — a required form parameter is missing. */
export const missingParameter = (name: string) => fail(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`);
