// `aks-wi sandbox start --cluster-variants` seeds the clusters users meet beside the default one
// (stopped, failed, out of support), lists them in sandbox.json, and init's plan stops on the
// stopped one with AKS's fix, exit 2, nothing changed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, tempDir, writeFingerprint } from "../../helpers/init-cli.harness.js";

const dir = join(tempDir("aks-wi-variants-"), "sandbox");
afterAll(async () => {
  await runCli(["sandbox", "stop", "--sandbox-dir", dir], { cwd: tempDir("aks-wi-variants-stop-") });
});

describe("sandbox start --cluster-variants", () => {
  it("seeds the variants, lists them in sandbox.json, and init stops on the stopped one", async () => {
    const cwd = tempDir("aks-wi-variants-cwd-");
    const s = await runCli(["sandbox", "start", "--sandbox-dir", dir, "--cluster-variants"], { cwd });
    expect(s.code, s.stderr).toBe(0);
    const info = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    expect(info.clusters).toEqual({
      "aks-sandbox": "default",
      "aks-stopped": "stopped",
      "aks-failed": "failed",
      "aks-old": "unsupported-version",
      "aks-entra": "entra-azure-rbac",
      "aks-private": "private",
    });
    const before = writeFingerprint(dir);
    const r = await runCli(
      ["init", "--sandbox", "--sandbox-dir", dir, "--yes", "--cluster", "aks-stopped", "--identity", "id-v", "--namespace", "v", "--service-account", "sa-v"],
      { cwd },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cluster aks-stopped is stopped .*\n\s+hint: start it: az aks start -g rg-sandbox -n aks-stopped/);
    expect(writeFingerprint(dir)).toBe(before);
  });
});
