// Check 6: Entra traded the pod's token for an ARM token (client assertion, as the pod's SDK does).
// Each AADSTS code is mapped to the field at fault, with expected vs actual.
import { ISSUER_FETCH_CODES } from "../core/retry.js";
import { type Facts, type Finding } from "./types.js";
import { couldNotCheck, expectedSubject, finding, pickCredential, sameGuid, stripSlash } from "./util.js";

/** What each AADSTS code of the federated exchange means (Entra's documented error codes). */
export const AADSTS: Record<number, string> = {
  70021: "no federated credential of the identity matches the token's issuer, subject and audience",
  700211: "no federated credential matches the token's issuer",
  700212: "no federated credential matches the token's audience",
  700213: "no federated credential matches the token's subject",
  700016: "no application with this client ID exists in the tenant",
  700024: "the token is not within its valid time range (expired, or the clocks disagree)",
  700027: "the token's signature could not be verified with the issuer's published keys",
  50166: "Entra could not fetch the issuer's OIDC discovery document or keys",
  501661: "Entra could not fetch the issuer's OIDC discovery document or keys",
  90061: "Entra could not fetch the issuer's OIDC discovery document or keys",
  50027: "the token is not a valid JWT",
  90002: "the tenant was not found",
  900023: "the tenant ID is not valid",
  7000215: "invalid client secret",
};

export const PROPAGATION_CODES = new Set([70021, 700211, 700212, 700213]);

export function checkExchange(facts: Facts): Finding[] {
  const ex = facts.exchange;
  if (!ex || ex.skipped) return [finding("exchange", "SKIP", "exchange-skipped", ex?.skipped ?? "no token to exchange")];
  const waited = ex.waitedMs > 0 ? ` after waiting ${Math.round(ex.waitedMs / 1000)} s for the federated credential to propagate` : "";
  const id = facts.identity;
  if (ex.ok) {
    const c = ex.claims ?? {};
    if (id && c.oid && !sameGuid(c.oid, id.principalId)) {
      return [
        finding(
          "exchange",
          "FAIL",
          "exchange-other-identity",
          "Entra issued a token for another principal than the identity: the pod's AZURE_CLIENT_ID names another identity",
          {
            expected: `oid ${id.principalId} (${id.name})`,
            actual: `oid ${c.oid}, appid ${c.appid ?? "?"}`,
            fix: "fix the service account's client-id annotation and restart the pod",
          },
        ),
      ];
    }
    return [finding("exchange", "PASS", "exchange-ok", `Entra issued an ARM token${waited}: aud ${c.aud}, oid ${c.oid}, appid ${c.appid}, tid ${c.tid}`)];
  }
  const code = ex.aadsts;
  const meaning = code !== undefined ? AADSTS[code] : undefined;
  const described = ex.errorDescription?.split(/\r?\n/)[0]?.replace(/^AADSTS\d+:\s*/, "");
  const head = `AADSTS${code ?? "?"}: ${meaning ?? described ?? ex.error ?? "exchange failed"}${waited}`;
  const claims = facts.token?.claims ?? {};
  const { fic } = pickCredential(facts);
  const fixFic = "update the federated credential (see the identity check) and re-run";
  if (code !== undefined && PROPAGATION_CODES.has(code)) {
    // Name the field Entra compared and found different.
    const fields: { f: string; exp: string; act: string }[] = [];
    if (fic) {
      if (claims.iss !== fic.issuer) fields.push({ f: "issuer", exp: fic.issuer, act: claims.iss ?? "" });
      if (claims.sub !== fic.subject) fields.push({ f: "subject", exp: fic.subject, act: claims.sub ?? "" });
      if (!claims.aud?.some((a) => fic.audiences.includes(a)))
        fields.push({ f: "audience", exp: JSON.stringify(fic.audiences), act: JSON.stringify(claims.aud ?? []) });
    }
    if (!fic) {
      return [
        finding("exchange", "FAIL", "exchange-no-credential", head, {
          expected: `a credential for ${expectedSubject(facts)}`,
          actual: "none on the identity",
          fix: fixFic,
        }),
      ];
    }
    if (fields.length) {
      const f = fields[0]!;
      const slash = f.f === "issuer" && stripSlash(f.exp) === stripSlash(f.act) ? " (they differ only by a trailing slash)" : "";
      return [
        finding("exchange", "FAIL", `exchange-${f.f}`, `${head}; the token's ${f.f} differs from credential ${fic.name}'s${slash}`, {
          expected: f.exp,
          actual: f.act,
          fix: fixFic,
        }),
      ];
    }
    return [
      finding("exchange", "FAIL", "exchange-propagating", `${head}; credential ${fic.name} matches the token, so Entra has not picked it up yet`, {
        expected: "token issued",
        actual: `AADSTS${code} after ${ex.attempts} attempt(s)`,
        fix: "wait a minute or two for the credential to propagate, then re-run aks-wi verify",
      }),
    ];
  }
  if (code === 700016) {
    return [
      finding("exchange", "FAIL", "exchange-client-id", head, {
        expected: `client ID ${id?.clientId ?? "of the identity"}`,
        actual: facts.containerEnv?.find((e) => e.env?.AZURE_CLIENT_ID)?.env?.AZURE_CLIENT_ID ?? "?",
        fix: "fix the service account's client-id annotation and restart the pod",
      }),
    ];
  }
  if (code === 700024) {
    return [
      finding("exchange", "FAIL", "exchange-token-time", head, {
        expected: "an unexpired token",
        actual: claims.exp ? `exp ${new Date(claims.exp * 1000).toISOString()}` : "?",
        fix: "restart the pod; check the node's clock",
      }),
    ];
  }
  if (code !== undefined && ISSUER_FETCH_CODES.has(code)) {
    // Entra's fetch failed through every retry. If the issuer answers here (or blips here too),
    // nothing says it is broken; if it fails here for good, it is.
    const probe = facts.issuer;
    if (probe?.ok) {
      const t = facts.target;
      return [
        couldNotCheck(
          "exchange",
          "exchange-transient",
          `${head} through every retry, though the issuer serves ${probe.keys} key(s) from here`,
          undefined,
          `re-run aks-wi verify in a minute; if it persists, Entra cannot reach the issuer: az aks update -g ${t.resourceGroup} -n ${t.cluster} reconciles it`,
        ),
      ];
    }
    if (!probe || probe.transient) return [couldNotCheck("exchange", "exchange-transient", head, probe?.error)];
  }
  if (code === 700027 || (code !== undefined && ISSUER_FETCH_CODES.has(code))) {
    return [
      finding("exchange", "FAIL", "exchange-issuer-keys", head, {
        expected: `keys published at ${claims.iss ?? "the issuer"}.well-known/openid-configuration`,
        actual: facts.issuer?.error ?? ex.errorDescription?.split(/\r?\n/)[0] ?? "?",
        fix: "check the cluster's OIDC issuer URL is reachable and matches the credential",
      }),
    ];
  }
  if (ex.transient)
    return [couldNotCheck("exchange", "exchange-transient", code !== undefined ? head : `the token exchange: ${described ?? ex.error}`, undefined)];
  return [
    finding("exchange", "FAIL", "exchange-failed", head, {
      actual: ex.errorDescription?.split(/\r?\n/)[0] ?? ex.error,
      fix: "see the Entra error above; re-run with AKS_WI_DEBUG=1 for details",
    }),
  ];
}
