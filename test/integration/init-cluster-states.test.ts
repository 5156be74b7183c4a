// Acceptance (issue 11, the plan notices cluster states): beside the default cluster the sandbox
// seeds one stopped, one Failed and one on a Kubernetes version out of support. init, the built
// CLI with the real SDKs, stops a stopped or Failed cluster's plan with what to run (exit 2) and
// warns about the version in the plan; nothing changes in any of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, runCli, tempDir, writeFingerprint } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
beforeAll(async () => {
  sb = await startTestSandbox({ clusterVariants: true });
  cwd = tempDir("aks-wi-states-");
  // The API server seeds its system objects on its first request: make it before any fingerprint.
  await kubectlJson(sb.info.kubeconfig, ["get", "pods", "-A"]);
});
afterAll(async () => {
  await sb?.stop();
});

const init = (cluster: string, extra: string[] = []) =>
  runCli(
    [
      "init",
      "--sandbox",
      "--sandbox-dir",
      sb.dir,
      "--yes",
      "--cluster",
      cluster,
      "--identity",
      `id-${cluster}`,
      "--namespace",
      cluster,
      "--service-account",
      "sa",
      "--state",
      `${cwd}/${cluster}.json`,
      ...extra,
    ],
    { cwd },
  );

describe("init and the cluster's state", () => {
  it("sandbox.json names the variants beside the default cluster", () => {
    expect(sb.info.clusters).toEqual({
      "aks-sandbox": "default",
      "aks-stopped": "stopped",
      "aks-failed": "failed",
      "aks-old": "unsupported-version",
      "aks-entra": "entra-azure-rbac",
      "aks-private": "private",
    });
  });

  it("a stopped cluster stops the plan: start it first (exit 2, nothing changed)", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await init("aks-stopped");
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cluster aks-stopped is stopped \(powerState Stopped\)/);
    expect(r.stderr).toContain("start it: az aks start -g rg-sandbox -n aks-stopped");
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("a Failed cluster stops the plan: reconcile it first (exit 2, nothing changed)", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await init("aks-failed");
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cluster aks-failed is in provisioning state Failed/);
    expect(r.stderr).toContain("reconcile it first (az aks update -g rg-sandbox -n aks-failed)");
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("a version out of support is a WARN line in the plan with the upgrade command; the refused update writes nothing else", async () => {
    const before = writeFingerprint(sb.dir);
    const dry = await init("aks-old", ["--dry-run"]);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /WARN: Kubernetes 1\.27\.9 is out of support in eastus \(supported: 1\.31, 1\.32, 1\.33\); AKS refuses any update until it is upgraded: az aks upgrade -g rg-sandbox -n aks-old --kubernetes-version 1\.31/,
    );
    expect(writeFingerprint(sb.dir)).toBe(before);
    // Applied anyway: AKS refuses the PUT, and every other write waits for it to be accepted.
    const applied = await init("aks-old");
    expect(applied.code).toBe(1);
    expect(`${applied.stdout}${applied.stderr}`).toMatch(/K8sVersionNotSupported|is on version 1\.27\.9 which is not supported/);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("the sandbox refuses a PUT on a stopped cluster as AKS does", async () => {
    const aks = new ContainerServiceClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
    const c = await aks.managedClusters.get("rg-sandbox", "aks-stopped");
    expect(c.powerState?.code).toBe("Stopped");
    const e = await aks.managedClusters.beginCreateOrUpdateAndWait("rg-sandbox", "aks-stopped", c, { updateIntervalInMs: 10 }).catch((x) => x);
    expect([e.statusCode, e.code]).toEqual([400, "OperationNotAllowed"]);
  });
});
