// The sandbox cluster's Kubernetes API service: authentication (authn.ts), authorization
// (rbac/), then the REST API (api.ts) or, for WebSocket upgrades, pods/exec (exec/session.ts).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { SandboxRequest, SandboxResponse, SandboxService, ServiceContext } from "../core/types.js";
import { KubeApi } from "./api.js";
import { rejectUpgrade } from "./exec/protocol.js";
import { handleExec } from "./exec/session.js";
import { noteCaller } from "../core/request-log.js";
import { authenticate } from "./authn.js";
import { authorize, forbidden, requestAttributes, type KubeUser } from "./rbac/authorizer.js";
import { failure, requestNotFound } from "./status.js";

const PUBLIC_PATHS = new Set(["/version", "/healthz", "/readyz", "/livez"]);

const unauthorized = (): SandboxResponse => failure(401, "Unauthorized", "Unauthorized");

export function createKubeService(ctx: ServiceContext): SandboxService {
  const api = new KubeApi(ctx);

  /** kube-apiserver's order: authenticate (noting who for the request log), authorize, then
   *  serve. The user to serve as (none: anonymous), or the refusal. */
  async function admit(
    raw: IncomingMessage,
    authorization: string | undefined,
    method: string,
    path: string,
    query: URLSearchParams,
    upgrade: boolean,
  ): Promise<{ user?: KubeUser; refusal?: SandboxResponse }> {
    const who = await authenticate(ctx, authorization);
    if (who === "invalid") return { refusal: unauthorized() };
    if (who === "anonymous") return PUBLIC_PATHS.has(path.replace(/\/+$/, "") || "/") && !upgrade ? {} : { refusal: unauthorized() };
    noteCaller(raw, who.name);
    const attributes = requestAttributes(method, path, query, upgrade);
    const decision = authorize(ctx.world, who, attributes, ctx.now());
    return decision.allowed ? { user: who } : { refusal: forbidden(who, attributes, decision.reason) };
  }

  return {
    name: "kube",
    async handle(req: SandboxRequest): Promise<SandboxResponse> {
      try {
        const { user, refusal } = await admit(req.raw, req.headers.authorization, req.method, req.path, req.url.searchParams, false);
        return refusal ?? (await api.handle(req, user));
      } catch (e) {
        return failure(500, `Internal error occurred: ${(e as Error)?.message ?? "unknown"}`, "InternalError");
      }
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      (async () => {
        try {
          const url = new URL(req.url ?? "/", ctx.info.kubeServer);
          const path = url.pathname.replace(/^\/+/, "/");
          const { refusal } = await admit(req, req.headers.authorization, req.method ?? "GET", decodeURIComponent(path), url.searchParams, true);
          if (refusal) return rejectUpgrade(socket, refusal);
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
