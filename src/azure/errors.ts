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
    // A 403 (AuthorizationFailed and its kin) is a permission the signed-in principal lacks; a
    // policy's deny is a 403 too, but no role lifts it.
    const denied = (statusCode === 403 && code !== "RequestDisallowedByPolicy") || /AuthorizationFailed$/.test(code ?? "");
    super(message, suggestion, denied ? "denied" : "failed");
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

/** The subscription of the request that failed, from its URL. */
function requestSubscription(e: unknown): string | undefined {
  const url = (e as { request?: { url?: unknown } } | undefined)?.request?.url;
  return typeof url === "string" ? /\/subscriptions\/([^/?]+)/i.exec(url)?.[1] : undefined;
}

/** ARM's error body as it came (the SDK's deserializer drops what its model does not know, such as additionalInfo). */
function rawBody(e: unknown): { error?: { additionalInfo?: unknown[] } } | undefined {
  const text = (e as { response?: { bodyAsText?: unknown } } | undefined)?.response?.bodyAsText;
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as { error?: { additionalInfo?: unknown[] } };
  } catch {
    return undefined;
  }
}

/** The resource provider a subscription has not registered: ARM answers every request to it with
 *  409 MissingSubscriptionRegistration, "namespace 'Microsoft.ManagedIdentity'" in the message. */
function registrationFix(raw: string, e: unknown): string {
  const namespace = /namespace '([^']+)'/i.exec(raw)?.[1] ?? "Microsoft.ManagedIdentity";
  const sub = requestSubscription(e);
  return `register the resource provider once (it takes a few minutes): az provider register --namespace ${namespace}${sub ? ` --subscription ${sub}` : ""}, then re-run`;
}

interface PolicyIdentifier {
  policyAssignment?: { name?: string };
  policyDefinition?: { name?: string };
}

/**
 * An Azure Policy deny names its assignment and definition in the message ("Policy identifiers:
 * '[...]'", ARM's "Resolve errors for request disallowed by policy"); when the failed check is a
 * required tag (the evaluated expression `tags[NAME]` exists false), --tags is the fix.
 */
function policyFix(raw: string, e: unknown): string {
  let names: string[] = [];
  const ids = /Policy identifiers: '(\[.*\])'/s.exec(raw)?.[1];
  if (ids) {
    try {
      names = (JSON.parse(ids) as PolicyIdentifier[]).map((p) =>
        [p.policyAssignment?.name && `assignment "${p.policyAssignment.name}"`, p.policyDefinition?.name && `definition "${p.policyDefinition.name}"`]
          .filter(Boolean)
          .join(", "),
      );
    } catch {
      names = [];
    }
  }
  const tags = new Set<string>();
  for (const info of rawBody(e)?.error?.additionalInfo ?? []) {
    const exprs = (info as { info?: { evaluationDetails?: { evaluatedExpressions?: { path?: string; operator?: string; targetValue?: unknown }[] } } }).info
      ?.evaluationDetails?.evaluatedExpressions;
    for (const x of exprs ?? []) {
      const tag = /^tags\[([^\]]+)\]$/.exec(x.path ?? "")?.[1];
      if (tag && x.operator === "Exists" && String(x.targetValue).toLowerCase() === "false") tags.add(tag);
    }
  }
  const which = names.filter(Boolean).length ? `an Azure Policy denies it (${names.filter(Boolean).join("; ")})` : "an Azure Policy denies it";
  return tags.size
    ? `${which}: it requires the tag${tags.size > 1 ? "s" : ""} ${[...tags].join(", ")}; pass ${[...tags].map((t) => `--tags ${t}=VALUE`).join(" ")} and re-run`
    : `${which}: ask the policy's owner what it requires (or for an exemption), or choose a resource group it does not cover`;
}

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
  // A policy's identifiers are a JSON list; the suggestion names them in words instead.
  if (code === "RequestDisallowedByPolicy") message = message.replace(/\s*Policy identifiers: '.*$/s, "");
  const name = (e as RestLike | undefined)?.name;
  let suggestion =
    code === "MissingSubscriptionRegistration"
      ? registrationFix(raw, e)
      : code === "RequestDisallowedByPolicy"
        ? policyFix(raw, e)
        : code
          ? SUGGESTIONS[code]
          : undefined;
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
