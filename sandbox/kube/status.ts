// Kubernetes' metav1.Status error shape, as kube-apiserver answers every failure.
import type { SandboxResponse } from "../core/types.js";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

const reasonByCode: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "AlreadyExists",
  415: "UnsupportedMediaType",
  422: "Invalid",
  500: "InternalError",
};

export function statusBody(code: number, message: string, reason?: string, details?: Record<string, unknown>) {
  const body: Record<string, unknown> = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: reason ?? reasonByCode[code] ?? "Unknown",
    code,
  };
  if (details) body.details = details;
  return body;
}

export function failure(code: number, message: string, reason?: string, details?: Record<string, unknown>): SandboxResponse {
  return { status: code, body: statusBody(code, message, reason, details) };
}

/** `pods "x" not found` — details carry the group-less kind, as the real server does for core kinds. */
export function notFound(resource: string, name: string, group = ""): SandboxResponse {
  return failure(404, `${resource}${group ? "." + group : ""} "${name}" not found`, "NotFound", { name, ...(group ? { group } : {}), kind: resource });
}

export function alreadyExists(resource: string, name: string): SandboxResponse {
  return failure(409, `${resource} "${name}" already exists`, "AlreadyExists", { name, kind: resource });
}

/** apimachinery's NewConflict with its OptimisticLockErrorMsg: the resource qualified by its group
 *  ("deployments.apps"), details naming group and resource as the real server does. */
export function conflict(resource: string, name: string, group = ""): SandboxResponse {
  return failure(
    409,
    `Operation cannot be fulfilled on ${resource}${group ? "." + group : ""} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    "Conflict",
    { name, ...(group ? { group } : {}), kind: resource },
  );
}

/** 422 Invalid: `Kind "name" is invalid: field: message`. */
export function invalid(kind: string, name: string, causes: StatusCause[]): SandboxResponse {
  const msg = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return failure(422, `${kind} "${name}" is invalid: ${causes.length > 1 ? "[" + msg + "]" : msg}`, "Invalid", {
    name,
    kind: kind.toLowerCase() === kind ? kind : kind,
    causes,
  });
}

export function badRequest(message: string): SandboxResponse {
  return failure(400, message, "BadRequest");
}

/** A verb the resource (or subresource) does not serve. */
export function methodNotAllowed(): SandboxResponse {
  return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
}

/** An API path naming no resource the server has. */
export function requestNotFound(): SandboxResponse {
  return failure(404, "the server could not find the requested resource", "NotFound", {});
}

/** A path outside every API prefix: the Go mux's plain-text 404. */
export function pageNotFound(): SandboxResponse {
  return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" };
}

/** A step that either yields a value or has already decided the answer. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; res: SandboxResponse };

export function ok(body: unknown, status = 200): SandboxResponse {
  return { status, body };
}

/** The Status a successful DELETE of a namespaced object may return is the object itself; this is for collections. */
export function success(details?: Record<string, unknown>) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", ...(details ? { details } : {}) };
}
