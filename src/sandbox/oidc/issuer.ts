// STUB — replaced by the cluster OIDC issuer implementation.
import type { ClusterIssuer } from "../types.js";
import type { World } from "../world.js";
export async function createClusterIssuer(_dir: string, _world: World): Promise<ClusterIssuer> {
  return {
    currentIssuer: () => "https://kubernetes.default.svc.cluster.local",
    mintServiceAccountToken: async () => { throw new Error("stub"); },
    jwks: async () => ({ keys: [] }),
  };
}
