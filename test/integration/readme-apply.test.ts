// Acceptance: the README's "Many workloads" example, run verbatim on the sandbox with the
// repository's examples/aks-wi.yaml: apply, status and verify of one binding all exit 0.
import { describe, expect, it } from "vitest";
import { playReadme, readmeCommands } from "../helpers/readme.js";

describe("README: many workloads from one file", () => {
  it("applies examples/aks-wi.yaml, reports it in sync and verifies a binding", () => {
    const lines = readmeCommands("## Many workloads: one file");
    expect(lines.map((l) => l.split(" ").slice(2, 3).join(" "))).toEqual(["sandbox", "apply", "status", "verify", "sandbox"]);
    const results = playReadme(lines, "aks-wi-readme-apply-");
    for (const r of results) expect(r.status, `${r.line}\n${r.out}`).toBe(0);
    expect(results).toHaveLength(lines.length);
    expect(results.find((r) => r.line.includes(" apply "))!.out).toMatch(/^Applied 3 bindings on cluster aks-sandbox: 3 changed, 0 already in sync\.$/m);
    expect(results.find((r) => r.line.includes(" status "))!.out).toMatch(/^All 3 bindings in sync\.$/m);
    expect(results.find((r) => r.line.includes(" verify "))!.out).toMatch(/^PASS\s+pod\b/m);
  }, 240_000);
});
