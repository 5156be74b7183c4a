// Clusters with a Kubernetes API of their own. On Azure each AKS cluster has its own API server
// (its own FQDN), its own etcd and its own service-account signing key; the sandbox's default
// API is shared by the default cluster and the ARM-only variants (stopped, failed, old), while a
// cluster whose record holds `kube` (seed.ts: aks-entra) gets all three of its own: a listener,
// an object store (record.kube, persisted in the world like the default one) and an issuer key.
// One more such cluster is one more seeded record: nothing here names a variant.
import { join } from "node:path";
import { writePrivate } from "../core/files.js";
import { listen, type ListenOptions, type Listener } from "../core/server.js";
import type { ServiceContext } from "../core/types.js";
import { World, key, type ClusterRecord, type KubeState, type WorldState } from "../core/world.js";
import { createClusterIssuer } from "../oidc/issuer.js";
import { createKubeService } from "./index.js";
import { buildKubeconfig } from "./kubeconfig.js";

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

/** Starts the API of every cluster that has one of its own, each on the port of the previous run
 *  when free (`previous`, by name), and records where: ctx.clusterApis, the body's fqdn (a
 *  private cluster keeps its private FQDN and gets DIR/kubeconfig-NAME-inside, a kubeconfig "from
 *  inside the network" naming its real address), sandbox.json's clusterServers and
 *  insideKubeconfigs, and ports.json's `clusters`. Each listener goes into `listeners` as soon as
 *  it listens, so the caller closes them all should a later one fail. */
export async function listenClusterApis(
  ctx: ServiceContext,
  dir: string,
  tls: { key: string; cert: string },
  opts: Omit<ListenOptions, "port">,
  previous: Record<string, number>,
  listeners: Listener[],
): Promise<void> {
  const ports: Record<string, number> = {};
  ctx.clusterApis = new Map();
  for (const record of ownApiClusters(ctx.world)) {
    const name = clusterApiName(record);
    const l = await listen("kube", tls, { ...opts, port: previous[name] ?? 0 }).catch(() => listen("kube", tls, { ...opts, port: 0 }));
    listeners.push(l);
    ports[name] = l.port;
    const server = `https://127.0.0.1:${l.port}`;
    const props = record.body.properties;
    if (!props.privateFQDN) props.fqdn = props.azurePortalFQDN = new URL(server).host;
    const cctx = await clusterApiContext(ctx, dir, record, server);
    ctx.clusterApis.set(key(record.id), cctx);
    l.attach(createKubeService(cctx));
    if (props.privateFQDN) {
      const file = join(dir, `kubeconfig-${name}-inside`);
      writePrivate(file, buildKubeconfig(cctx, "user", { inside: true }));
      (ctx.info.insideKubeconfigs ??= {})[name] = file;
    }
  }
  if (listeners.length) {
    ctx.world.save();
    ctx.info.clusterServers = Object.fromEntries(Object.entries(ports).map(([n, p]) => [n, `https://127.0.0.1:${p}`]));
    writePrivate(join(dir, "ports.json"), JSON.stringify({ ...ctx.info.ports, clusters: ports }));
  }
}
