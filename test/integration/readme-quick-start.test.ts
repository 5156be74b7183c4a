// Acceptance: the README's quick start against the sandbox, run verbatim (its own commands, read
// from the README), ends with verify exit 0. The default sandbox directory is kept in a temp
// XDG_STATE_HOME, and the commands run from a scratch directory whose bin/ is the repo's.
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, tempDir } from "../helpers/init-cli.harness.js";

/** The `node bin/aks-wi` lines of the first sh block after `heading` in the README. */
function readmeCommands(heading: string): string[] {
  const readme = readFileSync(join(process.cwd(), "README.md"), "utf8");
  const at = readme.indexOf(`${heading}\n`);
  const block = at < 0 ? "" : (/```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? "");
  return block
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("node bin/aks-wi "));
}

/** The quick start, with the Status section's example run on its setup before the sandbox stops. */
function quickStart(): string[] {
  const lines = readmeCommands("## Quick start");
  const stop = lines.findIndex((l) => l.includes(" sandbox stop"));
  return [...lines.slice(0, stop), ...readmeCommands("## Status: is it still as init left it?"), ...lines.slice(stop)];
}

describe("README quick start", () => {
  it("runs verbatim on the sandbox and every command exits 0, verify and status included", () => {
    const lines = quickStart();
    expect(lines.map((l) => l.split(" ").slice(2, 4).join(" "))).toEqual([
      "sandbox start",
      "init --sandbox",
      "verify --sandbox",
      "status --sandbox",
      "sandbox stop",
    ]);
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
    expect(results.find((r) => r.line.includes(" status "))!.out).toMatch(/^In sync\.$/m);
  }, 240_000);
});
