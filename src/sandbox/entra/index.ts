// STUB — replaced by the Entra implementation.
import type { ServiceContext, SandboxService } from "../types.js";
export function createLoginService(_ctx: ServiceContext): SandboxService {
  return { name: "login", handle: async () => ({ status: 404, body: { error: "not_implemented" } }) };
}
