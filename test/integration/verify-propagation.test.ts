// Acceptance: right after a federated credential is written, Entra answers AADSTS70021 until the
// credential propagates; verify says it waits, retries with backoff within its bound, then passes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDENTITY, NS, RG, SA, setUp, verify, verifyJson, type VerifyEnv } from "../helpers/verify.harness.js";

let env: VerifyEnv;
// 6 s: long enough that verify, started right after the rewrite, still meets the window on a loaded machine.
beforeAll(async () => {
  env = await setUp({ ficPropagationMs: 6_000 });
}, 60_000);
afterAll(async () => {
  await env?.sb.stop();
});

/** Rewrites the credential (same values): Entra honours it only ficPropagationMs later. */
async function rewriteCredential() {
  const name = `aks-wi-${NS}-${SA}`;
  const fic = await env.clients.msi.federatedIdentityCredentials.get(RG, IDENTITY, name);
  await env.clients.msi.federatedIdentityCredentials.createOrUpdate(RG, IDENTITY, name, { issuer: fic.issuer, subject: fic.subject, audiences: fic.audiences });
}

describe("aks-wi verify and a credential still propagating", () => {
  it("waits, saying so, then passes", async () => {
    await rewriteCredential();
    const r = await verify(env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stderr).toMatch(/waiting for the federated credential to propagate \(Entra answered AADSTS70021\)/);
    expect(r.stdout).toMatch(/^PASS\s+exchange\s+Entra issued an ARM token after waiting \d+ s for the federated credential to propagate/m);
    expect(r.stdout).toMatch(/^PASS\s+access\s/m);
  });

  it("gives up at its bound and names the propagation, not a field", async () => {
    await rewriteCredential();
    const { r, findings } = await verifyJson(env, [], { AKS_WI_VERIFY_PROPAGATION_TIMEOUT: "0" });
    expect(r.code).toBe(3);
    const f = findings.find((x) => x.check === "exchange")!;
    expect(f).toMatchObject({ status: "FAIL", id: "exchange-propagating" });
    expect(f.actual).toMatch(/^AADSTS70021 after 1 attempt/);
    expect(findings.find((x) => x.check === "access")!.status).toBe("SKIP");
  });
});
