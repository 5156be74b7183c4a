// Target resolution (flags over the init state), the report's shapes, and Entra error parsing.
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.js";
import { aadstsCode } from "../../src/azure/exchange.js";
import { runChecks } from "../../src/verify/checks.js";
import { buildReport, formatReport } from "../../src/verify/render.js";
import { propagationBudgetMs, resolveTarget } from "../../src/verify/target.js";
import type { InitState } from "../../src/init/state.js";
import { CLIENT, healthy, TENANT, VAULT } from "./verify-fixtures.js";

const state = (): InitState => ({
  version: 1, cloud: "sandbox", updatedAt: "",
  inputs: { subscription: "sub", resourceGroup: "rg", cluster: "aks", identity: "id-x", identityResourceGroup: "rg-id", namespace: "ns", serviceAccount: "sa", federatedCredential: "fic", roles: [{ role: "Key Vault Secrets User", scope: VAULT }] },
  steps: { federatedCredential: { status: "done", at: "2026-01-01T11:59:00.000Z", change: "create" } },
  outputs: { testPod: { namespace: "ns", name: "aks-wi-test" }, identity: { id: "x", name: "id-x", resourceGroup: "rg-id", location: "eastus", clientId: CLIENT, principalId: "p", tenantId: TENANT } },
});

describe("verify target", () => {
  it("comes from the state: identity, roles, test pod, credential write time", () => {
    expect(resolveTarget({}, state(), {})).toEqual({
      subscription: "sub", resourceGroup: "rg", cluster: "aks", namespace: "ns", serviceAccount: "sa",
      identity: { subscription: "sub", resourceGroup: "rg-id", name: "id-x" }, pod: "aks-wi-test",
      roles: [{ role: "Key Vault Secrets User", scope: VAULT }], federatedCredentialName: "fic", federatedCredentialWrittenAt: "2026-01-01T11:59:00.000Z",
    });
  });

  it("flags win; another service account does not inherit the state's identity, roles or pod", () => {
    const t = resolveTarget({ serviceAccount: "other", deployment: "web" }, state(), {});
    expect(t).toEqual({ subscription: "sub", resourceGroup: "rg", cluster: "aks", namespace: "ns", serviceAccount: "other", deployment: "web" });
    expect(resolveTarget({ pod: "p9" }, state(), {}).pod).toBe("p9");
  });

  it("an unchanged credential has no recent write time", () => {
    const s = state();
    s.steps.federatedCredential = { status: "done", at: "2026-01-01T11:59:00.000Z", change: "none" };
    expect(resolveTarget({}, s, {}).federatedCredentialWrittenAt).toBeUndefined();
  });

  it("usage errors exit 2", () => {
    const err = (() => { try { resolveTarget({ namespace: "ns" }, undefined, { subscription: "s" }); } catch (e) { return e; } })() as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.kind).toBe("usage");
    expect(err.message).toBe("nothing to verify: missing --resource-group, --cluster, --service-account");
    expect(() => resolveTarget({ pod: "a", deployment: "b" }, state(), {})).toThrow(/--pod or --deployment/);
    expect(() => propagationBudgetMs({ propagationTimeout: "soon" }, {})).toThrow(UserError);
    expect(propagationBudgetMs({}, { AKS_WI_VERIFY_PROPAGATION_TIMEOUT: "2.5" })).toBe(2_500);
    expect(propagationBudgetMs({}, {})).toBe(60_000);
  });
});

describe("verify report", () => {
  it("json: checks in order with their worst status; text: expected, actual, fix and the az login line", () => {
    const f = healthy();
    f.federatedCredentials![0]!.subject = "system:serviceaccount:other:sa";
    const report = buildReport(f, runChecks(f), 1234, 3);
    expect(report.result).toBe("fail");
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([["cluster", "PASS"], ["serviceAccount", "PASS"], ["identity", "FAIL"], ["pod", "PASS"], ["token", "FAIL"], ["exchange", "PASS"], ["access", "PASS"]]);
    expect(report.azLogin).toBe(`az login --service-principal -u ${CLIENT} -t ${TENANT} --federated-token "$(cat $AZURE_FEDERATED_TOKEN_FILE)"`);
    const text = formatReport(report).join("\n");
    expect(text).toMatch(/^FAIL\s+identity and federated credential\s+credential aks-wi-ns-sa's subject names namespace other, not ns$/m);
    expect(text).toMatch(/^\s+expected: system:serviceaccount:ns:sa$/m);
    expect(text).toMatch(/^\s+actual:   system:serviceaccount:other:sa$/m);
    expect(text).toMatch(/^\s+fix:      az identity federated-credential update /m);
  });

  it("text: all passed only when nothing was skipped; skipped links are named as unproven", () => {
    const f = healthy();
    const ok = buildReport(f, runChecks(f), 800, 0);
    expect(formatReport(ok).join("\n")).toMatch(/^All checks passed \(0 warning\(s\)\) in 0\.8 s\.$/m);
    const skipped = buildReport(f, runChecks(f), 800, 0);
    for (const c of skipped.checks.filter((x) => ["token", "exchange"].includes(x.name))) for (const x of c.findings) x.status = "SKIP";
    const text = formatReport(skipped).join("\n");
    expect(text).not.toMatch(/All checks passed/);
    expect(text).toMatch(/but 2 were skipped and prove nothing: name a pod \(--pod or --deployment\)/);
  });

  it("parses AADSTS codes from Entra's error answers", () => {
    expect(aadstsCode({ error: "invalid_client", error_description: "AADSTS70021: No matching federated identity record found", error_codes: [70021] })).toBe(70021);
    expect(aadstsCode({ error_description: "AADSTS700213: No matching federated identity record found for presented assertion subject" })).toBe(700213);
    expect(aadstsCode("<html>")).toBeUndefined();
  });
});

describe("docs/verify-json.md", () => {
  it("lists every finding id the checks can emit", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const dir = new URL("../../src/verify/", import.meta.url);
    const ids = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.startsWith("check-"))) {
      const src = readFileSync(new URL(file, dir), "utf8");
      for (const m of src.matchAll(/finding\("\w+", "(?:PASS|WARN|FAIL|SKIP)", "([\w-]+)"/g)) ids.add(m[1]!);
      for (const m of src.matchAll(/\? "([\w-]+)" :/g)) ids.add(m[1]!);
      for (const m of src.matchAll(/id2 = "([\w-]+)"/g)) ids.add(m[1]!);
    }
    expect(ids.size).toBeGreaterThan(40);
    const doc = readFileSync(new URL("../../docs/verify-json.md", import.meta.url), "utf8");
    expect([...ids].filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });
});
