// Issue 10: faults on the exec WebSocket upgrade (verify reads the pod's environment and token
// through exec) are retried like any other Kubernetes call: with `kube.exec.503=1x2` the first
// two upgrades are refused with 503 and Retry-After, verify of a healthy setup still passes every
// check, and each retry says so ("Kubernetes API 503, retry 1/6 in 0.1 s (exec in pod …)": the
// Retry-After of the refused upgrade is honoured).
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { runCli, tempDir, vaultId } from "../helpers/init-cli.harness.js";

const dir = tempDir("aks-wi-exec-faults-");
const cwd = tempDir("aks-wi-exec-faults-cwd-");
let sb: TestSandbox | undefined;

beforeAll(async () => {
  sb = await startTestSandbox({ dir });
  const init = await runCli(
    ["init", "--sandbox", "--sandbox-dir", dir, "--yes", "--identity", "id-app", "--namespace", "app", "--service-account", "sa-app"].concat([
      "--role",
      "Key Vault Secrets User",
      "--scope",
      vaultId(dir),
    ]),
    { cwd },
  );
  if (init.code !== 0) throw new Error(`aks-wi init failed (${init.code}): ${init.stderr || init.stdout}`);
  await sb.stop();
  sb = await startTestSandbox({ dir, faults: "kube.exec.503=1x2,retry-after=0.1" });
}, 90_000);
afterAll(async () => {
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe("verify with the exec upgrade refused twice (503)", () => {
  it("retries the upgrade as Retry-After says, and passes every check", { timeout: 60_000 }, async () => {
    const r = await runCli(["verify", "--sandbox", "--sandbox-dir", dir, "--cluster", sb!.info.clusterName], { cwd });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    for (const check of ["pod", "token", "exchange", "access"]) expect(r.stdout).toMatch(new RegExp(`^PASS\\s+${check}\\s`, "m"));
    expect(r.stdout).not.toMatch(/^(FAIL|UNKNOWN|WARN)/m);
    expect(sb!.sandbox.faults.injected()).toEqual({ "kube.exec.503": 2 });
    const retries = r.stderr.split("\n").filter((l) => /^Kubernetes API 503, retry \d\/6 in 0\.1 s \(exec in pod app\/aks-wi-test\)$/.test(l));
    expect(retries, r.stderr).toHaveLength(2);
  });
});
