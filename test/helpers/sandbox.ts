// An in-process sandbox in a fresh temp dir for integration tests: the real listeners, the real
// world, `instant` latency unless a test overrides single timings.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/identity";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import type { SandboxInfo } from "../../sandbox/info.js";
import type { LatencyProfile } from "../../sandbox/core/types.js";

export interface TestSandbox {
  info: SandboxInfo;
  dir: string;
  sandbox: Sandbox;
  stop(): Promise<void>;
}

export async function startTestSandbox(
  opts: { latency?: Partial<LatencyProfile>; faults?: string; dir?: string; clusterVariants?: boolean } = {},
): Promise<TestSandbox> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "aks-wi-sb-"));
  const sandbox = await startSandbox({ dir, latency: "instant", latencyOverrides: opts.latency, faults: opts.faults, clusterVariants: opts.clusterVariants });
  return {
    info: sandbox.info,
    dir,
    sandbox,
    async stop() {
      await sandbox.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The operator credential of the sandbox cloud profile: a ClientSecretCredential that gets its
 *  tokens from the sandbox's Entra token endpoint (never minted behind its back). */
export async function operatorCredential(sb: TestSandbox): Promise<TokenCredential> {
  return sandboxCloud(sb.dir).credential();
}
