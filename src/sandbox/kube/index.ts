// STUB — replaced by the Kubernetes API implementation.
import type { ServiceContext, SandboxService } from "../types.js";
export function createKubeService(_ctx: ServiceContext): SandboxService {
  return { name: "kube", handle: async () => ({ status: 404, body: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 } }) };
}
