// The sandbox cloud profile: a missing or stale sandbox.json is a usage error saying how to start
// the sandbox, before any call could fail as a sign-in problem.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import { sandboxCloud } from "../../../src/azure/cloud.js";

function sandboxDir(pid: number): string {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-cloud-"));
  writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
  writeFileSync(
    join(dir, "sandbox.json"),
    JSON.stringify({
      tenantId: "t",
      subscriptionId: "s",
      resourceGroup: "rg",
      clusterName: "aks",
      armEndpoint: "https://127.0.0.1:1",
      authorityHost: "https://127.0.0.1:2",
      armAudience: "https://management.azure.com/",
      caFile: join(dir, "ca.pem"),
      clientId: "c",
      clientSecret: "x",
      pid,
    }),
  );
  return dir;
}

describe("sandbox cloud profile", () => {
  it("a running sandbox's file gives the profile", () => {
    expect(sandboxCloud(sandboxDir(process.pid)).armEndpoint).toBe("https://127.0.0.1:1");
  });

  it("a stale file (its process exited) is a usage error saying how to start it again", () => {
    const exited = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const dir = sandboxDir(exited);
    const e = (() => {
      try {
        sandboxCloud(dir);
      } catch (x) {
        return x as UserError;
      }
    })();
    expect(e).toBeInstanceOf(UserError);
    expect(e!.kind).toBe("usage");
    expect(e!.message).toBe(`the sandbox in ${dir} is not running (its process ${exited} has exited)`);
    expect(e!.suggestion).toContain(`aks-wi sandbox start --sandbox-dir ${dir}`);
  });

  it("no file: says to start one", () => {
    expect(() => sandboxCloud(mkdtempSync(join(tmpdir(), "aks-wi-cloud-none-")))).toThrow(/no sandbox found in/);
  });
});
