// The package as a user gets it: `npm pack` (whose prepack builds dist/), installed into a fresh
// prefix with `npm install -g --prefix`, then the installed `aks-wi` on its own: --version, a
// sandbox, and an init against it, from a directory outside the repository.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, cleanEnv } from "../helpers/init-cli.harness.js";

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "aks-wi-pack-"));
afterAll(async () => {
  await run(join(work, "prefix", "bin", "aks-wi"), ["sandbox", "stop", "--dir", join(work, "sandbox")], { env: cleanEnv() }).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

describe("npm pack, then npm install -g", () => {
  it("the installed aks-wi runs: --version, sandbox start, init", async () => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    await run(npm, ["pack", "--pack-destination", work, "--silent"], { cwd: ROOT, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeTruthy();
    // The dependencies come from npm's cache (filled by `npm ci`) when it has them.
    await run(npm, ["install", "-g", "--prefix", join(work, "prefix"), join(work, tarball!), "--prefer-offline", "--no-fund", "--no-audit", "--silent"], {
      cwd: work,
      env: cleanEnv(),
      timeout: 150_000,
    });
    const bin = join(work, "prefix", "bin", "aks-wi");
    const v = await run(bin, ["--version"], { cwd: work, env: cleanEnv() });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const sb = join(work, "sandbox");
    await run(bin, ["sandbox", "start", "--dir", sb], { cwd: work, env: cleanEnv() });
    const init = await run(
      bin,
      ["init", "--sandbox", "--sandbox-dir", sb, "--yes", "--identity", "id-pack", "--namespace", "pack", "--service-account", "sa-pack", "--no-test-pod"],
      {
        cwd: work,
        env: cleanEnv(),
      },
    );
    expect(init.stdout).toContain("Workload identity is set up.");
  }, 200_000);
});
