// The kube tests' view of the shared in-process sandbox (test/helpers/sandbox.ts): its world and
// context, its kubeconfig, and a shortcut that turns the OIDC issuer and workload identity on the
// way a finished cluster update leaves them (the ARM path itself is covered by the ARM tests), and
// the real kubectl pointed at it.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { World } from "../../../sandbox/core/world.js";
import type { LatencyProfile, ServiceContext } from "../../../sandbox/core/types.js";
import { startTestSandbox } from "../../helpers/sandbox.js";

export interface KubeRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubeHarness {
  dir: string;
  ctx: ServiceContext;
  world: World;
  kubeconfigPath: string;
  enableWorkloadIdentity(): string;
  /** The real kubectl, through bash so a test writes its command lines as a user types them,
   *  at this sandbox (its kubeconfig, a HOME of its own); asynchronous, as the sandbox serves
   *  from this same process. */
  kubectl(args: string, input?: string): Promise<KubeRun>;
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
    kubectl(args, input) {
      return new Promise((resolve) => {
        const p = spawn("bash", ["-c", `kubectl ${args}`], { env: { ...process.env, KUBECONFIG: sb.info.kubeconfig, HOME: sb.dir } });
        let stdout = "",
          stderr = "";
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
        p.stdin.end(input ?? "");
      });
    },
    stop: () => sb.stop(),
  };
}
