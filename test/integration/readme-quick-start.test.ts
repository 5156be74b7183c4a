// Acceptance: the README's quick start against the sandbox, run verbatim (its own commands, read
// from the README), ends with verify exit 0. The default sandbox directory is kept in a temp
// XDG_STATE_HOME, and the commands run from a scratch directory whose bin/ is the repo's.
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../helpers/init-cli.harness.js";

function quickStart(): string[] {
  const readme = readFileSync(join(process.cwd(), "README.md"), "utf8");
  const block = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("node bin/aks-wi "));
}

describe("README quick start", () => {
  it("runs verbatim on the sandbox and every command exits 0, verify included", () => {
    const lines = quickStart();
    expect(lines.map((l) => l.split(" ").slice(2, 4).join(" "))).toEqual(["sandbox start", "init --sandbox", "verify --sandbox", "sandbox stop"]);
    const cwd = tempDir("aks-wi-readme-");
    symlinkSync(join(process.cwd(), "bin"), join(cwd, "bin"));
    const env = cleanEnv({ XDG_STATE_HOME: join(cwd, "state") });
    const results: { line: string; status: number | null; out: string }[] = [];
    try {
      for (const line of lines) {
        // The lines hold no quoting: split on spaces as the shell would.
        const [cmd, ...args] = line.split(/\s+/);
        const r = spawnSync(cmd === "node" ? process.execPath : cmd!, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
        results.push({ line, status: r.status, out: `${r.stdout}\n${r.stderr}` });
        if (r.status !== 0) break;
      }
    } finally {
      spawnSync(process.execPath, ["bin/aks-wi", "sandbox", "stop"], { cwd, env, encoding: "utf8", timeout: 30_000 });
    }
    for (const r of results) expect(r.status, `${r.line}\n${r.out}`).toBe(0);
    expect(results).toHaveLength(lines.length);
    expect(results.find((r) => r.line.includes(" verify "))!.out).toMatch(
      /^WARN\s+access\s+identity id-app holds no Azure role assignment, and none was asked for/m,
    );
  }, 240_000);
});
