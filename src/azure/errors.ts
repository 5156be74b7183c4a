// Azure SDK errors (RestError and friends) turned into one-line messages that name Azure's error
// code and what to do about it. Duck-typed so this module needs no SDK import.
import { UserError } from "../core/errors.js";
import { markTransient, networkTransient, statusTransient, transientOf } from "../core/retry.js";

export class AzureError extends UserError {
  constructor(
    message: string,
    public readonly code: string | undefined,
    public readonly statusCode: number | undefined,
    suggestion?: string,
  ) {
    // A 403 (AuthorizationFailed and its kin) is a permission the signed-in principal lacks.
    super(message, suggestion, statusCode === 403 || /AuthorizationFailed$/.test(code ?? "") ? "denied" : "failed");
    this.name = "AzureError";
  }
}

interface RestLike {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  name?: unknown;
}

/** Azure's error code (`error.code` of the ARM body, as the SDK exposes it), when there is one. */
export function errorCode(e: unknown): string | undefined {
  if (e instanceof AzureError) return e.code;
  const c = (e as RestLike | undefined)?.code;
  return typeof c === "string" ? c : undefined;
}

export function statusCode(e: unknown): number | undefined {
  const s = (e as RestLike | undefined)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

export function isNotFound(e: unknown): boolean {
  return statusCode(e) === 404 || /^(ResourceNotFound|NotFound|ResourceGroupNotFound)$/.test(errorCode(e) ?? "");
}

const SUGGESTIONS: Record<string, string> = {
  AuthorizationFailed:
    "the signed-in principal lacks permission for this action: ask for a role that grants it (e.g. Owner or User Access Administrator for role assignments)",
  ResourceGroupNotFound: "check --resource-group / --identity-resource-group (create the group first with az group create)",
  SubscriptionNotFound: "check --subscription (az account list shows the ones you can use)",
  InvalidAuthenticationToken: "sign in again (az login), or check the environment credential",
  ExpiredAuthenticationToken: "sign in again (az login)",
  PrincipalNotFound: "the identity's principal has not replicated yet: re-run aks-wi init in a minute",
  ParentResourceNotFound: "the identity has not replicated yet: re-run aks-wi init in a minute",
  RoleAssignmentLimitExceeded: "the subscription has reached its role-assignment limit: remove unused assignments",
  OperationNotAllowed: "another operation is running on the cluster: wait for it to finish and re-run aks-wi init",
  InvalidResourceName: "use a name that follows Azure's naming rules for this resource",
  LocationNotAvailableForResourceType: "pass a location where this resource type is offered",
};

/** Wraps any failure of an Azure call as an AzureError: "<what>: <code>: <message>". */
export function toAzureError(e: unknown, what: string): AzureError {
  if (e instanceof AzureError) return e;
  const code = errorCode(e);
  const status = statusCode(e);
  const raw = e instanceof Error ? e.message : String(e);
  // SDK messages can carry a JSON body or several lines; keep the first meaningful line.
  let message =
    raw
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? "unknown error";
  const name = (e as RestLike | undefined)?.name;
  let suggestion = code ? SUGGESTIONS[code] : undefined;
  // MSAL's words for "the sign-in endpoint did not answer" are a link; say what happened instead.
  const authority = /endpoints_resolution_error/.test(raw) ? /https:\/\/[^\s/'"]+/.exec((e as { errorMessage?: string }).errorMessage ?? "")?.[0] : undefined;
  if (/endpoints_resolution_error/.test(raw)) {
    message = `could not reach the Entra ID sign-in endpoint${authority ? ` ${authority}` : ""} (no answer from its discovery document)`;
    suggestion ??= "check the network and the authority host (for the sandbox: aks-wi sandbox status)";
  }
  if (!suggestion && (name === "CredentialUnavailableError" || name === "AuthenticationRequiredError")) {
    suggestion = "sign in with az login (or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET)";
  }
  if (!suggestion && status === 403) suggestion = SUGGESTIONS.AuthorizationFailed;
  const label = code ? `${code}: ` : status ? `HTTP ${status}: ` : "";
  // The SDK has spent its own retries by the time it throws: a 429, 5xx or reset is still transient.
  const transient = transientOf(e) ?? statusTransient(status)?.reason ?? networkTransient(e)?.reason;
  if (!suggestion && transient) suggestion = "Azure did not recover within the retries: wait a minute and re-run";
  const err = new AzureError(`${what}: ${label}${message}`, code, status, suggestion);
  return transient ? markTransient(err, transient) : err;
}

/** Runs an Azure call, converting its failure. */
export async function azureCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toAzureError(e, what);
  }
}

const MISSING_SCOPE = /^(ResourceNotFound|ResourceGroupNotFound|SubscriptionNotFound|InvalidResourceNamespace|InvalidResourceType|NotFound)$/;

/** Runs a call made at a role scope: when what is missing is the scope itself, the fix is --scope
 *  (not --resource-group, which the generic suggestion would name). */
export async function scopeCall<T>(scope: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = toAzureError(e, what);
    if (!MISSING_SCOPE.test(err.code ?? "") && err.statusCode !== 404) throw err;
    const scoped = new AzureError(
      err.message,
      err.code,
      err.statusCode,
      `check --scope ${scope}: it must be the full resource ID of an existing resource, group or subscription`,
    );
    const transient = transientOf(err);
    throw transient ? markTransient(scoped, transient) : scoped;
  }
}
