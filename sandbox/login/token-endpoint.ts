// POST /{tenant}/oauth2/v2.0/token, client_credentials grant: a client secret (the operator) or a
// client assertion (workload identity federation). Secrets, assertions and tokens are never
// logged or stored; a secret is only compared by its SHA-256.
import { presentedCloud } from "../core/clouds.js";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { SandboxRequest, SandboxResponse, ServiceContext } from "../core/types.js";
import { AKS_SERVER_APP_ID_RESOURCE, KNOWN_RESOURCES, normalizeResource } from "./resources.js";
import { correlationId, entraError, fail, missingParameter, type EntraFailure } from "./errors.js";
import { verifyAssertion } from "./federation.js";
import { noteCaller } from "../core/request-log.js";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** OIDC scopes MSAL may add; they do not name a resource. */
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);
const LIFETIME_SECONDS = 3599;

/** client_secret_basic: Authorization: Basic base64(urlencode(id):urlencode(secret)). */
function basicCredentials(req: SandboxRequest): { id: string; secret: string } | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Basic\s+(\S+)$/i.exec(h) : null;
  if (!m) return undefined;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const i = text.indexOf(":");
  if (i < 0) return undefined;
  try {
    return { id: decodeURIComponent(text.slice(0, i)), secret: decodeURIComponent(text.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

function sameSha256(secret: string, expectedHex: string | undefined): boolean {
  if (!expectedHex) return false;
  const got = createHash("sha256").update(secret).digest();
  const want = Buffer.from(expectedHex, "hex");
  return want.length === got.length && timingSafeEqual(got, want);
}

/** The resource a client-credentials scope names, or Entra's complaint about the scope. */
function resourceOf(ctx: ServiceContext, scopeParam: string, tenantId: string): { resource: string } | EntraFailure {
  const scopes = scopeParam.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s.toLowerCase()));
  if (scopes.length === 0) return missingParameter("scope");
  const notDefault = scopes.find((s) => !s.endsWith("/.default"));
  if (notDefault !== undefined) {
    return fail(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${notDefault} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  if (scopes.length > 1) {
    return fail(
      400,
      "invalid_scope",
      28000,
      "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope " + scopes.join(" ") + " is not valid.",
    );
  }
  const resource = scopes[0].slice(0, -"/.default".length);
  // the Graph listener's own URL is Graph's resource ID in this cloud's metadata (microsoftGraphResourceId)
  const graph = ctx.info.graphEndpoint ? [normalizeResource(ctx.info.graphEndpoint)] : [];
  const presented = presentedCloud(ctx.info.cloud)?.cloud.managementResource;
  const known = new Set([
    ...KNOWN_RESOURCES,
    normalizeResource(ctx.info.armAudience),
    AKS_SERVER_APP_ID_RESOURCE,
    ...graph,
    ...(presented ? [normalizeResource(presented)] : []),
  ]);
  if (!known.has(normalizeResource(resource))) {
    return fail(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  return { resource };
}

export async function tokenEndpoint(ctx: ServiceContext, req: SandboxRequest, tenantId: string): Promise<SandboxResponse> {
  const error = (f: EntraFailure) => entraError(req, ctx.info.authorityHost, f);
  const form = new URLSearchParams(req.body.toString("utf8"));
  const grant = form.get("grant_type");
  if (!grant) return error(missingParameter("grant_type"));
  if (grant !== "client_credentials") {
    return error(fail(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant}'.`));
  }
  const basic = basicCredentials(req);
  const clientId = form.get("client_id") ?? basic?.id;
  if (!clientId) return error(missingParameter("client_id"));
  const scope = form.get("scope");
  if (scope === null) return error(missingParameter("scope"));

  // A managed identity's service principal lives in its home tenant only; the operator is treated
  // as a multi-tenant app consented in both sandbox tenants (so a foreign-tenant token can be had).
  const principal = ctx.world.state.principals[clientId.toLowerCase()];
  const inTenant = principal && (principal.kind === "operator" || tenantId.toLowerCase() === ctx.world.state.tenantId.toLowerCase());
  if (!principal || !inTenant) {
    return error(
      fail(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      ),
    );
  }

  const secret = form.get("client_secret") ?? basic?.secret;
  const assertion = form.get("client_assertion");
  if (secret !== null && secret !== undefined) {
    if (!sameSha256(secret, principal.secretSha256)) {
      return error(
        fail(
          401,
          "invalid_client",
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${principal.clientId}'.`,
        ),
      );
    }
  } else if (assertion !== null) {
    const type = form.get("client_assertion_type");
    if (type !== JWT_BEARER) {
      return error(
        fail(400, "invalid_request", 7000216, `'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.`),
      );
    }
    const bad = await verifyAssertion(ctx, principal.clientId, assertion);
    if (bad) return error(bad);
  } else {
    return error(fail(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."));
  }

  // the client has proven who it is: its service principal's object ID, as ARM logs it
  noteCaller(req.raw, principal.principalId);
  const r = resourceOf(ctx, scope, tenantId);
  if (!("resource" in r)) return error(r);

  const accessToken = await ctx.tokens.mintAccessToken({
    tenantId,
    audience: r.resource,
    clientId: principal.clientId,
    principalId: principal.principalId,
    lifetimeSeconds: LIFETIME_SECONDS,
  });
  return {
    status: 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store, no-cache",
      pragma: "no-cache",
      "x-ms-request-id": randomUUID(),
      "client-request-id": correlationId(req),
    },
    body: { token_type: "Bearer", expires_in: LIFETIME_SECONDS, ext_expires_in: LIFETIME_SECONDS, access_token: accessToken },
  };
}
