// Clusters with a Kubernetes API of their own. On Azure each AKS cluster has its own API server
// (its own FQDN), its own etcd and its own service-account signing key; the sandbox's default
// API is shared by the default cluster and the ARM-only variants (stopped, failed, old), while a
// cluster whose record holds `kube` (seed.ts: aks-entra) gets all three of its own: a listener,
// an object store (record.kube, persisted in the world like the default one) and an issuer key.
// One more such cluster is one more seeded record: nothing here names a variant.
import { join } from "node:path";
import type { ServiceContext } from "../core/types.js";
import { World, key, type ClusterRecord, type KubeState, type WorldState } from "../core/world.js";
import { createClusterIssuer } from "../oidc/issuer.js";

/** A view of the world for one cluster: everything is the world's, except `state.kube` (that
 *  cluster's objects) and `cluster()` (that cluster). Saving saves the whole world. */
export class ClusterWorld extends World {
  constructor(
    private readonly main: World,
    private readonly clusterKey: string,
  ) {
    super(clusterState(main, clusterKey), "");
  }

  override save(): void {
    this.main.save();
  }

  override cluster(): ClusterRecord {
    const c = this.main.state.clusters[this.clusterKey];
    if (!c) throw new Error(`sandbox world has no cluster ${this.clusterKey}`);
    return c;
  }
}

/** The world's state read through, with `kube` replaced by the cluster's own. */
function clusterState(main: World, clusterKey: string): WorldState {
  const own = (): KubeState => (main.state.clusters[clusterKey]!.kube ??= { resourceVersion: 1000, objects: {} });
  return new Proxy(main.state, {
    get: (_t, p) => (p === "kube" ? own() : Reflect.get(main.state, p)),
    set: (_t, p, v) => (p === "kube" ? ((main.state.clusters[clusterKey]!.kube = v), true) : Reflect.set(main.state, p, v)),
  });
}

/** The clusters of a world that have an API of their own. */
export function ownApiClusters(world: World): ClusterRecord[] {
  return Object.values(world.state.clusters).filter((c) => c.kube);
}

/** What names a cluster's API in ports.json and its files: the cluster's name. */
export const clusterApiName = (c: ClusterRecord): string => String(c.body?.name ?? "");

/** The context a cluster's own API is served with: the base context with that cluster's server
 *  URL and name, its world view and its own service-account issuer (key kept in DIR, 0600). */
export async function clusterApiContext(base: ServiceContext, dir: string, record: ClusterRecord, kubeServer: string): Promise<ServiceContext> {
  const world = new ClusterWorld(base.world, key(record.id));
  const clusterIssuer = await createClusterIssuer(dir, world, `cluster-sa-signing-key-${clusterApiName(record)}.json`);
  return { ...base, info: { ...base.info, kubeServer, clusterName: clusterApiName(record) }, world, clusterIssuer };
}

/** The context that serves a cluster's Kubernetes API: its own, or the default one. */
export function kubeContextOf(ctx: ServiceContext, clusterId: string): ServiceContext {
  return ctx.clusterApis?.get(key(clusterId)) ?? ctx;
}
