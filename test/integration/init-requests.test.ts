// Acceptance of the engine's request budget, counted on the sandbox's own listeners (what the
// services answered, not what the client meant to send): a fresh init with one role makes at most
// 14 ARM requests besides the cluster update's operation polls; a no-change re-run at most 7 ARM
// and 5 Kubernetes requests. On Azure each ARM round trip costs 100–400 ms and reads count against
// the subscription's throttle, so these are the figures that make a re-run fast there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { recordArm, type ArmExchange } from "../helpers/arm-recorder.js";
import { runCli, tempDir, vaultId } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let args: string[];
let cwd: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-init-requests-");
  args = [
    "init",
    "--sandbox",
    "--sandbox-dir",
    sb.dir,
    "--yes",
    "--identity",
    "id-req",
    "--namespace",
    "req",
    "--service-account",
    "sa-req",
    "--role",
    "Key Vault Secrets User",
    "--scope",
    vaultId(sb.dir),
  ];
});
afterAll(async () => {
  await sb?.stop();
});

const port = (url: string) => Number(new URL(url).port);
const CLUSTER = /\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i;
/** The cluster update's long-running-operation requests after its PUT, which the budget leaves
 *  out: the Azure-AsyncOperation status polls and the final GET of the resource that the LRO
 *  protocol (and so core-lro, as every SDK) makes once the operation has succeeded. */
function splitPolls(log: ArmExchange[]): { polls: ArmExchange[]; rest: ArmExchange[] } {
  const put = log.findIndex((e) => e.method === "PUT" && CLUSTER.test(e.path));
  const isPoll = (e: ArmExchange, i: number) =>
    e.method === "GET" &&
    (/\/providers\/Microsoft\.ContainerService\/locations\/[^/]+\/operations\//i.test(e.path) || (put >= 0 && i > put && CLUSTER.test(e.path)));
  return { polls: log.filter(isPoll), rest: log.filter((e, i) => !isPoll(e, i)) };
}
const show = (log: ArmExchange[]) => log.map((e) => `${e.method} ${e.path} ${e.status}`).join("\n");

async function counted() {
  const arm = recordArm(port(sb.info.armEndpoint));
  const kube = recordArm(port(sb.info.kubeServer));
  try {
    const r = await runCli(args, { cwd });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  } finally {
    arm.stop();
    kube.stop();
  }
  const { polls, rest } = splitPolls(arm.log);
  return { arm: rest, polls, kube: kube.log };
}

describe("init's request budget", () => {
  it("a fresh init with one role: at most 14 ARM requests besides the operation polls; a re-run at most 7 ARM and 5 Kubernetes", async () => {
    const fresh = await counted();
    expect(fresh.arm.length, show(fresh.arm)).toBeLessThanOrEqual(14);
    // Each resource is read once: the cluster is read by four steps and written once.
    expect(fresh.arm.filter((e) => e.method === "GET" && /managedClusters\/[^/]+$/.test(e.path)).length, show(fresh.arm)).toBe(1);
    expect(fresh.arm.filter((e) => e.method === "PUT").length, show(fresh.arm)).toBe(4);

    const rerun = await counted();
    expect(rerun.arm.length, show(rerun.arm)).toBeLessThanOrEqual(7);
    expect(rerun.kube.length, show(rerun.kube)).toBeLessThanOrEqual(5);
    expect(
      rerun.arm.concat(rerun.kube).filter((e) => e.method !== "GET" && !/listClusterUserCredential/.test(e.path)),
      show(rerun.arm),
    ).toEqual([]);
  });
});
