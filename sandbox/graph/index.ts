// The sandbox's Microsoft Graph (the `graph` listener): the v1.0 subset clients use to resolve a
// principal — servicePrincipals (list with $filter, get by object ID or by appId), users by ID or
// UPN, directoryObjects/getByIds — over the world's principals. Paths and shapes from the Graph
// v1.0 reference (serviceprincipal-list, serviceprincipal-get, user-get, directoryobject-getbyids)
// and the Azure CLI's recordings of them (Azure/azure-cli role/tests/latest/recordings). A token
// must be for Graph: the public cloud's resource (https://graph.microsoft.com) or this listener's
// own URL, which /metadata/endpoints names as microsoftGraphResourceId (the Azure CLI uses that
// one value as both Graph's resource and its base URL: role/_msgrpah/_graph_client.py).
import type { SandboxRequest, SandboxResponse, SandboxService, ServiceContext, TokenCheck } from "../core/types.js";
import { noteCaller } from "../core/request-log.js";
import { graphError, graphHeaders, insufficientPrivileges, resourceNotFound, unsupportedQuery } from "./errors.js";
import { servicePrincipalById, servicePrincipals, type ServicePrincipal } from "./directory.js";
import { parseFilter } from "./filter.js";

/** Graph's own application ID: the client_id its 401 challenge names. */
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** getByIds takes at most this many IDs (directoryobject-getbyids). */
const MAX_IDS = 1000;

function unauthorized(ctx: ServiceContext, req: SandboxRequest, check: Exclude<TokenCheck, { ok: true }>): SandboxResponse {
  const message =
    check.reason === "missing"
      ? "Access token is empty."
      : check.reason === "expired"
        ? "Lifetime validation failed, the token is expired."
        : check.reason === "audience"
          ? "Access token validation failure. Invalid audience."
          : "Access token validation failure.";
  return graphError(req, 401, "InvalidAuthenticationToken", message, {
    "www-authenticate": `Bearer realm="", authorization_uri="${ctx.info.authorityHost}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
  });
}

export function createGraphService(ctx: ServiceContext): SandboxService {
  const base = () => `${ctx.info.graphEndpoint}/v1.0`;
  const ok = (req: SandboxRequest, body: unknown, status = 200): SandboxResponse => ({ status, headers: graphHeaders(req), body });
  const entity = (req: SandboxRequest, sp: ServicePrincipal) => ok(req, { "@odata.context": `${base()}/$metadata#servicePrincipals/$entity`, ...sp });

  function listServicePrincipals(req: SandboxRequest): SandboxResponse {
    const filter = req.url.searchParams.get("$filter");
    let all = servicePrincipals(ctx);
    if (filter !== null) {
      const p = parseFilter(filter);
      if ("unsupported" in p) return unsupportedQuery(req, p.unsupported);
      all = all.filter(p);
    }
    return ok(req, { "@odata.context": `${base()}/$metadata#servicePrincipals`, value: all });
  }

  function getByIds(req: SandboxRequest): SandboxResponse {
    let body: { ids?: unknown; types?: unknown };
    try {
      body = JSON.parse(req.body.toString("utf8") || "null") ?? {};
    } catch {
      return graphError(
        req,
        400,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      );
    }
    const { ids, types } = body;
    if (!Array.isArray(ids) || ids.some((i) => typeof i !== "string") || ids.length > MAX_IDS) {
      return graphError(req, 400, "Request_BadRequest", "Invalid value specified for property 'ids' of resource 'DirectoryObject'.");
    }
    const kinds = Array.isArray(types)
      ? types.map((t) =>
          String(t)
            .toLowerCase()
            .replace(/^microsoft\.graph\./, ""),
        )
      : [];
    // every object the sandbox's directory holds is a service principal
    const wanted = kinds.length === 0 || kinds.includes("serviceprincipal") || kinds.includes("directoryobject");
    const value = wanted
      ? ids.flatMap((id) => {
          const sp = servicePrincipalById(ctx, id as string);
          return sp ? [{ "@odata.type": "#microsoft.graph.servicePrincipal", ...sp }] : [];
        })
      : [];
    return ok(req, { "@odata.context": `${base()}/$metadata#directoryObjects`, value });
  }

  async function route(req: SandboxRequest, seg: string[]): Promise<SandboxResponse> {
    const method = req.method.toUpperCase();
    const [collection, item, action] = seg;
    const get = method === "GET" || method === "HEAD";
    if (/^servicePrincipals$/i.test(collection ?? "") && seg.length === 1 && get) return listServicePrincipals(req);
    // the alternate key: servicePrincipals(appId='{appId}')
    const byAppId = /^servicePrincipals\(appId='([^']*)'\)$/i.exec(collection ?? "");
    if (byAppId && seg.length === 1 && get) {
      const sp = servicePrincipals(ctx).find((s) => s.appId.toLowerCase() === byAppId[1].toLowerCase());
      return sp ? entity(req, sp) : resourceNotFound(req, byAppId[1]);
    }
    if (/^servicePrincipals$/i.test(collection ?? "") && seg.length === 2 && get) {
      const sp = servicePrincipalById(ctx, item);
      return sp ? entity(req, sp) : resourceNotFound(req, item);
    }
    // the directory has no users: an application is not one (the operator is a service principal)
    if (/^users$/i.test(collection ?? "") && seg.length === 1 && get) return ok(req, { "@odata.context": `${base()}/$metadata#users`, value: [] });
    if (/^users$/i.test(collection ?? "") && seg.length === 2 && get) return resourceNotFound(req, item);
    if (/^me$/i.test(collection ?? "") && get) return graphError(req, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
    if (/^directoryObjects$/i.test(collection ?? "") && /^getByIds$/i.test(item ?? "") && seg.length === 2 && method === "POST") return getByIds(req);
    if (/^directoryObjects$/i.test(collection ?? "") && seg.length === 2 && get && action === undefined) {
      const sp = servicePrincipalById(ctx, item);
      return sp
        ? ok(req, { "@odata.context": `${base()}/$metadata#directoryObjects/$entity`, "@odata.type": "#microsoft.graph.servicePrincipal", ...sp })
        : resourceNotFound(req, item);
    }
    const known = ["servicePrincipals", "users", "me", "directoryObjects"].some(
      (c) => c.toLowerCase() === (collection ?? "").toLowerCase().replace(/\(.*$/, ""),
    );
    if (known) return graphError(req, 405, "Request_BadRequest", `Specified HTTP method is not allowed for the request uri.`);
    return graphError(req, 400, "BadRequest", `Resource not found for the segment '${collection ?? ""}'.`);
  }

  async function handle(req: SandboxRequest): Promise<SandboxResponse> {
    const seg = req.path.split("/").filter(Boolean);
    if (seg[0] !== "v1.0") return graphError(req, 400, "BadRequest", `Invalid version: ${seg[0] ?? ""}`);
    const authorization = Array.isArray(req.headers.authorization) ? req.headers.authorization[0] : req.headers.authorization;
    const check = await ctx.tokens.verifyBearer(
      authorization,
      [ctx.info.graphAudience ?? "https://graph.microsoft.com", ctx.info.graphEndpoint ?? ""].filter(Boolean),
      ctx.info.tenantId,
    );
    if (!check.ok) return unauthorized(ctx, req, check);
    noteCaller(req.raw, check.claims.oid);
    // Reading the directory takes an application permission (Application.Read.All or
    // Directory.Read.All) an administrator granted: the operator has it, as a tenant's automation
    // account would; a managed identity or a principal made by `sandbox principal create` has none.
    const caller = ctx.world.state.principals[String(check.claims.appid ?? "").toLowerCase()];
    if (caller?.kind !== "operator") return insufficientPrivileges(req);
    return route(req, seg.slice(1));
  }

  return { name: "graph", handle };
}
