// Check 3: the identity exists and one of its federated credentials matches the cluster's issuer
// byte for byte, the service account's subject (case-sensitive) and exactly the exchange audience.
import { MAX_FEDERATED_CREDENTIALS, TOKEN_AUDIENCE, parseServiceAccountSubject } from "../core/workload-identity.js";
import type { Facts, Finding } from "./types.js";
import { couldNotCheck, expectedSubject, finding, pickCredential, sh, stripSlash, wasTransient } from "./util.js";

export function checkIdentity(facts: Facts): Finding[] {
  const t = facts.target;
  const id = facts.identity;
  if (!id && wasTransient(facts, "identity")) return [couldNotCheck("identity", "identity-transient", "reading the managed identity", facts.identityError)];
  // Without an identity from the state, the service account names it: unread, the identity is unknown.
  if (!id && !t.identity && !facts.serviceAccount && wasTransient(facts, "serviceAccount")) {
    return [couldNotCheck("identity", "identity-transient", "finding the identity the service account names", facts.serviceAccountError)];
  }
  if (!id && facts.identityForbidden)
    return [
      finding("identity", "SKIP", "identity-forbidden", `not checked: ${facts.identityForbidden}`, {
        fix: "pass the identity with --identity and --identity-resource-group, or use a principal that may read it",
      }),
    ];
  if (!id) {
    const where = t.identity ? `${t.identity.name} in ${t.identity.resourceGroup}` : "named by the service account's client-id annotation";
    return [
      finding("identity", "FAIL", "identity-not-found", facts.identityError ?? `the managed identity ${where} was not found`, {
        fix: t.identity
          ? `az identity create -g ${sh(t.identity.resourceGroup)} -n ${sh(t.identity.name)} (or aks-wi init)`
          : "annotate the service account with an existing identity's client ID",
      }),
    ];
  }
  if (facts.federatedCredentialsError && wasTransient(facts, "federatedCredentials")) {
    return [couldNotCheck("identity", "fic-transient", `reading the federated credentials of ${id.name}`, facts.federatedCredentialsError)];
  }
  if (facts.federatedCredentialsError) {
    return [finding("identity", "FAIL", "fic-unreadable", facts.federatedCredentialsError, { fix: "check the signed-in principal can read the identity" })];
  }
  const fics = facts.federatedCredentials ?? [];
  const issuer = facts.cluster?.issuerUrl;
  const subject = expectedSubject(facts);
  const fixCmd = (name: string, verb: "create" | "update") =>
    `az identity federated-credential ${verb} -g ${sh(id.resourceGroup)} --identity-name ${sh(id.name)} -n ${sh(name)} --issuer ${sh(issuer ?? "<cluster issuer URL>")} --subject ${sh(subject)} --audiences ${TOKEN_AUDIENCE}`;
  const used = `${fics.length} of ${MAX_FEDERATED_CREDENTIALS} federated credentials used`;
  const { fic, exact } = pickCredential(facts);
  if (!fic) {
    return [
      finding("identity", "FAIL", "fic-missing", `identity ${id.name} has no federated credential`, {
        expected: `issuer ${issuer ?? "?"}, subject ${subject}`,
        actual: "none",
        fix: fixCmd(t.federatedCredentialName ?? `aks-wi-${t.namespace}-${t.serviceAccount}`, "create"),
      }),
    ];
  }
  if (exact) {
    const out = [
      finding(
        "identity",
        "PASS",
        "fic-ok",
        `identity ${id.name} (client ID ${id.clientId}); credential ${fic.name} matches issuer, subject and audience; ${used}`,
      ),
    ];
    if (fics.length >= MAX_FEDERATED_CREDENTIALS - 2)
      out.push(finding("identity", "WARN", "fic-near-limit", `${used}: close to Azure's limit`, { fix: "remove credentials no longer used" }));
    return out;
  }
  const out: Finding[] = [];
  const fix = fixCmd(fic.name, "update");
  if (issuer && fic.issuer !== issuer) {
    if (stripSlash(fic.issuer) === stripSlash(issuer)) {
      const missing = issuer.endsWith("/") && !fic.issuer.endsWith("/");
      out.push(
        finding(
          "identity",
          "FAIL",
          "issuer-trailing-slash",
          `credential ${fic.name}'s issuer ${missing ? "lacks the cluster issuer's trailing slash" : "has a trailing slash the cluster's issuer lacks"}; Entra compares issuers byte for byte`,
          {
            expected: issuer,
            actual: fic.issuer,
            fix,
          },
        ),
      );
    } else {
      out.push(
        finding("identity", "FAIL", "issuer-mismatch", `credential ${fic.name}'s issuer is not this cluster's OIDC issuer`, {
          expected: issuer,
          actual: fic.issuer,
          fix,
        }),
      );
    }
  }
  if (fic.subject !== subject) {
    const m = parseServiceAccountSubject(fic.subject);
    let id2 = "subject-mismatch";
    let why = `credential ${fic.name}'s subject is not this service account's`;
    if (fic.subject.toLowerCase() === subject.toLowerCase()) {
      id2 = "subject-case";
      why = `credential ${fic.name}'s subject differs only in case; Entra compares subjects case-sensitively`;
    } else if (m && m.namespace !== t.namespace && m.name === t.serviceAccount) {
      id2 = "subject-namespace";
      why = `credential ${fic.name}'s subject names namespace ${m.namespace}, not ${t.namespace}`;
    } else if (m && m.namespace === t.namespace && m.name !== t.serviceAccount) {
      id2 = "subject-service-account";
      why = `credential ${fic.name}'s subject names service account ${m.name}, not ${t.serviceAccount}`;
    }
    out.push(finding("identity", "FAIL", id2, why, { expected: subject, actual: fic.subject, fix }));
  }
  if (!(fic.audiences.length === 1 && fic.audiences[0] === TOKEN_AUDIENCE)) {
    out.push(
      finding("identity", "FAIL", "audience-mismatch", `credential ${fic.name}'s audiences are not exactly [${TOKEN_AUDIENCE}]`, {
        expected: JSON.stringify([TOKEN_AUDIENCE]),
        actual: JSON.stringify(fic.audiences),
        fix,
      }),
    );
  }
  if (!out.length) {
    // Only reachable when the cluster's issuer is unknown (OIDC off): subject and audience agree.
    out.push(
      finding("identity", "WARN", "issuer-unknown", `credential ${fic.name} matches subject and audience, but the cluster's issuer is unknown; ${used}`, {
        actual: fic.issuer,
        fix: "enable the cluster's OIDC issuer, then re-run",
      }),
    );
  }
  return out;
}
