// Faults on: the real clients' own retry policies recover. Each scenario restarts the sandbox in one
// dir (same CA, keys and world) with its own fault spec, so the fault sequence each client sees is
// exactly the one the spec names.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { afterAll, describe, expect, it } from "vitest";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

const dir = mkdtempSync(join(tmpdir(), "aks-wi-faults-"));
let sb: TestSandbox | undefined;
afterAll(async () => {
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function withFaults(spec: string): Promise<TestSandbox> {
  await sb?.stop();
  sb = await startTestSandbox({ dir, faults: spec });
  return sb;
}

describe("the SDKs recover from injected faults", () => {
  it("ARM 429 with Retry-After: the SDK waits as told and succeeds", async () => {
    const s = await withFaults("arm.429=1x2,retry-after=1");
    const p = sandboxCloud(dir);
    const aks = new ContainerServiceClient(p.credential(), s.info.subscriptionId, p.clientOptions());
    const t0 = Date.now();
    const cluster = await aks.managedClusters.get(s.info.resourceGroup, s.info.clusterName);
    const elapsed = Date.now() - t0;
    expect(cluster.name).toBe(s.info.clusterName);
    expect(s.sandbox.faults.injected()).toEqual({ "arm.429": 2 });
    // Two Retry-After: 1 answers were honoured (not retried at once).
    expect(elapsed).toBeGreaterThanOrEqual(1900);
  });

  it("ARM 503, a dropped connection and a slow answer: the SDK retries and succeeds", async () => {
    const s = await withFaults("arm.503=1x1,arm.drop=1x1,arm.slow=1x1,retry-after=0,slow-ms=200");
    const p = sandboxCloud(dir);
    const msi = new ManagedServiceIdentityClient(p.credential(), s.info.subscriptionId, p.clientOptions());
    const created = await msi.userAssignedIdentities.createOrUpdate(s.info.resourceGroup, "id-faults", { location: s.info.location });
    expect(s.sandbox.faults.injected()).toEqual({ "arm.503": 1, "arm.drop": 1, "arm.slow": 1 });
    // The retried PUT made one identity, and it is the one the client was given.
    const names: string[] = [];
    for await (const i of msi.userAssignedIdentities.listByResourceGroup(s.info.resourceGroup)) names.push(i.name!);
    expect(names.filter((n) => n === "id-faults")).toHaveLength(1);
    expect((await msi.userAssignedIdentities.get(s.info.resourceGroup, "id-faults")).principalId).toBe(created.principalId);
  });

  it("Entra 503 on the token endpoint: @azure/identity retries and gets the token", async () => {
    const s = await withFaults("login.503=1x1,retry-after=0");
    const p = sandboxCloud(dir);
    const token = await p.credential().getToken(p.armScope);
    expect(token?.token.split(".")).toHaveLength(3);
    expect(s.sandbox.faults.injected()).toEqual({ "login.503": 1 });
  });

  it("Kubernetes 429 with Retry-After: kubectl retries and succeeds", async () => {
    const s = await withFaults("kube.429=1x1,retry-after=1");
    const r = await promisify(execFile)("kubectl", ["--kubeconfig", s.info.kubeconfig, "get", "namespace", "default", "-o", "name"], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe("namespace/default");
    expect(s.sandbox.faults.injected()).toEqual({ "kube.429": 1 });
  });
});
