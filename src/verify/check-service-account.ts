// Check 2: the service account exists and its client-id annotation names the identity; catches
// the usual mistakes (a `client_id`-style typo, the annotation put on another object).
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION } from "../core/workload-identity.js";
import type { Facts, Finding } from "./types.js";
import { couldNotCheck, finding, sameGuid, sh, wasTransient } from "./util.js";

/** Annotation keys that look like a mistyped client-id annotation. */
export function typoKeys(annotations: Record<string, string>): string[] {
  const norm = (k: string) => k.toLowerCase().replace(/[\s_.\-/]/g, "");
  const want = norm(CLIENT_ID_ANNOTATION);
  return Object.keys(annotations).filter((k) => k !== CLIENT_ID_ANNOTATION && (norm(k) === want || (/workload.?identity/i.test(k) && /client.?id/i.test(k))));
}

export function checkServiceAccount(facts: Facts): Finding[] {
  const t = facts.target;
  const sa = facts.serviceAccount;
  const clientId = facts.identity?.clientId;
  const annotate = `kubectl -n ${sh(t.namespace)} annotate serviceaccount ${sh(t.serviceAccount)} --overwrite ${CLIENT_ID_ANNOTATION}=${clientId ?? "<identity client ID>"}`;
  if (!sa && facts.serviceAccountError && wasTransient(facts, "serviceAccount")) {
    return [couldNotCheck("serviceAccount", "sa-transient", `reading service account ${t.namespace}/${t.serviceAccount}`, facts.serviceAccountError)];
  }
  if (!sa && facts.serviceAccountError) {
    // Not read is not absent: the fix is reaching the cluster, not creating what may well exist.
    return [
      finding("serviceAccount", "FAIL", "sa-unreadable", `service account ${t.namespace}/${t.serviceAccount} could not be read: ${facts.serviceAccountError}`, {
        expected: `a readable service account ${t.namespace}/${t.serviceAccount}`,
        actual: facts.serviceAccountError,
        fix: "check that the cluster answers (kubectl get namespaces) with this --kubeconfig/--context or Azure credential, then re-run aks-wi verify",
      }),
    ];
  }
  if (!sa) {
    return [
      finding("serviceAccount", "FAIL", "sa-not-found", `service account ${t.namespace}/${t.serviceAccount} does not exist`, {
        expected: `service account ${t.namespace}/${t.serviceAccount}`,
        actual: "not found",
        fix: `kubectl -n ${sh(t.namespace)} create serviceaccount ${sh(t.serviceAccount)} && ${annotate} (or aks-wi init)`,
      }),
    ];
  }
  const out: Finding[] = [];
  const value = sa.annotations[CLIENT_ID_ANNOTATION];
  if (value === undefined) {
    const typos = typoKeys(sa.annotations);
    if (typos.length) {
      out.push(
        finding(
          "serviceAccount",
          "FAIL",
          "sa-annotation-typo",
          `the service account has "${typos[0]}" instead of "${CLIENT_ID_ANNOTATION}"; the webhook ignores it`,
          {
            expected: `${CLIENT_ID_ANNOTATION}=${clientId ?? "<client ID>"}`,
            actual: `${typos[0]}=${sa.annotations[typos[0]!]}`,
            fix: `${annotate} ${sh(`${typos[0]}-`)}`,
          },
        ),
      );
    } else if (facts.annotatedElsewhere?.length) {
      const o = facts.annotatedElsewhere[0]!;
      out.push(
        finding(
          "serviceAccount",
          "FAIL",
          "sa-annotation-elsewhere",
          `the client-id annotation is on ${o.kind} ${o.name}, not on the service account; the webhook reads it only from the service account`,
          {
            expected: `annotation on serviceaccount ${t.serviceAccount}`,
            actual: `annotation on ${o.kind} ${o.name}`,
            fix: annotate,
          },
        ),
      );
    } else {
      out.push(
        finding("serviceAccount", "FAIL", "sa-annotation-missing", `the service account has no ${CLIENT_ID_ANNOTATION} annotation`, {
          expected: `${CLIENT_ID_ANNOTATION}=${clientId ?? "<client ID>"}`,
          actual: "no annotation",
          fix: annotate,
        }),
      );
    }
  } else if (clientId && !sameGuid(value, clientId)) {
    out.push(
      finding("serviceAccount", "FAIL", "sa-client-id-mismatch", `the annotation names client ID ${value}, not identity ${facts.identity?.name}'s`, {
        expected: clientId,
        actual: value,
        fix: annotate,
      }),
    );
  }
  const tenant = sa.annotations[TENANT_ID_ANNOTATION];
  const wantTenant = facts.identity?.tenantId;
  if (tenant !== undefined && wantTenant && !sameGuid(tenant, wantTenant)) {
    out.push(
      finding("serviceAccount", "FAIL", "sa-tenant-mismatch", `the tenant-id annotation names another tenant than the identity's`, {
        expected: wantTenant,
        actual: tenant,
        fix: `kubectl -n ${sh(t.namespace)} annotate serviceaccount ${sh(t.serviceAccount)} --overwrite ${TENANT_ID_ANNOTATION}=${wantTenant}`,
      }),
    );
  }
  if (!out.length) {
    out.push(
      finding(
        "serviceAccount",
        "PASS",
        "sa-ok",
        `${t.namespace}/${t.serviceAccount} is annotated with client ID ${value}${tenant ? ` and tenant ${tenant}` : ""}`,
      ),
    );
  }
  return out;
}
