// ARM's cloud metadata, GET {arm}/metadata/endpoints?api-version=…: where a client finds this
// cloud's Entra authority, the ARM audiences and the DNS suffixes. It needs no token. The Azure
// CLI reads it for `az cloud register --endpoint-resource-manager` (it asks api-version
// 2022-09-01 and maps name, resourceManager, authentication.loginEndpoint/audiences[0] and
// suffixes: _populate_from_metadata_endpoint and _arm_to_cli_mapper in Azure/azure-cli), and
// ARM answers the document in the shape of the version asked for: the cloud itself from
// 2022-09-01, a list of clouds from 2019-05-01, and the older flat document before that. Any
// dated version is taken (the CLI's own comment on it: "it just has to be YYYY-MM-DD format").
// Only what the sandbox stands in for is listed: no portal, gallery, batch or SQL endpoints.
import type { SandboxRequest, SandboxResponse, ServiceContext } from "../core/types.js";
import { armError, invalidApiVersion, missingApiVersion } from "./errors.js";
import { presentedCloud } from "../core/clouds.js";

/** The cloud's name, management audience and suffixes: the presented cloud's (`start --cloud`), or the sandbox's own. */
function identity(ctx: ServiceContext) {
  const p = presentedCloud(ctx.info.cloud);
  return {
    name: p?.name ?? "aks-wi-sandbox",
    management: p?.cloud.managementResource ?? "https://management.core.windows.net/",
    // the seeded Key Vault and storage account carry the cloud's DNS names (Azure's public ones by default)
    suffixes: p?.cloud.suffixes ?? { keyVaultDns: "vault.azure.net", storage: "core.windows.net" },
  };
}

const DATED = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
const EXAMPLE_VERSIONS = ["2015-01-01", "2019-05-01", "2022-09-01"];

/** The cloud, as api-version 2019-05-01 and later describe one. */
function cloudDocument(ctx: ServiceContext): Record<string, unknown> {
  const cloud = identity(ctx);
  return {
    name: cloud.name,
    resourceManager: `${ctx.info.armEndpoint}/`,
    authentication: {
      loginEndpoint: `${ctx.info.authorityHost}/`,
      // ARM takes tokens for either; clients use the first as the management audience
      audiences: [cloud.management, ctx.info.armAudience],
      tenant: "common",
      identityProvider: "AAD",
    },
    // the sandbox's Graph listener: the Azure CLI takes this one value as Graph's resource and its
    // base URL (role/_msgrpah/_graph_client.py), so `az ad sp show` reaches the sandbox
    microsoftGraphResourceId: ctx.info.graphEndpoint ? `${ctx.info.graphEndpoint}/` : "https://graph.microsoft.com/",
    suffixes: cloud.suffixes,
  };
}

/** The flat document of the versions before 2019-05-01 (what Azure Stack still serves as 1.0). */
function legacyDocument(ctx: ServiceContext): Record<string, unknown> {
  return {
    graphEndpoint: "https://graph.windows.net/",
    authentication: { loginEndpoint: `${ctx.info.authorityHost}/`, audiences: [identity(ctx).management, ctx.info.armAudience] },
  };
}

/** The answer for /metadata/endpoints, or undefined for any other path. */
export function metadataEndpoints(ctx: ServiceContext, req: SandboxRequest, parts: string[]): SandboxResponse | undefined {
  if (parts.length !== 2 || parts[0].toLowerCase() !== "metadata" || parts[1].toLowerCase() !== "endpoints") return undefined;
  if (req.method !== "GET" && req.method !== "HEAD") {
    return armError(405, "MethodNotAllowed", `The HTTP method '${req.method}' is not supported on the resource '${req.url.href}'.`);
  }
  const v = req.url.searchParams.get("api-version");
  if (!v) return missingApiVersion();
  if (v !== "1.0" && !DATED.test(v)) return invalidApiVersion(v, EXAMPLE_VERSIONS);
  if (v === "1.0" || v < "2019-05-01") return { status: 200, body: legacyDocument(ctx) };
  return { status: 200, body: v < "2022-09-01" ? [cloudDocument(ctx)] : cloudDocument(ctx) };
}
