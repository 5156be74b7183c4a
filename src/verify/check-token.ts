// Check 5: the projected token read inside the pod (from the file AZURE_FEDERATED_TOKEN_FILE
// names; for images without `cat`, the same token from the TokenRequest API, said so) carries the issuer, subject and audience the federated credential expects, and is not
// expired. Only its claims are ever looked at here.
import { TOKEN_AUDIENCE } from "../core/workload-identity.js";
import type { Facts, Finding, TokenFacts } from "./types.js";
import { couldNotCheck, expectedSubject, finding, pickCredential, sh, wasTransient } from "./util.js";

/** Where the claims came from, said in the finding: a token asked of the API server proves the
 *  service account and audience, not that the pod's own file holds it. */
function readHow(tk: TokenFacts): string {
  const via = tk.via;
  if (via && "tokenRequest" in via)
    return `${via.why}: a token for the same service account and audience was requested from the TokenRequest API instead; the file itself was not read`;
  return `read from ${tk.path}${via ? ` in container ${via.container}` : ""}`;
}

export function checkToken(facts: Facts): Finding[] {
  const tk = facts.token;
  if (!facts.pod || facts.pod.phase !== "Running") return [finding("token", "SKIP", "token-no-pod", "no running pod to read the token in")];
  if (!tk?.claims && wasTransient(facts, "token"))
    return [couldNotCheck("token", "token-transient", `reading the federated token in pod ${facts.pod.name}`, tk?.error)];
  if (!tk?.claims) {
    return [
      finding("token", "FAIL", "token-unreadable", `the federated token could not be read in pod ${facts.pod.name}: ${tk?.error ?? "unknown error"}`, {
        expected: "a JWT in the file named by AZURE_FEDERATED_TOKEN_FILE",
        actual: tk?.path ? `${tk.path}: ${tk.error ?? "unreadable"}` : "AZURE_FEDERATED_TOKEN_FILE unset",
        fix: `check the pod has the projected token volume: kubectl -n ${sh(facts.pod.namespace)} get pod ${sh(facts.pod.name)} -o yaml`,
      }),
    ];
  }
  const c = tk.claims;
  const { fic } = pickCredential(facts);
  const out: Finding[] = [];
  const wantIss = fic?.issuer ?? facts.cluster?.issuerUrl;
  if (wantIss && c.iss !== wantIss) {
    out.push(
      finding("token", "FAIL", "token-issuer", `the token's iss is not the credential's issuer${fic ? ` (${fic.name})` : ""}`, {
        expected: wantIss,
        actual: c.iss ?? "(none)",
        fix: "make the credential's issuer equal the cluster's OIDC issuer URL exactly",
      }),
    );
  }
  const wantSub = fic?.subject ?? expectedSubject(facts);
  if (c.sub !== wantSub) {
    out.push(
      finding("token", "FAIL", "token-subject", "the token's sub is not the credential's subject", {
        expected: wantSub,
        actual: c.sub ?? "(none)",
        fix: `run the pod under the service account the credential names`,
      }),
    );
  }
  const wantAud = fic?.audiences ?? [TOKEN_AUDIENCE];
  if (!c.aud?.some((a) => wantAud.includes(a))) {
    out.push(
      finding("token", "FAIL", "token-audience", "the token's aud is not among the credential's audiences", {
        expected: JSON.stringify(wantAud),
        actual: JSON.stringify(c.aud ?? []),
        fix: `set the credential's audiences to ["${TOKEN_AUDIENCE}"]`,
      }),
    );
  }
  const now = Date.parse(facts.now) / 1000;
  if (c.exp !== undefined && c.exp <= now) {
    out.push(
      finding("token", "FAIL", "token-expired", "the token in the file has expired: the kubelet is not refreshing it", {
        expected: `exp after ${facts.now}`,
        actual: new Date(c.exp * 1000).toISOString(),
        fix: "restart the pod",
      }),
    );
  }
  if (!out.length) {
    const mins = c.exp !== undefined ? Math.round((c.exp - now) / 60) : undefined;
    out.push(
      finding(
        "token",
        "PASS",
        "token-ok",
        `iss ${c.iss}, sub ${c.sub}, aud ${(c.aud ?? []).join(",")}${mins !== undefined ? `, expires in ${mins} min` : ""} (${readHow(tk)})`,
      ),
    );
  }
  return out;
}
