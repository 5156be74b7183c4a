// The cluster's OIDC issuer host, as AKS publishes it: for the cluster's current issuer URL only,
// {issuer}/.well-known/openid-configuration and {issuer}/openid/v1/jwks. Nothing else exists
// there, and nothing at all until the OIDC issuer is enabled.
import type { SandboxRequest, SandboxResponse, SandboxService, ServiceContext } from "../core/types.js";
import { publishedIssuer } from "./issuer.js";

const notFound = (): SandboxResponse => ({ status: 404, body: "The specified resource does not exist." });

/** The discovery document AKS serves: these five members, issuer verbatim. */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer.replace(/\/+$/, "")}/openid/v1/jwks`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
  };
}

export function createOidcService(ctx: ServiceContext): SandboxService {
  return {
    name: "oidc",
    async handle(req: SandboxRequest): Promise<SandboxResponse> {
      if (req.method !== "GET" && req.method !== "HEAD") return notFound();
      // One host for every cluster, as AKS's regional issuer host: each cluster's issuer is its
      // own path, its keys those of the API that signs its tokens (the default or its own).
      for (const cluster of [ctx, ...(ctx.clusterApis?.values() ?? [])]) {
        const issuer = publishedIssuer(cluster.world);
        if (!issuer) continue;
        // Matched on the path only: after a restart on another port the stored URL keeps its old
        // port, and the listener is still the one that serves it.
        let base: string;
        try {
          base = new URL(issuer).pathname.replace(/\/+$/, "");
        } catch {
          continue;
        }
        const headers = { "content-type": "application/json" };
        if (req.path === `${base}/.well-known/openid-configuration`) return { status: 200, headers, body: discoveryDocument(issuer) };
        if (req.path === `${base}/openid/v1/jwks`) return { status: 200, headers, body: await cluster.clusterIssuer.jwks() };
      }
      return notFound();
    },
  };
}
