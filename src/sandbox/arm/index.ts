// STUB — replaced by the ARM implementation.
import type { ServiceContext, SandboxService } from "../types.js";
export function createArmService(_ctx: ServiceContext): SandboxService {
  return { name: "arm", handle: async () => ({ status: 404, body: { error: { code: "NotImplemented", message: "stub" } } }) };
}
