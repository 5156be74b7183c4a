// The built CLI's usage errors, which need no sandbox and no network: exit 2 with every missing
// input named (flag and env var), one-line errors, no stack trace, nothing written.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/init-cli.harness.js";

describe("aks-wi init usage errors (built CLI)", () => {
  it("Azure profile, no inputs, --yes: exit 2, every required input named, nothing written", async () => {
    const cwd = tempDir("aks-wi-usage-");
    const r = await runCli(["init", "--yes"], { cwd });
    expect(r.code).toBe(2);
    for (const want of [
      "--subscription or AKS_WI_SUBSCRIPTION",
      "--resource-group or AKS_WI_RESOURCE_GROUP",
      "--cluster or AKS_WI_CLUSTER",
      "--identity or AKS_WI_IDENTITY",
      "--service-account or AKS_WI_SERVICE_ACCOUNT",
    ])
      expect(r.stderr).toContain(want);
    expect(r.stderr).toContain("not asking: --yes");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("no terminal (stdin not a TTY) counts as non-interactive, and env vars satisfy inputs", async () => {
    const cwd = tempDir("aks-wi-usage-");
    const r = await runCli(["init"], { cwd, env: { AKS_WI_IDENTITY: "id-a", AKS_WI_SERVICE_ACCOUNT: "sa-a", AKS_WI_CLUSTER: "aks-a" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not asking: no terminal");
    expect(r.stderr).not.toContain("AKS_WI_IDENTITY");
    expect(r.stderr).not.toContain("AKS_WI_CLUSTER");
    expect(r.stderr).toContain("--subscription or AKS_WI_SUBSCRIPTION");
  });

  it("commander usage errors exit 2", async () => {
    const r = await runCli(["init", "--output", "xml"], { cwd: tempDir("aks-wi-usage-") });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argument 'xml' is invalid/);
  });

  it("--role without --scope, and a malformed scope, are named in the one error", async () => {
    const r = await runCli(["init", "--yes", "--role", "Reader", "--role", "Owner", "--scope", "not-an-id"], { cwd: tempDir("aks-wi-usage-") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--role and --scope pair up in order: got 2 role(s) and 1 scope(s)");
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
  });

  it("--sandbox with no sandbox running: a clear error saying how to start one", async () => {
    const r = await runCli(["init", "--sandbox", "--sandbox-dir", "/nonexistent/aks-wi-sandbox", "--yes"], { cwd: tempDir("aks-wi-usage-") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no sandbox found in /nonexistent/aks-wi-sandbox");
    expect(r.stderr).toContain("aks-wi sandbox start");
  });
});
