// Annotation keys that look like a mistyped client-id annotation: verify's typoKeys (client_id,
// clientId, other separators) and any key a couple of edits away from the real one
// ("azure.workload.idenity/client-id", "azure.workload.identity/client-ids"). The webhook reads only
// the exact key, so each of these is a setup that silently does nothing.
import { CLIENT_ID_ANNOTATION, SKIP_CONTAINERS_ANNOTATION, TENANT_ID_ANNOTATION } from "../core/workload-identity.js";
import { typoKeys } from "../verify/check-service-account.js";

/** Edits (insert, delete, substitute) apart a key may be and still count as a typo. */
const MAX_EDITS = 2;
const REAL = new Set([CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION, SKIP_CONTAINERS_ANNOTATION, "azure.workload.identity/service-account-token-expiration"]);

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

export function nearKeys(annotations: Record<string, string>): string[] {
  const typos = new Set(typoKeys(annotations));
  return Object.keys(annotations).filter((k) => !REAL.has(k) && (typos.has(k) || editDistance(k.toLowerCase(), CLIENT_ID_ANNOTATION) <= MAX_EDITS));
}
