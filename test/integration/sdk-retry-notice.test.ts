// The Azure SDK's own retries are not silent: with the sandbox's ARM answering the first two
// requests 503, init's plan goes through and says each retry on stderr.
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
