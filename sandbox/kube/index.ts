// The sandbox cluster's Kubernetes API service: authentication, then the REST API (api.ts) or,
// for WebSocket upgrades, pods/exec (exec/session.ts).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { SandboxRequest, SandboxResponse, SandboxService, ServiceContext } from "../core/types.js";
import { KubeApi } from "./api.js";
import { rejectUpgrade } from "./exec/protocol.js";
import { handleExec } from "./exec/session.js";
import { matchStaticToken, staticUserName } from "./kubeconfig.js";
import { noteCaller } from "../core/request-log.js";
import { failure, requestNotFound } from "./status.js";

/** The AKS AAD server application: the audience of Entra tokens for Entra-integrated clusters. */
export const AKS_AAD_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630";
const PUBLIC_PATHS = new Set(["/version", "/healthz", "/readyz", "/livez"]);

const unauthorized = (): SandboxResponse => failure(401, "Unauthorized", "Unauthorized");

export function createKubeService(ctx: ServiceContext): SandboxService {
  const api = new KubeApi(ctx);

  /** The user a bearer token authenticates as (its name), "anonymous" without one, "invalid" otherwise. */
  async function authenticate(authorization: string | undefined): Promise<{ name: string } | "anonymous" | "invalid"> {
    if (!authorization) return "anonymous";
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (!m) return "invalid";
    const local = matchStaticToken(ctx, m[1]);
    if (local) return { name: staticUserName(ctx, local) };
    if (m[1].split(".").length === 3) {
      const check = await ctx.tokens.verifyBearer(authorization, [AKS_AAD_SERVER_APP, `spn:${AKS_AAD_SERVER_APP}`], ctx.info.tenantId);
      // an Entra-integrated cluster names the user by its object ID
      if (check.ok) return { name: check.claims.oid };
    }
    return "invalid";
  }

  return {
    name: "kube",
    async handle(req: SandboxRequest): Promise<SandboxResponse> {
      try {
        const who = await authenticate(req.headers.authorization);
        if (typeof who === "object") noteCaller(req.raw, who.name);
        const path = req.path.replace(/\/+$/, "") || "/";
        if (who === "invalid" || (who === "anonymous" && !PUBLIC_PATHS.has(path))) return unauthorized();
        return await api.handle(req);
      } catch (e) {
        return failure(500, `Internal error occurred: ${(e as Error)?.message ?? "unknown"}`, "InternalError");
      }
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      (async () => {
        try {
          const who = await authenticate(req.headers.authorization);
          if (typeof who !== "object") return rejectUpgrade(socket, unauthorized());
          noteCaller(req, who.name);
          const url = new URL(req.url ?? "/", ctx.info.kubeServer);
          const path = url.pathname.replace(/^\/+/, "/");
          const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(path);
          if (!m) return rejectUpgrade(socket, requestNotFound());
          api.store.reconcile();
          handleExec(api.env, req, socket, head, { namespace: decodeURIComponent(m[1]), pod: decodeURIComponent(m[2]), url });
        } catch {
          socket.destroy();
        }
      })();
    },
  };
}
