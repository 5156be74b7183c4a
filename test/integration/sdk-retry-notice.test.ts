// The Azure SDK's own retries are not silent: with the sandbox's ARM answering the first two
// requests 503, init's plan goes through and says each retry on stderr. And no SDK request waits
// forever: one slower than AKS_WI_AZURE_TIMEOUT is cut off, said and retried by the SDK.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { runCli, tempDir } from "../helpers/init-cli.harness.js";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox({ faults: "arm.503=1x2,retry-after=0.1" });
});
afterAll(async () => {
  await sb?.stop();
});

describe("a time limit on every Azure SDK request", () => {
  let slow: TestSandbox;
  beforeAll(async () => {
    // The first ARM request takes 3 s: longer than the 0.5 s limit the CLI gets below.
    slow = await startTestSandbox({ faults: "arm.slow=1x1,slow-ms=3000" });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it("cuts off an attempt past the limit, says the retry, and the run goes on", async () => {
    const t0 = Date.now();
    const r = await runCli(
      ["init", "--sandbox", "--sandbox-dir", slow.dir, "--dry-run", "--identity", "id-t", "--namespace", "t", "--service-account", "t", "--no-test-pod"],
      { cwd: tempDir("aks-wi-sdk-timeout-"), env: { AKS_WI_AZURE_TIMEOUT: "0.5" } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/ARM ETIMEDOUT, retry 1\/6 \((GET|PUT|POST) \/\S+; the Azure SDK's retry policy\)/);
    expect(slow.sandbox.faults.injected()).toEqual({ "arm.slow": 1 });
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("a bad AKS_WI_AZURE_TIMEOUT is an input mistake (exit 2), before any request", async () => {
    const r = await runCli(["init", "--sandbox", "--sandbox-dir", slow.dir, "--dry-run", "--identity", "id-t", "--namespace", "t", "--service-account", "t"], {
      cwd: tempDir("aks-wi-sdk-timeout-"),
      env: { AKS_WI_AZURE_TIMEOUT: "soon" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AKS_WI_AZURE_TIMEOUT must be a positive number of seconds, got "soon"');
  });
});

describe("the Azure SDK's retries", () => {
  it("each prints a line naming the status, the retry and the call, and the run goes on", async () => {
    const r = await runCli(
      ["init", "--sandbox", "--sandbox-dir", sb.dir, "--dry-run", "--identity", "id-r", "--namespace", "r", "--service-account", "r", "--no-test-pod"],
      { cwd: tempDir("aks-wi-sdk-retry-") },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = (r.stdout + r.stderr).split("\n").filter((l) => l.includes("the Azure SDK's retry policy"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ARM 503, retry 1\/6 in 0\.1 s \(Retry-After\) \((GET|PUT|POST) \/\S+; the Azure SDK's retry policy\)/);
    expect(sb.sandbox.faults.injected()).toEqual({ "arm.503": 2 });
  });
});
