// STUB — replaced by the cluster OIDC issuer implementation.
import type { ServiceContext, SandboxService } from "../types.js";
export function createOidcService(_ctx: ServiceContext): SandboxService {
  return { name: "oidc", handle: async () => ({ status: 404, body: "404 page not found" }) };
}
