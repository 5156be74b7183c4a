// The kube tests' view of the shared in-process sandbox (test/helpers/sandbox.ts): its world and
// context, its kubeconfig, and a shortcut that turns the OIDC issuer and workload identity on the
// way a finished cluster update leaves them (the ARM path itself is covered by the ARM tests).
import { randomUUID } from "node:crypto";
import type { World } from "../../../sandbox/core/world.js";
import type { LatencyProfile, ServiceContext } from "../../../sandbox/core/types.js";
import { startTestSandbox } from "../../helpers/sandbox.js";

export interface KubeHarness {
  dir: string;
  ctx: ServiceContext;
  world: World;
  kubeconfigPath: string;
  enableWorkloadIdentity(): string;
  stop(): Promise<void>;
}

export async function startKubeHarness(latency: Partial<LatencyProfile> = {}): Promise<KubeHarness> {
  const sb = await startTestSandbox({ latency });
  const ctx: ServiceContext = sb.sandbox.ctx;
  const world: World = sb.sandbox.world;
  return {
    dir: sb.dir,
    ctx,
    world,
    kubeconfigPath: sb.info.kubeconfig,
    enableWorkloadIdentity() {
      const url = `${sb.info.oidcBase}/${sb.info.tenantId}/${randomUUID()}/`;
      const c = world.cluster();
      c.body.properties.oidcIssuerProfile = { enabled: true, issuerURL: url };
      c.body.properties.securityProfile = { ...(c.body.properties.securityProfile ?? {}), workloadIdentity: { enabled: true } };
      c.workloadIdentityEnabledAt = c.oidcIssuerEnabledAt = Date.now();
      world.save();
      return url;
    },
    stop: () => sb.stop(),
  };
}
