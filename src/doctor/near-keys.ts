// Annotation keys that look like a mistyped client-id annotation: verify's typoKeys (client_id,
// clientId, other separators) and any key a couple of edits away from the real one
// ("azure.workload.idenity/client-id", "azure.workload.identity/client-ids"). The webhook reads only
// the exact key, so each of these is a setup that silently does nothing.
import { CLIENT_ID_ANNOTATION, SKIP_CONTAINERS_ANNOTATION, TENANT_ID_ANNOTATION } from "../core/workload-identity.js";
import { editDistance } from "../core/near-match.js";
import { typoKeys } from "../verify/check-service-account.js";

export { editDistance };

/** Edits (insert, delete, substitute) apart a key may be and still count as a typo. */
const MAX_EDITS = 2;
const REAL = new Set([CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION, SKIP_CONTAINERS_ANNOTATION, "azure.workload.identity/service-account-token-expiration"]);

export function nearKeys(annotations: Record<string, string>): string[] {
  const typos = new Set(typoKeys(annotations));
  return Object.keys(annotations).filter((k) => !REAL.has(k) && (typos.has(k) || editDistance(k.toLowerCase(), CLIENT_ID_ANNOTATION) <= MAX_EDITS));
}
