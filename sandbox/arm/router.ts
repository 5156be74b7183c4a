// The ARM front door: answers ARM's own metadata (metadata-endpoints.ts), matches any other
// request to a route of some resource provider and runs ARM's checks in ARM's order before the
// provider sees it — path, api-version, token, body, RBAC, subscription and resource group.
// Every answer (errors included) carries ARM's headers, and a handler that throws becomes ARM's
// 500; the router itself never throws.
import { presentedCloud } from "../core/clouds.js";
import { randomUUID } from "node:crypto";
import type { Handler, SandboxRequest, SandboxResponse, ServiceContext, TokenCheck } from "../core/types.js";
import type { ArmCall, ArmRoute } from "./route.js";
import { key, subscriptionIds } from "../core/world.js";
import { metadataEndpoints } from "./metadata-endpoints.js";
import { noteCaller } from "../core/request-log.js";
import { isPermitted } from "./providers/authorization/rbac.js";
import { providerRegistered } from "./providers/resources/registrations.js";
import {
  armError,
  authorizationFailed,
  internalError,
  invalidApiVersion,
  invalidRequestContent,
  invalidResourceNamespace,
  invalidResourceType,
  missingApiVersion,
  missingSubscriptionRegistration,
  noRegisteredProvider,
  resourceGroupNotFound,
  subscriptionNotFound,
} from "./errors.js";

type Segment = { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "rest"; name: string };

export interface CompiledRoute {
  route: ArmRoute;
  segments: Segment[];
  /** More literal segments = more specific; the most specific matching route wins. */
  literals: number;
  /** Resource-provider namespace of the template (segment after its last literal "providers"). */
  namespace?: string;
}

/** Path segments, with any run of leading slashes collapsed and a trailing slash ignored. */
export function splitPath(path: string): string[] {
  return path
    .replace(/^\/+/, "")
    .split("/")
    .filter((s, i, all) => !(s === "" && i === all.length - 1));
}

export function compileRoute(route: ArmRoute): CompiledRoute {
  const segments: Segment[] = splitPath(route.path).map((s) => {
    const m = /^\{(\*?)([^}]+)\}$/.exec(s);
    if (!m) return { kind: "literal", value: s.toLowerCase() };
    return m[1] ? { kind: "rest", name: m[2] } : { kind: "param", name: m[2] };
  });
  let namespace: string | undefined;
  segments.forEach((s, i) => {
    const next = segments[i + 1];
    if (s.kind === "literal" && s.value === "providers" && next?.kind === "literal") namespace = splitPath(route.path)[i + 1];
  });
  return { route, segments, literals: segments.filter((s) => s.kind === "literal").length, namespace };
}

/** Matches path segments against a template, case-insensitively; `{*x}` takes 1+ segments
 *  (backtracking, since a scope can itself contain "providers/…"). Values keep the caller's case;
 *  a `{*x}` value is the joined segments with a leading slash (an ARM ID). */
export function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const go = (si: number, pi: number): boolean => {
    if (si === segments.length) return pi === parts.length;
    const s = segments[si];
    if (s.kind === "rest") {
      for (let end = parts.length - (segments.length - si - 1); end > pi; end--) {
        if (go(si + 1, end)) {
          params[s.name] = "/" + parts.slice(pi, end).join("/");
          return true;
        }
      }
      return false;
    }
    if (pi >= parts.length || parts[pi] === "") return false;
    if (s.kind === "literal") return parts[pi].toLowerCase() === s.value && go(si + 1, pi + 1);
    if (!go(si + 1, pi + 1)) return false;
    params[s.name] = parts[pi];
    return true;
  };
  return go(0, 0) ? params : undefined;
}

const REGION = "EASTUS";
/** Namespaces ARM answers for itself: never unregistered (providers.ts lists them as RegistrationFree). */
const REGISTRATION_FREE = new Set(["microsoft.resources", "microsoft.authorization", "microsoft.features"]);

/** ARM's response headers: request and correlation IDs (the client's correlation ID and
 *  client request ID are echoed), routing ID, no-cache, and the rate-limit counters. */
function withArmHeaders(res: SandboxResponse, req: SandboxRequest): SandboxResponse {
  const requestId = randomUUID();
  const header = (n: string) => {
    const v = req.headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const correlationId = header("x-ms-correlation-request-id") ?? requestId;
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const headers: Record<string, string> = {
    "cache-control": "no-cache",
    pragma: "no-cache",
    expires: "-1",
    "x-content-type-options": "nosniff",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": correlationId,
    "x-ms-routing-request-id": `${REGION}:${stamp}:${correlationId}`,
    ...(req.method === "GET" || req.method === "HEAD"
      ? { "x-ms-ratelimit-remaining-subscription-reads": "11999" }
      : { "x-ms-ratelimit-remaining-subscription-writes": "1199" }),
    ...(res.headers ?? {}),
  };
  const clientRequestId = header("x-ms-client-request-id");
  if (clientRequestId) headers["x-ms-client-request-id"] = clientRequestId;
  return { ...res, headers };
}

const utc = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};

function expiryOf(authorization: string | undefined): number | undefined {
  try {
    const payload = (authorization ?? "").replace(/^Bearer\s+/i, "").split(".")[1];
    const exp = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** ARM's 401s: code by failure kind, and a WWW-Authenticate challenge naming the authority. */
function authFailure(ctx: ServiceContext, check: Exclude<TokenCheck, { ok: true }>, authorization: string | undefined): SandboxResponse {
  let code = "InvalidAuthenticationToken";
  let message = check.message;
  let description = check.message;
  switch (check.reason) {
    case "missing":
      code = "AuthenticationFailed";
      message = "Authentication failed. The 'Authorization' header is missing.";
      description = "The authentication failed because of missing 'Authorization' header.";
      break;
    case "malformed":
      code = "AuthenticationFailed";
      message = "Authentication failed. The 'Authorization' header is provided in an invalid format.";
      description = "The authentication failed because of malformed 'Authorization' header.";
      break;
    case "expired": {
      code = "ExpiredAuthenticationToken";
      const exp = expiryOf(authorization);
      message = exp !== undefined ? `The access token expiry UTC time '${utc(exp)}' is earlier than current UTC time '${utc(Date.now())}'.` : check.message;
      description = "The access token has expired.";
      break;
    }
    case "audience":
      code = "InvalidAuthenticationTokenAudience";
      description = "The access token has been obtained for wrong audience or resource.";
      break;
    case "tenant":
      code = "InvalidAuthenticationTokenTenant";
      description = "The access token is from the wrong issuer.";
      break;
    case "signature":
      code = "InvalidAuthenticationToken";
      message = "The access token is invalid.";
      description = "The access token is invalid.";
      break;
  }
  const challenge = `Bearer authorization_uri="${ctx.info.authorityHost}/${ctx.info.tenantId}", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`;
  return armError(401, code, message, { "www-authenticate": challenge });
}

/** ARM's answer for a path no provider serves: the namespace is unknown, or the type is not in it. */
function unknownPath(parts: string[], apiVersion: string, namespaces: Set<string>): SandboxResponse {
  const lower = parts.map((p) => p.toLowerCase());
  const at = lower.lastIndexOf("providers");
  if (at >= 0 && parts[at + 1]) {
    const namespace = parts[at + 1];
    if (!namespaces.has(namespace.toLowerCase())) return invalidResourceNamespace(namespace);
    const types = parts.slice(at + 2).filter((_, i) => i % 2 === 0);
    return invalidResourceType(types.join("/"), namespace, apiVersion);
  }
  const types = parts.filter((_, i) => i % 2 === 0).filter((t) => !["subscriptions", "resourcegroups"].includes(t.toLowerCase()));
  return invalidResourceType(types.join("/") || parts.join("/"), "Microsoft.Resources", apiVersion);
}

function apiVersionError(c: CompiledRoute, parts: string[], params: Record<string, string>, apiVersion: string, location: string): SandboxResponse {
  const ns = c.namespace;
  if (!ns || ns.toLowerCase() === "microsoft.resources") return invalidApiVersion(apiVersion, c.route.apiVersions);
  const lower = parts.map((p) => p.toLowerCase());
  const at = lower.lastIndexOf("providers");
  const type = parts
    .slice(at + 2)
    .filter((_, i) => i % 2 === 0)
    .join("/");
  const loc = params.location ?? location;
  return noRegisteredProvider(loc, apiVersion, type, c.route.apiVersions, [loc]);
}

function parseJson(req: SandboxRequest): { ok: true; json?: any } | { ok: false; detail: string } {
  if (!req.body || req.body.length === 0) return { ok: true, json: undefined };
  const text = req.body.toString("utf8");
  if (text.trim() === "") return { ok: true, json: undefined };
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (e) {
    return { ok: false, detail: `Unexpected character encountered while parsing value. ${(e as Error).message}` };
  }
}

export function createArmHandler(ctx: ServiceContext, routes: ArmRoute[]): Handler {
  // Stable sort: among equally specific templates the earlier route wins.
  const compiled = routes
    .map(compileRoute)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.literals - a.c.literals || a.i - b.i)
    .map((x) => x.c);
  const namespaces = new Set(["microsoft.resources", ...compiled.map((c) => c.namespace?.toLowerCase()).filter((n): n is string => !!n)]);
  // a sandbox presenting a sovereign cloud also takes that cloud's management audience, as its ARM does
  const presented = presentedCloud(ctx.info.cloud)?.cloud.managementResource;
  const audiences = [ctx.info.armAudience, ctx.info.armAudience + "/", "https://management.core.windows.net/", ...(presented ? [presented] : [])];

  async function dispatch(req: SandboxRequest): Promise<SandboxResponse> {
    const parts = splitPath(req.path);
    const method = req.method.toUpperCase();
    const apiVersion = req.url.searchParams.get("api-version");
    // ARM's own cloud metadata, served to anyone before any provider is involved
    const metadata = metadataEndpoints(ctx, req, parts);
    if (metadata) return metadata;

    const matches = compiled.map((c) => ({ c, params: matchSegments(c.segments, parts) })).filter((m) => m.params !== undefined);
    if (matches.length === 0) return unknownPath(parts, apiVersion ?? "", namespaces);
    const hit = matches.find((m) => m.c.route.methods.some((x) => x.toUpperCase() === method));
    if (!hit) return armError(405, "MethodNotAllowed", `The HTTP method '${method}' is not supported on the resource '${req.url.href}'.`);
    const { c } = hit;
    const params = hit.params!;

    if (!apiVersion) return missingApiVersion();
    const supported = c.route.apiVersions.find((v) => v.toLowerCase() === apiVersion.toLowerCase());
    if (!supported) return apiVersionError(c, parts, params, apiVersion, ctx.world.state.location);

    // Subscription-scoped requests need a token of the subscription's tenant; tenant-level
    // ones (subscription and tenant lists) take any known tenant and show only what it owns.
    const underSubscription = parts[0]?.toLowerCase() === "subscriptions" && parts.length >= 2;
    const authorization = Array.isArray(req.headers.authorization) ? req.headers.authorization[0] : req.headers.authorization;
    const check = await ctx.tokens.verifyBearer(authorization, audiences, underSubscription ? ctx.info.tenantId : undefined);
    if (!check.ok) return authFailure(ctx, check, authorization);
    if (check.claims.oid) noteCaller(req.raw, check.claims.oid);
    if (!check.claims.oid) {
      return armError(
        401,
        "InvalidAuthenticationToken",
        "The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be present. If you are accessing as application please make sure service principal is properly created in the tenant.",
      );
    }

    const parsed = parseJson(req);
    if (!parsed.ok) return invalidRequestContent(parsed.detail);

    if (underSubscription && !subscriptionIds(ctx.world.state).some((s) => key(s) === key(parts[1]))) return subscriptionNotFound(parts[1]);

    const call: ArmCall = { req, params, apiVersion: supported, caller: check.claims, ctx, json: parsed.json };
    const action = c.route.action?.(call);
    if (action) {
      const scope = c.route.scope?.(call) ?? "/" + parts.join("/");
      if (!isPermitted(ctx.world, check.claims.oid, scope, action)) return authorizationFailed(check.claims.oid, check.claims.oid, action, scope);
    }

    // ARM forwards nothing to a resource provider the subscription has not registered
    if (underSubscription && c.namespace && !REGISTRATION_FREE.has(c.namespace.toLowerCase()) && !providerRegistered(ctx, parts[1], c.namespace)) {
      return missingSubscriptionRegistration(c.namespace);
    }

    // Anything below a resource group needs the group (the group's own route answers for itself).
    if (underSubscription && parts[2]?.toLowerCase() === "resourcegroups" && parts.length > 4) {
      const rgId = `/subscriptions/${parts[1]}/resourceGroups/${parts[3]}`;
      if (!ctx.world.state.resourceGroups[key(rgId)]) return resourceGroupNotFound(parts[3]);
    }

    return c.route.handle(call);
  }

  return async (req) => {
    let res: SandboxResponse;
    try {
      res = await dispatch(req);
    } catch {
      res = internalError();
    }
    return withArmHeaders(res, req);
  };
}
