// One run reads the cluster once: the plan needs it, and so does connecting to its Kubernetes API
// (is it Entra-integrated?). The cache lasts for the run and forgets a cluster as soon as the run
// writes to it, so nothing read after a write is stale.
import type { AzureOps, ClusterInfo } from "../core/ports.js";

export function cacheClusterReads(ops: AzureOps): AzureOps {
  const seen = new Map<string, Promise<ClusterInfo | undefined>>();
  const key = (s: string, rg: string, n: string) => `${s}/${rg}/${n}`.toLowerCase();
  const overrides: Partial<AzureOps> = {
    getCluster(s, rg, n) {
      const k = key(s, rg, n);
      let p = seen.get(k);
      if (!p) {
        p = ops.getCluster(s, rg, n);
        seen.set(k, p);
        p.catch(() => seen.delete(k));
      }
      return p;
    },
    async enableWorkloadIdentity(observed, hooks) {
      seen.clear();
      try {
        return await ops.enableWorkloadIdentity(observed, hooks);
      } finally {
        seen.clear();
      }
    },
  };
  // A proxy, not a spread: the operations may be a class's methods.
  return new Proxy(ops, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof AzureOps];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
