// The report's shapes: JSON checks in order, the text lines, and the documented finding ids.
import { describe, expect, it } from "vitest";
import { runChecks } from "../../../src/verify/checks.js";
import { buildVerifyReport, formatReport } from "../../../src/verify/render.js";
import { CLIENT, healthy, TENANT } from "../../helpers/verify-fixtures.js";

describe("verify report", () => {
  it("json: checks in order with their worst status; text: expected, actual, fix and the az login line", () => {
    const f = healthy();
    f.federatedCredentials![0]!.subject = "system:serviceaccount:other:sa";
    const report = buildVerifyReport(f, runChecks(f), 1234, 3);
    expect(report.result).toBe("fail");
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ["cluster", "PASS"],
      ["serviceAccount", "PASS"],
      ["identity", "FAIL"],
      ["pod", "PASS"],
      ["token", "FAIL"],
      ["exchange", "PASS"],
      ["access", "PASS"],
    ]);
    expect(report.azLogin).toBe(`az login --service-principal -u ${CLIENT} -t ${TENANT} --federated-token "$(cat $AZURE_FEDERATED_TOKEN_FILE)"`);
    const text = formatReport(report).join("\n");
    expect(text).toMatch(/^FAIL\s+identity and federated credential\s+credential aks-wi-ns-sa's subject names namespace other, not ns$/m);
    expect(text).toMatch(/^\s+expected: system:serviceaccount:ns:sa$/m);
    expect(text).toMatch(/^\s+actual:   system:serviceaccount:other:sa$/m);
    expect(text).toMatch(/^\s+fix:      az identity federated-credential update /m);
  });

  it("text: all passed only when nothing was skipped; skipped links are named as unproven", () => {
    const f = healthy();
    const ok = buildVerifyReport(f, runChecks(f), 800, 0);
    expect(formatReport(ok).join("\n")).toMatch(/^All checks passed \(0 warning\(s\)\) in 0\.8 s\.$/m);
    const skipped = buildVerifyReport(f, runChecks(f), 800, 0);
    for (const c of skipped.checks.filter((x) => ["token", "exchange"].includes(x.name))) for (const x of c.findings) x.status = "SKIP";
    const text = formatReport(skipped).join("\n");
    expect(text).not.toMatch(/All checks passed/);
    expect(text).toMatch(/but 2 were skipped and prove nothing: name a pod \(--pod or --deployment\)/);
  });
});

describe("docs/verify-json.md", () => {
  it("lists every finding id the checks can emit", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const dir = new URL("../../../src/verify/", import.meta.url);
    const ids = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.startsWith("check-"))) {
      const src = readFileSync(new URL(file, dir), "utf8");
      for (const m of src.matchAll(/finding\("\w+", "(?:PASS|WARN|FAIL|SKIP|UNKNOWN)", "([\w-]+)"/g)) ids.add(m[1]!);
      for (const m of src.matchAll(/\? "([\w-]+)" :/g)) ids.add(m[1]!);
      for (const m of src.matchAll(/id2 = "([\w-]+)"/g)) ids.add(m[1]!);
      for (const m of src.matchAll(/couldNotCheck\("\w+", "([\w-]+)"/g)) ids.add(m[1]!);
    }
    expect(ids.size).toBeGreaterThan(40);
    const doc = readFileSync(new URL("../../../docs/verify-json.md", import.meta.url), "utf8");
    expect([...ids].filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });
});
