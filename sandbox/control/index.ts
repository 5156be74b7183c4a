// The sandbox's own control API, beside Entra on the login listener under /_sandbox/ (a path no
// Entra endpoint has): what an administrator of the tenant does outside the APIs the product
// uses. Only the operator may call it, with its client credentials as HTTP Basic (as
// client_secret_basic sends them); those are in DIR/sandbox.json, readable by DIR's owner only.
import { createHash, timingSafeEqual } from "node:crypto";
import type { SandboxRequest, SandboxResponse, SandboxService, ServiceContext } from "../core/types.js";
import { noteCaller } from "../core/request-log.js";
import { operatorOf } from "../core/seed.js";
import { createPrincipal } from "./principals.js";

export const CONTROL_PREFIX = "/_sandbox/";

const refuse = (status: number, code: string, message: string): SandboxResponse => ({ status, body: { error: { code, message } } });

function isOperator(ctx: ServiceContext, req: SandboxRequest): boolean {
  const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""));
  if (!m) return false;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const i = text.indexOf(":");
  const op = operatorOf(ctx.world.state);
  if (i < 0 || decodeURIComponent(text.slice(0, i)).toLowerCase() !== op.clientId.toLowerCase()) return false;
  const got = createHash("sha256")
    .update(decodeURIComponent(text.slice(i + 1)))
    .digest();
  const want = Buffer.from(op.secretSha256 ?? "", "hex");
  return want.length === got.length && timingSafeEqual(got, want);
}

export function createControlHandler(ctx: ServiceContext, dir: string): (req: SandboxRequest) => Promise<SandboxResponse> {
  return async (req) => {
    if (!isOperator(ctx, req)) return refuse(401, "Unauthorized", "the sandbox's control API takes the operator's client credentials (HTTP Basic)");
    noteCaller(req.raw, operatorOf(ctx.world.state).principalId);
    if (req.path !== `${CONTROL_PREFIX}principals`) return refuse(404, "NotFound", `no such control endpoint: ${req.path}`);
    if (req.method !== "POST") return refuse(405, "MethodNotAllowed", "principals are created with POST");
    let spec: unknown;
    try {
      spec = JSON.parse(req.body.toString("utf8"));
    } catch {
      return refuse(400, "InvalidRequest", "the body is not JSON");
    }
    const made = createPrincipal(ctx, dir, spec as Parameters<typeof createPrincipal>[2]);
    if ("status" in made) return refuse(made.status, made.code, made.message);
    return { status: 201, headers: { "cache-control": "no-store" }, body: made };
  };
}

/** A service that answers the control API's paths itself and hands every other request on. */
export function withControl(service: SandboxService, control: (req: SandboxRequest) => Promise<SandboxResponse>): SandboxService {
  return { ...service, handle: (req) => (req.path.startsWith(CONTROL_PREFIX) ? control(req) : service.handle(req)) };
}
