// Acceptance: the README's quick start against the sandbox, run verbatim (its own commands, read
// from the README), ends with verify exit 0. The default sandbox directory is kept in a temp
// XDG_STATE_HOME, and the commands run from a scratch directory whose bin/ is the repo's.
import { describe, expect, it } from "vitest";
import { playReadme, readmeCommands } from "../helpers/readme.js";

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
    const results = playReadme(lines, "aks-wi-readme-");
    for (const r of results) expect(r.status, `${r.line}\n${r.out}`).toBe(0);
    expect(results).toHaveLength(lines.length);
    expect(results.find((r) => r.line.includes(" verify "))!.out).toMatch(
      /^WARN\s+access\s+identity id-app holds no Azure role assignment, and none was asked for/m,
    );
    expect(results.find((r) => r.line.includes(" status "))!.out).toMatch(/^In sync\.$/m);
  }, 240_000);
});
