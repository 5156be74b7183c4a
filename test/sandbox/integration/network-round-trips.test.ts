// A network that costs time: on the realistic profile every request to a service waits that
// service's round trip before it is served (scaled by the factor), and `--rtt` sets them one by
// one. Timed through real clients, the ARM SDK and client-node, and read back from the request log.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResourceManagementClient } from "@azure/arm-resources";
import { KubeConfig, VersionApi } from "@kubernetes/client-node";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { readRequestLog, startSandbox, type Sandbox } from "../../../sandbox/index.js";

let dir: string;
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(latency: string, rtt?: string): Promise<Sandbox> {
  dir = mkdtempSync(join(tmpdir(), "aks-wi-rtt-"));
  // the slow operations stay instant: only the round trips are under test
  sb = await startSandbox({ dir, latency, rtt, latencyOverrides: { clusterUpdateMs: 0, podStartMs: 0, identityWriteMs: 0 } });
  return sb;
}

/** Wall time of `n` sequential calls. */
async function timed(n: number, call: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call();
  return performance.now() - t0;
}

async function clients(s: Sandbox) {
  const cloud = sandboxCloud(dir);
  const cred = cloud.credential();
  await cred.getToken(cloud.armScope); // signed in once, outside the timings
  const arm = new ResourceManagementClient(cred, s.info.subscriptionId, cloud.clientOptions());
  const kc = new KubeConfig();
  kc.loadFromFile(s.info.kubeconfig);
  return { arm, kube: kc.makeApiClient(VersionApi) };
}

describe("per-request round trips", () => {
  it("realistic: ARM requests take 120 ms each at least, Kubernetes 40 ms, and the log shows it", async () => {
    const s = await start("realistic");
    expect(s.info.rtt).toEqual({ arm: 120, login: 80, kube: 40, oidc: 30, graph: 100 });
    const { arm, kube } = await clients(s);
    expect(await timed(3, () => arm.resourceGroups.get(s.info.resourceGroup))).toBeGreaterThanOrEqual(3 * 120);
    expect(await timed(3, () => kube.getCode())).toBeGreaterThanOrEqual(3 * 40);
    await s.stop();
    const log = readRequestLog(dir);
    const min = (service: string) => Math.min(...log.filter((e) => e.service === service).map((e) => e.ms));
    expect(min("arm")).toBeGreaterThanOrEqual(119);
    expect(min("login")).toBeGreaterThanOrEqual(79);
    expect(min("kube")).toBeGreaterThanOrEqual(39);
  });

  it("scales with the factor, and --rtt replaces the round trips it names", async () => {
    const s = await start("realistic:0.1", "arm=250");
    expect(s.info.rtt).toEqual({ arm: 250, login: 8, kube: 4, oidc: 3, graph: 10 });
    const { arm, kube } = await clients(s);
    expect(await timed(2, () => arm.resourceGroups.get(s.info.resourceGroup))).toBeGreaterThanOrEqual(2 * 250);
    const k = await timed(5, () => kube.getCode());
    expect(k).toBeGreaterThanOrEqual(5 * 4);
    expect(k).toBeLessThan(2 * 250); // kube kept its own, small round trip
  });

  it("instant stays instant: no round trip at all", async () => {
    const s = await start("instant");
    expect(s.info.rtt).toEqual({ arm: 0, login: 0, kube: 0, oidc: 0, graph: 0 });
  });
});
