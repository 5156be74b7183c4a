// The whole `verify` command over fakes of verify's ports (VerifyDeps, like init's InitDeps): the
// exit code, the JSON report on stdout, progress on stderr, and the state file's cloud check.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CloudProfile } from "../../../src/azure/cloud.js";
import { runVerify, type VerifyDeps } from "../../../src/cli/commands/verify.js";
import type { VerifyOptions } from "../../../src/cli/options.js";
import { UserError } from "../../../src/core/errors.js";
import type { ClusterRef } from "../../../src/kube/connect.js";
import { jwt, verifyFakes } from "../../helpers/verify-fakes.js";
import { ISSUER } from "../../helpers/verify-fixtures.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const profile = { name: "sandbox", subscriptionId: "sub", defaults: { resourceGroup: "rg", cluster: "aks" } } as CloudProfile;
const flags: VerifyOptions = { namespace: "ns", serviceAccount: "sa", pod: "p1", identity: "id-x" };

function harness(
  f = verifyFakes({ token: jwt({ iss: ISSUER, sub: "system:serviceaccount:ns:sa", aud: ["api://AzureADTokenExchange"], exp: Date.now() / 1000 + 3600 }) }),
) {
  const stdout = new Sink();
  const stderr = new Sink();
  const kubeFor: ClusterRef[] = [];
  let azureMade = 0;
  const deps: VerifyDeps = {
    env: {},
    cwd: mkdtempSync(join(tmpdir(), "aks-wi-verify-")),
    stdout,
    stderr,
    profile: () => profile,
    azure: async () => (azureMade++, f.azure),
    kube: async (target) => (kubeFor.push({ subscription: target.subscription, resourceGroup: target.resourceGroup, cluster: target.cluster }), f.kube),
  };
  return { f, deps, stdout, stderr, kubeFor, azureMade: () => azureMade };
}

describe("aks-wi verify (command over fakes)", () => {
  it("a healthy workload: exit 0 and the text report, reaching the profile's cluster", async () => {
    const h = harness();
    expect(await runVerify({ ...flags, output: "text" }, h.deps)).toBe(0);
    expect(h.stdout.text).toMatch(/^PASS\s+cluster/m);
    expect(h.stdout.text).not.toMatch(/^FAIL/m);
    expect(h.kubeFor).toEqual([{ subscription: "sub", resourceGroup: "rg", cluster: "aks" }]);
  });

  it("a broken link: exit 3, one JSON document on stdout naming it", async () => {
    const h = harness();
    h.f.azure.ops.getCluster = async () => undefined;
    expect(await runVerify({ ...flags, output: "json" }, h.deps)).toBe(3);
    const report = JSON.parse(h.stdout.text);
    expect(report).toMatchObject({ version: 1, result: "fail", exitCode: 3 });
    expect(report.checks[0].findings[0].id).toBe("cluster-not-found");
  });

  it("a state file of another cloud is a usage error before Azure is reached", async () => {
    const h = harness();
    writeFileSync(join(h.deps.cwd, "s.json"), JSON.stringify({ version: 1, cloud: "AzureCloud", inputs: {}, steps: {}, outputs: {} }));
    const e = await runVerify({ state: "s.json" }, h.deps).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).kind).toBe("usage");
    expect((e as Error).message).toMatch(/belongs to the AzureCloud cloud, not sandbox/);
    expect(h.azureMade()).toBe(0);
  });
});
