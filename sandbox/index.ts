// Starts a sandbox in DIR: TLS, the persisted (or freshly seeded) world, and the five HTTPS
// listeners. Used in-process by tests and by `aks-wi sandbox start --foreground`.
// The sandbox's public face is this module, daemon.ts, info.ts and specs.ts: aks-wi loads only
// these, and only lazily (test/sandbox/unit/project-boundary.test.ts holds it to that).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureTls } from "./core/certs.js";
import { writePrivate } from "./core/files.js";
import { parseFaults, type FaultPlan } from "./core/faults.js";
import { parseLatency } from "./core/latency.js";
import { listen, type Listener } from "./core/server.js";
import { REQUEST_LOG, RequestLog } from "./core/request-log.js";
import { SEED, clusterKinds, operatorOf, seedWorld, seededResourceIds } from "./core/seed.js";
import { World } from "./core/world.js";
import { presentedCloud } from "./core/clouds.js";
import { governanceInfo, seedGovernance } from "./core/seed-governance.js";
import { createArmService } from "./arm/index.js";
import { createLoginService } from "./login/index.js";
import { createControlHandler, withControl } from "./control/index.js";
import { createTokenService } from "./login/tokens.js";
import { createKubeService } from "./kube/index.js";
import { buildKubeconfig } from "./kube/kubeconfig.js";
import { createOidcService } from "./oidc/index.js";
import { createGraphService } from "./graph/index.js";
import { createClusterIssuer } from "./oidc/issuer.js";
import { listenClusterApis } from "./kube/cluster-apis.js";
import type { SandboxInfo, ServiceName } from "./info.js";

export { readRequestLog } from "./core/request-log.js";
export type { RequestLogEntry } from "./info.js";
import type { LatencyOverrides, LatencyProfile, ServiceContext } from "./core/types.js";

export interface StartOptions {
  dir: string;
  /** Fault spec (see faults.ts); default none. */
  faults?: string;
  /** Latency profile: instant (default), realistic, realistic:FACTOR. */
  latency?: string;
  /** Per-request round trips by service, e.g. "arm=120,kube=40" (see latency.ts); replace the profile's. */
  rtt?: string;
  /** Per-timing overrides (tests). */
  latencyOverrides?: LatencyOverrides;
  /** Seed clusters in the states real subscriptions hold beside the default one (first start only):
   *  aks-stopped, aks-failed, aks-old, aks-entra (Entra ID + Azure RBAC, local accounts off) and
   *  aks-private (a private API server); the last two have Kubernetes APIs of their own.
   *  sandbox.json's `clusters` names them with their kinds. */
  clusterVariants?: boolean;
  /** Present the sandbox as this Azure cloud (AzureCloud, AzureUSGovernment, AzureChinaCloud). */
  cloud?: string;
}

export interface Sandbox {
  info: SandboxInfo;
  ctx: ServiceContext;
  world: World;
  faults: FaultPlan;
  stop(): Promise<void>;
}

const SERVICES: ServiceName[] = ["arm", "login", "kube", "oidc", "graph"];

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Listens on the ports of the previous run when free, so URLs stored in the world (the cluster's
 *  OIDC issuer URL, above all) stay valid across restarts; otherwise on fresh free ports. */
async function listenAll(
  dir: string,
  tls: { key: string; cert: string },
  faults: FaultPlan,
  log: RequestLog,
  latency: LatencyProfile,
): Promise<{ listeners: Record<ServiceName, Listener>; moved: boolean }> {
  const previous = readJson<Record<ServiceName, number>>(join(dir, "ports.json"));
  const listeners = {} as Record<ServiceName, Listener>;
  let moved = false;
  try {
    for (const name of SERVICES) {
      const want = previous?.[name];
      try {
        listeners[name] = await listen(name, tls, { faults, port: want ?? 0, log, rttMs: latency.rttMs[name] });
      } catch {
        moved = true;
        listeners[name] = await listen(name, tls, { faults, port: 0, log, rttMs: latency.rttMs[name] });
      }
    }
  } catch (e) {
    await Promise.all(Object.values(listeners).map((l) => l.close()));
    throw e;
  }
  writePrivate(join(dir, "ports.json"), JSON.stringify(Object.fromEntries(SERVICES.map((n) => [n, listeners[n].port]))));
  return { listeners, moved };
}

export async function startSandbox(opts: StartOptions): Promise<Sandbox> {
  const dir = opts.dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const latency = parseLatency(opts.latency, opts.latencyOverrides, opts.rtt);
  const faults = parseFaults(opts.faults);
  const tls = await ensureTls(dir);
  // appended to across restarts, like the world: a run's requests are the lines after its start
  const log = new RequestLog(join(dir, REQUEST_LOG));
  // read before listenAll rewrites ports.json: the ports of the clusters with an API of their own
  const previousClusterPorts = readJson<{ clusters?: Record<string, number> }>(join(dir, "ports.json"))?.clusters ?? {};
  let listeners: Record<ServiceName, Listener>;
  const clusterListeners: Listener[] = [];
  try {
    ({ listeners } = await listenAll(dir, tls, faults, log, latency));
  } catch (e) {
    await log.close();
    throw e;
  }
  const base = (n: ServiceName) => `https://127.0.0.1:${listeners[n].port}`;

  try {
    let world = World.load(dir);
    const secretFile = join(dir, "operator-secret.json");
    if (!world || !existsSync(secretFile)) {
      const seeded = seedWorld({ kubeServer: base("kube"), oidcBase: base("oidc"), variants: opts.clusterVariants });
      world = World.create(dir, seeded.state);
      writePrivate(secretFile, JSON.stringify({ clientSecret: seeded.operatorSecret }));
    }
    const clientSecret = (readJson<{ clientSecret: string }>(secretFile) ?? { clientSecret: "" }).clientSecret;
    const operator = operatorOf(world.state);
    if (seedGovernance(world.state)) world.save();

    const presents = presentedCloud(opts.cloud);
    if (opts.cloud && !presents) throw new Error(`unknown cloud "${opts.cloud}": use AzureCloud, AzureUSGovernment or AzureChinaCloud`);
    const info: SandboxInfo = {
      tenantId: world.state.tenantId,
      subscriptionId: world.state.subscriptionId,
      subscriptionName: world.state.subscriptionName,
      resourceGroup: SEED.resourceGroup,
      clusterName: SEED.clusterName,
      location: world.state.location,
      ...seededResourceIds(world.state),
      ...governanceInfo(world.state),
      clusters: clusterKinds(world.state),
      armEndpoint: base("arm"),
      authorityHost: base("login"),
      kubeServer: base("kube"),
      oidcBase: base("oidc"),
      graphEndpoint: base("graph"),
      // Graph's token audience in Azure public cloud (what `az account get-access-token --resource-type ms-graph` yields).
      graphAudience: "https://graph.microsoft.com",
      caFile: tls.caFile,
      kubeconfig: join(dir, "kubeconfig"),
      clientId: operator.clientId,
      clientSecret,
      // ARM's token audience in Azure public cloud (what `az account get-access-token` yields), or
      // the presented cloud's (its ARM endpoint, as az's cloud.py has it)
      armAudience: `${presents?.cloud.arm ?? "https://management.azure.com"}/`,
      ...(presents ? { cloud: presents.name } : {}),
      requestLog: log.file,
      ports: Object.fromEntries(SERVICES.map((n) => [n, listeners[n].port])) as Record<ServiceName, number>,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      latency: latency.name,
      rtt: latency.rttMs,
      faults: faults.spec,
    };

    // Both signing keys are made side by side on a first start.
    const [tokens, clusterIssuer] = await Promise.all([createTokenService(dir, world), createClusterIssuer(dir, world)]);
    const ctx: ServiceContext = {
      info,
      world,
      latency,
      caPem: tls.caPem,
      tokens,
      clusterIssuer,
      now: () => Date.now(),
    };
    // each cluster with an API of its own on its own port, as each AKS cluster has its own FQDN
    await listenClusterApis(ctx, dir, tls, { faults, log, rttMs: latency.rttMs.kube }, previousClusterPorts, clusterListeners);
    listeners.arm.attach(createArmService(ctx));
    listeners.login.attach(withControl(createLoginService(ctx), createControlHandler(ctx, dir)));
    listeners.kube.attach(createKubeService(ctx));
    listeners.oidc.attach(createOidcService(ctx));
    listeners.graph.attach(createGraphService(ctx));

    writePrivate(info.kubeconfig, buildKubeconfig(ctx, "user"));
    writePrivate(join(dir, "sandbox.json"), JSON.stringify(info, null, 2) + "\n");
    chmodSync(dir, 0o700);

    let stopped = false;
    return {
      info,
      ctx,
      world,
      faults,
      async stop() {
        if (stopped) return;
        stopped = true;
        await Promise.all([...SERVICES.map((n) => listeners[n].close()), ...clusterListeners.map((l) => l.close())]);
        await log.close();
        world!.save();
        // Only remove sandbox.json if it is still ours (a newer start may have replaced it).
        const current = readJson<SandboxInfo>(join(dir, "sandbox.json"));
        if (current?.pid === process.pid && current.startedAt === info.startedAt) rmSync(join(dir, "sandbox.json"), { force: true });
      },
    };
  } catch (e) {
    await Promise.all([...SERVICES.map((n) => listeners[n].close()), ...clusterListeners.map((l) => l.close())]);
    await log.close();
    throw e;
  }
}
