// The sandbox's Entra ID (the `login` listener, the credentials' authorityHost): tenant discovery
// documents, signing keys, instance discovery and the v2.0 token endpoint.
import type { SandboxRequest, SandboxResponse, SandboxService, ServiceContext } from "../core/types.js";
import { MULTI_TENANT_ALIASES, instanceDiscovery, openIdConfigurationV1, openIdConfigurationV2 } from "./discovery.js";
import { entraError, fail, tenantNotFound } from "./errors.js";
import { tokenEndpoint } from "./token-endpoint.js";

/** The sandbox's tenants by every name Entra accepts in a path: ID or verified domain (the
 *  domains ARM's tenants list reports). */
function resolveTenant(ctx: ServiceContext, segment: string): string | undefined {
  const s = ctx.world.state;
  const names: Record<string, string> = {
    [s.tenantId.toLowerCase()]: s.tenantId,
    [s.foreignTenantId.toLowerCase()]: s.foreignTenantId,
    "akswisandbox.onmicrosoft.com": s.tenantId,
    "akswiforeign.onmicrosoft.com": s.foreignTenantId,
  };
  return names[segment.toLowerCase()];
}

const json = (body: unknown): SandboxResponse => ({ status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body });

export function createLoginService(ctx: ServiceContext): SandboxService {
  const host = ctx.info.authorityHost;
  const error = (req: SandboxRequest, f: ReturnType<typeof fail>) => entraError(req, host, f);

  async function handle(req: SandboxRequest): Promise<SandboxResponse> {
    const seg = req.path.split("/").filter(Boolean);
    const rest = seg.slice(1).join("/").toLowerCase();
    const first = seg[0] ?? "";
    const alias = MULTI_TENANT_ALIASES.has(first.toLowerCase()) ? first.toLowerCase() : undefined;

    if (alias === "common" && rest === "discovery/instance" && req.method === "GET") {
      return json(instanceDiscovery(host, req.url.searchParams.get("authorization_endpoint")));
    }
    // Azure Stack's ADFS authority form, `{host}/adfs`: the one authority MSAL takes without asking
    // login.microsoftonline.com to validate it (instance discovery), so clients that cannot turn
    // that check off (az before 2.54 has no core.instance_discovery) can still sign in. ADFS is
    // single-tenant: it answers as the home tenant's v2.0 discovery.
    if (first.toLowerCase() === "adfs" && rest === ".well-known/openid-configuration" && (req.method === "GET" || req.method === "HEAD")) {
      return json(openIdConfigurationV2(host, ctx.info.tenantId, ctx.info.tenantId));
    }
    const isDiscovery = rest === "v2.0/.well-known/openid-configuration" || rest === ".well-known/openid-configuration";
    const isKeys = rest === "discovery/v2.0/keys" || rest === "discovery/keys";
    const isToken = rest === "oauth2/v2.0/token";
    if (!isDiscovery && !isKeys && !isToken) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "Not Found" };

    const tenantId = alias ? undefined : resolveTenant(ctx, first);
    if (!alias && !tenantId) return error(req, tenantNotFound(first));

    if (isToken) {
      if (req.method !== "POST") {
        return error(req, fail(400, "invalid_request", 900561, `The endpoint only accepts POST, OPTIONS requests. Received a ${req.method} request.`));
      }
      if (!tenantId) {
        return error(
          req,
          fail(400, "invalid_request", 50059, "No tenant-identifying information found in either the request or implied by any provided credentials."),
        );
      }
      return tokenEndpoint(ctx, req, tenantId);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return { status: 405, headers: { allow: "GET" }, body: "Method Not Allowed" };
    if (isKeys) return json(await ctx.tokens.jwks());
    if (rest.startsWith("v2.0/")) return json(openIdConfigurationV2(host, first, tenantId));
    return json(openIdConfigurationV1(host, first, tenantId, tenantId ? ctx.tokens.issuer(tenantId) : ""));
  }

  return { name: "login", handle };
}
